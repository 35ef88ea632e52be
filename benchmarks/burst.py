"""Benchmark: a burst of 300 concurrent requests, then a steady booking run, against a REAL server on PostgreSQL.

Issue 14 found one worker wedged by 300 concurrent ``GET /api/v1/me``: every request timed out and ``/health`` stayed
down for minutes, because all request threads waited for a pooled connection that requests waiting for a thread held
(:mod:`nemt.http.capacity` explains the cycle and the cure). This module runs that campaign the same way against two
named deployments, side by side:

- ``baseline``: today's settings before the fix — one uvicorn worker, no admission control
  (``NEMT_MAX_IN_FLIGHT=0``), SQLAlchemy's default pool (5 + 10 connections, 30 s wait), no PostgreSQL timeouts;
- ``production``: the documented production settings — gunicorn with uvicorn workers, ``deploy/gunicorn.conf.py``,
  the settings' defaults (README, "Running in production").

Each gets a fresh schema in the PostgreSQL database, migrated and seeded with the demo world. Figures: p50/p99 of the
burst and of the booking run, answers by class (2xx, 4xx, 503, 500, no answer in time), ``/health`` during the burst,
and the recovery time (end of the burst to the first normal answer of ``/api/v1/me`` in under a second).

The helpers (a prepared database, a running server, the burst, the recovery probe) are also what the standing test
``tests/load/test_burst.py`` uses, so the test and the benchmark run the same campaign.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.databases import postgres_schema, schema_url

REPO = Path(__file__).resolve().parents[1]
GUNICORN_CONF = REPO / "deploy" / "gunicorn.conf.py"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


# --- deployments ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deployment:
    """How the server is started: its name in the report, the command (``{port}`` filled in) and the settings."""

    name: str
    command: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    #: Up only once the server's log holds this line this many times (every worker of several has started its
    #: application): a load begun when the first worker answers lands on that worker and stays there, each client
    #: keeping its connection. "" = up when ``/health`` answers.
    started_line: str = ""
    processes: int = 1


def baseline() -> Deployment:
    """Today's settings before issue 14's fix: one uvicorn worker, no admission control, SQLAlchemy's default pool
    and no PostgreSQL timeouts."""
    return Deployment(
        "baseline (1 uvicorn worker, no admission control, default pool)",
        (sys.executable, "-m", "uvicorn", "nemt.http.app:app", "--host", "127.0.0.1", "--port", "{port}",
         "--log-level", "warning"),
        {"NEMT_MAX_IN_FLIGHT": "0", "NEMT_DB_POOL_SIZE": "5", "NEMT_DB_MAX_OVERFLOW": "10",
         "NEMT_DB_POOL_TIMEOUT": "30", "NEMT_DB_STATEMENT_TIMEOUT": "0", "NEMT_DB_IDLE_IN_TRANSACTION_TIMEOUT": "0"},
    )


def production(workers: int | None = None) -> Deployment:
    """The production settings of the README: gunicorn with uvicorn workers and ``deploy/gunicorn.conf.py``; with
    ``workers``, that many instead of the configuration's."""
    count = workers if workers is not None else configured_workers()
    return Deployment(
        f"production (gunicorn, {count} uvicorn workers, deploy/gunicorn.conf.py)",
        (sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--bind", "127.0.0.1:{port}",
         "--workers", str(count), "--log-level", "info", "nemt.http.app:app"),
        started_line="Application startup complete.", processes=count,
    )


def configured_workers() -> int:
    """The worker processes ``deploy/gunicorn.conf.py`` starts on this machine."""
    return int(runpy.run_path(str(GUNICORN_CONF))["workers"])


# --- the database and the server -------------------------------------------------------------------------------


@contextmanager
def prepared_database(postgres_url: str = DEFAULT_POSTGRES_URL) -> Iterator[str]:
    """A fresh schema in ``postgres_url``, migrated and seeded with the demo world (without its week of rides);
    yields the URL a server process uses to reach it, and drops the schema afterwards."""
    from nemt.services.demo import seed
    from nemt.store.uow import uow_factory

    with postgres_schema(postgres_url, "burst") as (engine, schema):
        seed(uow_factory(engine), rides=False)
        engine.dispose()
        yield schema_url(postgres_url, schema)


def free_port() -> int:
    """A localhost TCP port nobody listens on now (the tests' live servers use it too)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(deployment: Deployment, database_url: str, folder: Path, *, start_timeout: float = 90.0,
            extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """The deployment running on a free localhost port over ``database_url``; yields its base URL. The server's
    output goes to ``folder/server.log``; the process group is ended on the way out."""
    port = free_port()
    env = {**os.environ, "NEMT_DATABASE_URL": database_url, "NEMT_SECRET_KEY": "burst-secret-key",
           "NEMT_PASSWORD_HASH_COST": "test", **deployment.env, **(extra_env or {})}
    command = [part.replace("{port}", str(port)) for part in deployment.command]
    log_path = folder / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, proc, start_timeout, log_path, deployment.started_line, deployment.processes)
            yield base
        finally:
            stop_process_group(proc)


def wait_until_up(base: str, proc: subprocess.Popen, limit: float, log_path: Path, started_line: str = "",
                  processes: int = 1) -> None:
    """Return once ``base``/health answers 200 (and the log holds ``started_line`` ``processes`` times); raise
    RuntimeError with the end of the server's log when the process ends first or ``limit`` seconds pass."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            started = not started_line or log_path.read_text().count(started_line) >= processes
            if started and httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not start: " + log_path.read_text()[-3000:])


