"""Fixtures of the job tests: a demo day of rides to plan (the dispatch tests' day), the local broker, and real
``nemt jobs worker`` processes on a queue of the test's own."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from benchmarks.burst import stop_process_group
from nemt import clock
from nemt.jobs import records
from nemt.store.models import Leg, VehicleRun
from tests.conftest import database_url_of, require_or_skip
from tests.dispatch.conftest import DAY, seed_day

BROKER = os.environ.get("NEMT_TEST_JOBS_BROKER", "amqp://guest:guest@127.0.0.1:5672/")
WAIT_SECONDS = 120.0


@pytest.fixture(autouse=True)
def jobs_threads_joined():
    """The in-process jobs' threads (region, stitch and other follow-on jobs run in threads of their own) end before
    the next test."""
    yield
    for thread in threading.enumerate():
        if thread.name.startswith("job "):
            thread.join(timeout=WAIT_SECONDS)


def wait_done(make, key: str, seconds: float = WAIT_SECONDS) -> records.JobView:
    """The job ``key`` once finished (done or failed); fails the test if it is still running after ``seconds``."""
    for _ in range(int(seconds / 0.1)):
        job = records.status(make, key)
        if job.finished:
            return job
        time.sleep(0.1)  # not a timed Event.wait: that hangs under a moved clock (libfaketime)
    raise AssertionError(f"{key} is still {job.state} ({job.message})")


@pytest.fixture
def day_to_plan(demo):
    """Twelve members' round trips to one clinic in the Denver metro on ``DAY`` (24 legs)."""
    return seed_day(demo, 12)


def legs_served_once(make) -> int:
    """Every leg of the day is on exactly one vehicle's run, picked up and dropped off once, on the vehicle the leg
    names; returns the number of legs."""
    with make() as uow:
        legs = {leg.key: (leg.vehicle_id, leg.status)
                for leg in uow.session.scalars(select(Leg).where(Leg.service_date == DAY))}
        stops: Counter[tuple[str, str]] = Counter()
        vehicle_of: dict[str, int] = {}
        for run in uow.session.scalars(select(VehicleRun).where(VehicleRun.service_date == DAY)):
            for stop in run.plan.get("stops", []):
                stops[stop["leg"], stop["kind"]] += 1
                vehicle_of[stop["leg"]] = run.vehicle_id
    kinds = {kind for _leg, kind in stops}
    assert len(kinds) == 2, kinds  # pick-up and drop-off
    for key, (vehicle_id, status) in legs.items():
        assert [stops[key, kind] for kind in sorted(kinds)] == [1, 1], f"leg {key} is not on exactly one run once"
        assert vehicle_id == vehicle_of[key] and status == "assigned"
    assert set(vehicle_of) == set(legs)
    return len(legs)


def _broker_reachable() -> str | None:
    parts = urlsplit(BROKER)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=2):
            return None
    except OSError as exc:
        return str(exc)


@pytest.fixture
def broker() -> tuple[str, str]:
    """(the local broker's URL, a queue of this test's own — a suite run elsewhere on the same broker is not
    disturbed); skipped when the broker is not reachable, failed when CI=true (as the PostgreSQL fixture does)."""
    require_or_skip(_broker_reachable(), f"the job broker at {BROKER} is not reachable")
    return BROKER, f"nemt-test-{os.getpid()}-{secrets.token_hex(4)}"


@pytest.fixture
def start_worker(db, broker) -> Iterator:
    """``start_worker()`` starts a ``nemt jobs worker`` process on the test's database and queue (its own process
    group, so the test can kill it whole); every worker still alive is stopped at the end."""
    url, queue = broker
    env = {**os.environ, "NEMT_DATABASE_URL": database_url_of(db), "NEMT_JOBS_BROKER": url, "NEMT_JOBS_QUEUE": queue}
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        # The worker's clock is ours (pinned: however long the worker takes to start): the
        # times it writes and the times this process compares them with (a job stalled?) must agree.
        env["NEMT_CLOCK_START"] = clock.for_child()
        process = subprocess.Popen([sys.executable, "-m", "nemt.cli", "jobs", "worker"], env=env,
                                   start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(process)
        return process

    yield start
    for process in started:
        stop_process_group(process, grace=20)
