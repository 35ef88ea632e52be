"""Benchmark: the call center's load (issue 18, point 5) — member search, a member's rides and bookings at a constant
50 requests a second for five minutes, against a REAL server on PostgreSQL.

Two named deployments, side by side, each on a freshly seeded schema of its own (:mod:`benchmarks.load_world`: the
demo world, generated members in the broker's counties, call-center agents with API tokens; the program clock fixed):

- ``production``: the documented production settings — gunicorn with uvicorn workers and ``deploy/gunicorn.conf.py``
  (:func:`benchmarks.burst.production`), the settings' defaults;
- ``baseline``: ``nemt serve`` — one uvicorn process, what ``make run`` starts, with the same defaults. The fair
  baseline for "several worker processes": the same application and settings, the processes the only difference.

The load is Locust, headless (:mod:`benchmarks.load_client`, in a process of its own): each agent sends once a second
at its own random phase, so the 50 requests of a second are spread over it, or, with ``--arrivals poisson``, the
agents together are a Poisson stream of the same mean rate (:mod:`benchmarks.load_pacing`). Figures: per kind and
overall, the request count, p50/p95/p99 and the slowest answer (ms), the answers that were not 2xx (by status; 0: no
answer within the client's 30 s), the achieved rate, the most requests sent in one tenth of a second; the bookings'
outcomes; the load average of the machine before and after (the client runs on the same machine). The target:
p99 <= 100 ms and no error, for the production deployment.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.burst import DEFAULT_POSTGRES_URL, REPO, Deployment, configured_workers, production, serving
from benchmarks.databases import postgres_schema, schema_url
from benchmarks.load_world import WEIGHTS

TARGET_P99_MS = 100.0
KINDS = tuple(WEIGHTS)


def single_process() -> Deployment:
    """``nemt serve``: one uvicorn process, the settings' defaults."""
    return Deployment("baseline (nemt serve: one uvicorn process)",
                      (sys.executable, "-m", "nemt.cli", "serve", "--host", "127.0.0.1", "--port", "{port}"))


def profiled(out: Path) -> Deployment:
    """One uvicorn process under cProfile (:mod:`benchmarks.load_profile`), its profile written to ``out``."""
    return Deployment("profiled (one uvicorn process under cProfile)",
                      (sys.executable, "-m", "benchmarks.load_profile", "--port", "{port}", "--out", str(out)),
                      {"PYTHONPATH": str(REPO)})


def _percentile(values: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile (the smallest value with at least ``q`` of the values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)], 1)