def stop_process_group(proc: subprocess.Popen, *, grace: float = 15.0) -> None:
    """End ``proc``'s whole process group (it was started with ``start_new_session=True``, so a server's or worker's
    children go too): SIGTERM, up to ``grace`` seconds to finish, then SIGKILL. A group already gone is fine."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def bearer(base: str, username: str) -> dict[str, str]:
    """Headers with a fresh API token of the demo user ``username``."""
    from nemt.services.demo import DEMO_LOGINS

    password = next(d.password for d in DEMO_LOGINS if d.username == username)
    r = httpx.post(base + "/api/v1/auth/token", json={"username": username, "password": password}, timeout=30)
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


# --- requests and their answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One request's outcome: the status (``None``: no answer within the client's timeout) and its latency."""

    status: int | None
    seconds: float
    retry_after: str | None = None


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None


async def _send(client: httpx.AsyncClient, call: Call) -> Answer:
    start = time.perf_counter()
    try:
        r = await client.request(call.method, call.path, headers=call.headers, json=call.json)
        return Answer(r.status_code, time.perf_counter() - start, r.headers.get("retry-after"))
    except httpx.HTTPError:
        return Answer(None, time.perf_counter() - start)


def _client(base: str, timeout: float) -> httpx.AsyncClient:
    # One connection per request in flight: a burst is many clients at once, not one client's keep-alive queue.
    return httpx.AsyncClient(base_url=base, timeout=timeout,
                             limits=httpx.Limits(max_connections=None, max_keepalive_connections=0))


async def _probe_health(base: str, stop: asyncio.Event, every: float, timeout: float) -> list[Answer]:
    """``GET /health`` every ``every`` seconds until ``stop`` is set."""
    answers: list[Answer] = []
    async with _client(base, timeout) as client:
        while not stop.is_set():
            answers.append(await _send(client, Call("GET", "/health", {})))
            try:
                await asyncio.wait_for(stop.wait(), every)
            except TimeoutError:
                pass
    return answers


async def _burst(base: str, calls: Sequence[Call], timeout: float) -> tuple[list[Answer], list[Answer]]:
    stop = asyncio.Event()
    probe = asyncio.create_task(_probe_health(base, stop, every=0.5, timeout=timeout))
    await asyncio.sleep(0.2)
    async with _client(base, timeout) as client:
        answers = await asyncio.gather(*(_send(client, c) for c in calls))
    stop.set()
    return list(answers), await probe


def burst(base: str, calls: Sequence[Call], *, timeout: float = 30.0) -> tuple[list[Answer], list[Answer]]:
    """Send every call at once (each on its own connection) while probing ``/health``; returns the answers and the
    health probes' answers."""
    return asyncio.run(_burst(base, calls, timeout))


def burst_calls(me: dict[str, str], reader: dict[str, str], count: int = 300) -> list[Call]:
    """The burst's mix: ``GET /api/v1/me`` with a token, and a read endpoint (the rides of a day), alternating."""
    from nemt import clock
    from nemt.policy import load_policy

    day = (clock.today(load_policy("CO").time_zone) + dt.timedelta(days=1)).isoformat()  # tomorrow, as before
    return [Call("GET", "/api/v1/me", me) if i % 2 == 0 else Call("GET", f"/api/v1/rides?date={day}", reader)
            for i in range(count)]


