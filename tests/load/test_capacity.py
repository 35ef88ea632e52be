"""Capacity in one process (issue 14): admission control lets K requests in, queues a few, refuses the rest at once
with a 503 naming the rule; a database too busy to answer in time is a 503, not a 500; ``/health`` answers without
waiting behind the requests and says so when the database does not answer. The burst against a real multi-process
server is ``test_burst.py``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
from anyio.abc import TaskGroup
from sqlalchemy import text

from nemt.http.capacity import AdmissionControl
from nemt.settings import Settings
from tests.conftest import database_url_of

PROBLEM = "application/problem+json"


# --- admission control, around a test application whose requests wait until the test lets them finish ----------


class HeldApp:
    """An ASGI application whose requests wait until ``release`` is set; counts the requests it saw."""

    def __init__(self) -> None:
        self.release = anyio.Event()
        self.entered = 0

    async def __call__(self, scope, receive, send) -> None:
        self.entered += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"done"})


async def _until(condition) -> None:
    with anyio.fail_after(10):
        while not condition():
            await anyio.sleep(0.001)


def _run(test) -> None:
    anyio.run(test)


@asynccontextmanager
async def _gated(*, max_in_flight: int, max_queued: int,
                 queue_wait: float) -> AsyncIterator[tuple[HeldApp, AdmissionControl, httpx.AsyncClient, TaskGroup]]:
    """A held application behind admission control with these limits, a client of it, and a task group for the
    requests that wait: the group is left only when they all have their answers, so a test releases the held requests
    (``held.release.set()``) before its block ends."""
    held = HeldApp()
    gate = AdmissionControl(held, max_in_flight=max_in_flight, max_queued=max_queued, queue_wait=queue_wait)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate), base_url="http://app") as client:
        async with anyio.create_task_group() as tg:
            yield held, gate, client, tg


def test_requests_beyond_the_queue_are_refused_at_once_with_503_naming_the_rule():
    async def scenario():
        answers: dict[str, httpx.Response] = {}
        async with _gated(max_in_flight=1, max_queued=1, queue_wait=60) as (held, gate, client, tg):

            async def get(name: str, path: str) -> None:
                answers[name] = await client.get(path)

            tg.start_soon(get, "first", "/api/v1/me")
            await _until(lambda: held.entered == 1)
            tg.start_soon(get, "queued", "/api/v1/me")
            await _until(lambda: gate.waiting == 1)
            refused = await client.get("/api/v1/rides")  # one in progress, one waiting: no room
            page = await client.get("/members/search")
            assert refused.status_code == 503 and page.status_code == 503
            assert held.entered == 1
            held.release.set()
        assert refused.headers["content-type"].startswith(PROBLEM)
        assert int(refused.headers["retry-after"]) >= 1
        problem = refused.json()
        assert problem["status"] == 503 and "admission control" in problem["rule"]
        assert "at most 1 requests in progress and 1 waiting" in problem["rule"]
        assert page.headers["content-type"].startswith("text/html") and "retry-after" in page.headers
        assert answers["first"].status_code == 200 and answers["queued"].status_code == 200
        assert gate.in_flight == 0 and gate.waiting == 0

    _run(scenario)


def test_a_request_whose_turn_does_not_come_in_time_is_refused():
    async def scenario():
        async with _gated(max_in_flight=1, max_queued=10, queue_wait=0.05) as (held, gate, client, tg):
            tg.start_soon(client.get, "/api/v1/me")
            await _until(lambda: held.entered == 1)
            late = await client.get("/api/v1/me")
            assert late.status_code == 503 and "admission control" in late.json()["rule"]
            assert gate.waiting == 0  # it left the queue
            held.release.set()
        assert held.entered == 1

    _run(scenario)


def test_health_and_static_files_are_never_queued():
    async def scenario():
        async with _gated(max_in_flight=1, max_queued=0, queue_wait=60) as (held, _gate, client, tg):
            tg.start_soon(client.get, "/api/v1/me")
            await _until(lambda: held.entered == 1)
            assert (await client.get("/api/v1/me")).status_code == 503  # full, no queue
            tg.start_soon(client.get, "/health")
            tg.start_soon(client.get, "/static/app.css")
            await _until(lambda: held.entered == 3)  # both reached the application past a full gate
            held.release.set()

    _run(scenario)


def test_no_admission_control_when_turned_off():
    async def scenario():
        async with _gated(max_in_flight=0, max_queued=0, queue_wait=0) as (held, _gate, client, tg):
            for _ in range(5):
                tg.start_soon(client.get, "/api/v1/me")
            await _until(lambda: held.entered == 5)
            held.release.set()

    _run(scenario)


# --- settings ------------------------------------------------------------------------------------------------------


def test_admission_beyond_the_connection_pool_is_refused_at_start():
    with pytest.raises(ValueError, match="NEMT_MAX_IN_FLIGHT"):
        Settings.from_environ({"NEMT_MAX_IN_FLIGHT": "21", "NEMT_DB_POOL_SIZE": "10", "NEMT_DB_MAX_OVERFLOW": "10"})
    with pytest.raises(ValueError, match="NEMT_QUEUE_WAIT"):
        Settings.from_environ({"NEMT_QUEUE_WAIT": "soon"})
    settings = Settings.from_environ({"NEMT_MAX_IN_FLIGHT": "0", "NEMT_DB_STATEMENT_TIMEOUT": "0.25"})
    assert settings.max_in_flight == 0 and settings.db_statement_timeout == 0.25


# --- the real application over the test database, with a pool of one connection --------------------------------


@pytest.fixture
def small_pool(db, settings_env):
    """Settings with a pool of one connection and short timeouts, and an application over ``db`` built with them;
    yields ``(client, engine)``. The suite's settings come back afterwards (``settings_env``)."""
    from fastapi.testclient import TestClient

    from nemt.http.app import create_app
    from nemt.store.database import make_engine

    # A pool timeout of 0: no wait at all (a timed lock wait never ends under the suite's moved clock, libfaketime).
    settings_env(NEMT_DB_POOL_SIZE="1", NEMT_DB_MAX_OVERFLOW="0", NEMT_DB_POOL_TIMEOUT="0", NEMT_MAX_IN_FLIGHT="1",
                 NEMT_HEALTH_TIMEOUT="1", NEMT_DB_STATEMENT_TIMEOUT="0.5")
    engine = make_engine(database_url_of(db))
    try:
        with TestClient(create_app(engine, secret_key="test-secret")) as client:
            yield client, engine
    finally:
        engine.dispose()