def figures(answers: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Count, percentiles (ms), answers by status and the errors (answers other than 2xx; status 0: no answer) of
    ``answers`` ([kind, status, ms, sent at])."""
    ms = [float(a[2]) for a in answers]
    statuses = Counter(str(a[1]) for a in answers)
    errors = {status: n for status, n in statuses.items() if not 200 <= int(status) < 300}
    return {"requests": len(answers), "p50_ms": _percentile(ms, 0.50), "p95_ms": _percentile(ms, 0.95),
            "p99_ms": _percentile(ms, 0.99), "max_ms": round(max(ms), 1) if ms else None,
            "statuses": dict(sorted(statuses.items())), "errors": sum(errors.values()),
            "errors_by_status": dict(sorted(errors.items()))}


def report_of(client: dict[str, Any], duration: float) -> dict[str, Any]:
    """The figures of one run from the load client's answers."""
    answers = client["answers"]
    seconds = max(1e-9, client["ended"] - client["started"])
    tenths = Counter(int(10 * a[3]) for a in answers)
    return {"overall": figures(answers),
            "by_kind": {kind: figures([a for a in answers if a[0] == kind]) for kind in KINDS},
            "achieved_rate_per_s": round(len(answers) / seconds, 2), "seconds": round(seconds, 1),
            # How evenly the requests were sent: the most sent in one tenth of a second, beside the mean.
            "sent_per_tenth_second": {"mean": round(len(answers) / (10 * seconds), 2),
                                      "most": max(tenths.values(), default=0)},
            "users": client["users"], "booking_outcomes": client["booking_outcomes"]}


def met(result: dict[str, Any]) -> bool:
    overall = result["overall"]
    return overall["errors"] == 0 and overall["p99_ms"] is not None and overall["p99_ms"] <= TARGET_P99_MS


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu_seconds(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU seconds of each process still there."""
    import psutil

    found = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            found[pid] = times.user + times.system
        except psutil.Error:
            continue
    return found


def server_processes(port: int) -> list[int]:
    """The server listening on ``port`` (found by its command line) and its worker processes."""
    import psutil

    pids: list[int] = []
    for proc in psutil.process_iter(["cmdline"]):
        line = " ".join(proc.info["cmdline"] or [])
        if f"127.0.0.1:{port} " in line + " " or f"--port {port} " in line + " ":
            pids += [proc.pid] + [child.pid for child in proc.children(recursive=True)]
    return sorted(set(pids))


def database_processes(postgres_url: str, application_name: str) -> list[int]:
    """The PostgreSQL backends of the server's connections (named ``application_name``)."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        return [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                               (application_name,))]


class CpuMeter:
    """CPU seconds spent during the load by the server's processes, its database backends and the load client
    (a cost per request that depends far less on what else the machine runs than the latencies do)."""

    def __init__(self, port: int, postgres_url: str, application_name: str):
        self.port, self.postgres_url, self.application_name = port, postgres_url, application_name

    def _now(self) -> tuple[dict[int, float], dict[int, float], float, list[int] | None]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (_cpu_seconds(server_processes(self.port)),
                _cpu_seconds(database_processes(self.postgres_url, self.application_name)),
                children.ru_utime + children.ru_stime, machine_ticks())

    def start(self) -> None:
        self.before = self._now()

    def stop(self, requests: int) -> dict[str, float | None]:
        after = self._now()

        def spent(i: int) -> float:
            return sum(v - self.before[i].get(pid, 0.0) for pid, v in after[i].items())

        seconds = {"server": spent(0), "database": spent(1), "client": after[2] - self.before[2]}
        figures: dict[str, float | None] = {f"{name}_cpu_ms_per_request": round(1000 * s / requests, 2) if requests
                                            else None for name, s in seconds.items()}
        return {**figures, **machine_shares(self.before[3], after[3])}


def machine_ticks() -> list[int] | None:
    """The machine's CPU time so far by kind, in ticks (the ``cpu`` line of /proc/stat: user, nice, system, idle,
    iowait, irq, softirq, steal, …); None where there is no /proc/stat."""
    try:
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None


def machine_shares(before: list[int] | None, after: list[int] | None) -> dict[str, float | None]:
    """The share of the machine's CPU time during the load that was idle, and that the hypervisor took for other
    machines (steal): on a shared virtual machine the latencies of one run and the next differ with it."""
    if before is None or after is None or len(before) < 8 or len(after) < 8:
        return {"machine_idle_percent": None, "machine_steal_percent": None}
    spent = [b - a for a, b in zip(before[:8], after[:8], strict=True)]  # guest time (9th, 10th) is counted in user
    total = sum(spent) or 1
    return {"machine_idle_percent": round(100 * spent[3] / total, 1),
            "machine_steal_percent": round(100 * spent[7] / total, 1)}


def drive(base: str, plan_path: Path, out: Path, *, rate: float, duration: float, arrivals: str = "spread",
          seed: int | None = None) -> dict[str, Any]:
    """Run the load client against ``base``; its answers."""
    command = [sys.executable, "-m", "benchmarks.load_client", "--host", base, "--plan", str(plan_path),
               "--rate", str(rate), "--duration", str(duration), "--out", str(out), "--arrivals", arrivals]
    command += ["--seed", str(seed)] if seed is not None else []
    log = out.with_suffix(".log")
    with open(log, "w") as sink:
        done = subprocess.run(command, cwd=REPO, stdout=sink, stderr=subprocess.STDOUT, timeout=duration + 180)
    if done.returncode != 0:
        raise RuntimeError("the load client failed: " + log.read_text()[-3000:])
    return json.loads(out.read_text())


def run_deployment(deployment: Deployment, postgres_url: str, *, rate: float, duration: float, members: int,
                   agents: int, arrivals: str = "spread", seed: int | None = None) -> dict[str, Any]:
    """Build the world in a fresh schema, start ``deployment`` over it, drive the load; the figures."""
    from benchmarks.load_world import build
    from nemt.store.uow import uow_factory

    expected_bookings = rate * duration * WEIGHTS["book"] / sum(WEIGHTS.values())
    days = max(1, math.ceil(1.5 * expected_bookings / members))
    with postgres_schema(postgres_url, "load") as (engine, schema), \
            tempfile.TemporaryDirectory(prefix="nemt-load-") as tmp:
        plan = build(uow_factory(engine), members=members, agents=agents, days=days)
        engine.dispose()
        folder = Path(tmp)
        plan_path = folder / "plan.json"
        plan_path.write_text(json.dumps(plan.to_json()))
        application_name = f"nemt-{schema}"
        url = f"{schema_url(postgres_url, schema)}&application_name={application_name}"
        with serving(deployment, url, folder, extra_env={"NEMT_CLOCK_START": plan.start}) as base:
            meter = CpuMeter(int(base.rsplit(":", 1)[1]), postgres_url, application_name)
            before = load_average()
            meter.start()
            client = drive(base, plan_path, folder / "answers.json", rate=rate, duration=duration,
                           arrivals=arrivals, seed=seed)
            cpu = meter.stop(len(client["answers"]))
            after = load_average()
    return {"deployment": deployment.name, **report_of(client, duration), "cpu": cpu,
            "load_average_before": before, "load_average_after": after}


def run_benchmark(*, postgres_url: str = DEFAULT_POSTGRES_URL, rate: float = 50.0, duration: float = 300.0,
                  workers: int | None = None, members: int = 2000, agents: int = 20, with_baseline: bool = True,
                  profile: Path | None = None, arrivals: str = "spread") -> dict[str, Any]:
    """The production deployment and, side by side, the one-process baseline: the same load for each; with
    ``profile``, a third run of one process under cProfile, its profile written there (``.txt``: the top 40)."""
    report: dict[str, Any] = {
        "settings": {"rate_per_s": rate, "arrivals": arrivals, "duration_s": duration, "mix_percent": WEIGHTS,
                     "members": members,
                     "agents": agents, "workers": workers or configured_workers(), "cores": os.cpu_count(),
                     "target": {"p99_ms": TARGET_P99_MS, "errors": 0}}}
    deployments = [("production", production(workers))] + ([("baseline", single_process())] if with_baseline else [])
    deployments += [("profiled", profiled(profile.resolve()))] if profile is not None else []
    for key, deployment in deployments:
        report[key] = run_deployment(deployment, postgres_url, rate=rate, duration=duration, members=members,
                                     agents=agents, arrivals=arrivals)
    report["met"] = met(report["production"])
    return report