def recovery_seconds(base: str, headers: dict[str, str], *, limit: float = 120.0) -> float | None:
    """Seconds until ``GET /api/v1/me`` answers 200 in under a second (``None``: not within ``limit``)."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        t0 = time.monotonic()
        try:
            r = httpx.get(base + "/api/v1/me", headers=headers, timeout=5)
            if r.status_code == 200 and time.monotonic() - t0 < 1.0:
                return round(time.monotonic() - start, 2)
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    return None


# --- the booking run -------------------------------------------------------------------------------------------


def booking_calls(base: str, agent: dict[str, str], count: int) -> list[Call]:
    """``count`` distinct ride requests by the demo agent: the Colorado members in turn, each at its own appointment
    time a week ahead (so none is a duplicate of another), to a free address by public transit."""
    from nemt import clock
    from nemt.policy import load_policy

    zone = load_policy("CO").time_zone
    day = clock.today(zone) + dt.timedelta(days=7)
    members = []
    for n in range(1, 61):
        r = httpx.post(base + "/api/v1/members/search", json={"medicaid_id": f"D{100000 + n:06d}"}, headers=agent,
                       timeout=30)
        r.raise_for_status()
        members += [m["key"] for m in r.json()]
    destination = {"name": "Example Clinic", "address": "200 Sample Ave", "zip": "80204",
                   "service": "primary-care", "provider_enrolled": True}
    calls = []
    for i in range(count):
        slot = i // len(members)
        at = dt.datetime.combine(day + dt.timedelta(days=slot // 100), dt.time(7), tzinfo=zone)
        at += dt.timedelta(minutes=5 * (slot % 100))
        calls.append(Call("POST", "/api/v1/rides", agent, {
            "member": members[i % len(members)], "destination": destination,
            "requested_mode": "mobility-ambulatory", "appointment_at": at.isoformat()}))
    return calls


async def _steady(base: str, calls: Sequence[Call], rate: float, timeout: float) -> list[Answer]:
    """Open loop: call ``i`` starts at ``i / rate`` seconds whatever the earlier ones are doing, as real callers do."""
    start = time.perf_counter()
    async with _client(base, timeout) as client:

        async def at(i: int, call: Call) -> Answer:
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            return await _send(client, call)

        return list(await asyncio.gather(*(at(i, c) for i, c in enumerate(calls))))


def steady(base: str, calls: Sequence[Call], *, rate: float, timeout: float = 30.0) -> list[Answer]:
    return asyncio.run(_steady(base, calls, rate, timeout))


# --- figures ---------------------------------------------------------------------------------------------------


def _percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)


def summary(answers: Sequence[Answer]) -> dict[str, Any]:
    """Counts by class and the latency percentiles of the answered requests."""
    answered = [a.seconds for a in answers if a.status is not None]
    count = Counter("no answer" if a.status is None else a.status for a in answers)
    return {
        "requests": len(answers),
        "p50_s": _percentile(answered, 0.50), "p99_s": _percentile(answered, 0.99),
        "max_s": round(max(answered), 3) if answered else None,
        "2xx": sum(n for s, n in count.items() if isinstance(s, int) and 200 <= s < 300),
        "4xx": sum(n for s, n in count.items() if isinstance(s, int) and 400 <= s < 500),
        "503": count[503],
        "500": sum(n for s, n in count.items() if isinstance(s, int) and s >= 500 and s != 503),
        "no_answer": count["no answer"],
        "slowest_503_s": round(max((a.seconds for a in answers if a.status == 503), default=0.0), 3),
    }


def run_deployment(deployment: Deployment, postgres_url: str, *, requests: int, rate: float, seconds: float,
                   timeout: float, recovery_limit: float) -> dict[str, Any]:
    """The burst and the booking run against ``deployment``, each on a freshly started server over the same
    freshly seeded database."""
    result: dict[str, Any] = {"deployment": deployment.name}
    with prepared_database(postgres_url) as url, tempfile.TemporaryDirectory(prefix="nemt-burst-") as tmp:
        with serving(deployment, url, Path(tmp)) as base:
            me, reader = bearer(base, "agent"), bearer(base, "dispatcher")
            started = time.perf_counter()
            answers, health = burst(base, burst_calls(me, reader, requests), timeout=timeout)
            result["burst"] = {**summary(answers), "wall_s": round(time.perf_counter() - started, 2),
                               "health_probes": len(health), "health_200": sum(h.status == 200 for h in health),
                               "recovery_s": recovery_seconds(base, me, limit=recovery_limit)}
        with serving(deployment, url, Path(tmp)) as base:
            agent = bearer(base, "agent")
            calls = booking_calls(base, agent, round(rate * seconds))
            answers = steady(base, calls, rate=rate, timeout=timeout)
            result["bookings"] = {**summary(answers), "rate_per_s": rate,
                                  "recovery_s": recovery_seconds(base, agent, limit=recovery_limit)}
    return result


def run_benchmark(*, postgres_url: str = DEFAULT_POSTGRES_URL, workers: int | None = None, requests: int = 300,
                  rate: float = 50.0, seconds: float = 30.0, timeout: float = 30.0, recovery_limit: float = 120.0,
                  with_baseline: bool = True) -> dict[str, Any]:
    """The production deployment and, side by side, the baseline: the same burst and booking run for each."""
    settings = {"requests": requests, "booking_rate_per_s": rate, "booking_seconds": seconds,
                "client_timeout_s": timeout, "recovery_limit_s": recovery_limit, "cores": os.cpu_count()}
    report: dict[str, Any] = {"settings": settings}
    deployments = [("production", production(workers))] + ([("baseline", baseline())] if with_baseline else [])
    for key, deployment in deployments:
        report[key] = run_deployment(deployment, postgres_url, requests=requests, rate=rate, seconds=seconds,
                                     timeout=timeout, recovery_limit=recovery_limit)
    return report