def test_no_free_connection_in_time_is_a_503_and_health_says_so(small_pool, token_for):
    client, engine = small_pool
    agent = token_for("agent")
    assert client.get("/api/v1/me", headers=agent).status_code == 200
    with engine.connect() as held:  # the pool's only connection
        held.execute(text("SELECT 1"))
        r = client.get("/api/v1/me", headers=agent)
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith(PROBLEM) and "retry-after" in r.headers
        assert "database capacity" in r.json()["rule"]
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable" and "no answer" in health.json()["database"]
    # The connection is back: everything answers again.
    assert client.get("/api/v1/me", headers=agent).status_code == 200
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["database"] == engine.dialect.name


def test_a_statement_past_its_timeout_is_a_503(small_pool, token_for, db):
    client, engine = small_pool
    if engine.dialect.name != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's (SQLite has its own busy timeout)")
    with engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "500ms"
        assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() == "2min"
    agent = token_for("agent")
    with db.connect() as locker:  # another session holds the users table: the token check's read waits
        locker.execute(text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
        r = client.get("/api/v1/me", headers=agent)
        locker.rollback()
    assert r.status_code == 503, r.text
    assert "database capacity" in r.json()["rule"]
    assert client.get("/api/v1/me", headers=agent).status_code == 200
