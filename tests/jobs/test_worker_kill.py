"""A worker killed mid-job (issue 18, item 2): real ``nemt jobs worker`` processes on the local broker and the
local PostgreSQL; the worker running the day's plan is killed with SIGKILL mid-solve, the broker hands the job to
the other worker, and the day completes with every leg served once, by a plan the independent checker verified."""

from __future__ import annotations

import os
import signal
import time

import pytest

from nemt import jobs
from tests.dispatch.conftest import DAY
from tests.jobs.conftest import legs_served_once

# Slow, and its outcome does not hang on the date: run once, not again under the moved clock (Makefile).
pytestmark = pytest.mark.slow

#: Long enough that the kill lands while the optimizer runs (the job then takes about this long again).
SOLVE_SECONDS = 6.0
WAIT_SECONDS = 60.0


def _wait_for(make, key: str, until, what: str) -> jobs.JobView:
    for _ in range(int(WAIT_SECONDS / 0.2)):
        job = jobs.status(make, key)
        if until(job):
            return job
        time.sleep(0.2)  # not a timed Event.wait: that hangs under a moved clock (libfaketime)
    raise AssertionError(f"{what}: the job is still {job.state} ({job.message}) after {WAIT_SECONDS:.0f} s")


def test_a_worker_killed_mid_job_leaves_the_day_to_another_worker(day_to_plan, db, broker, start_worker):
    if db.dialect.name != "postgresql":
        pytest.skip("workers on several processes are tested on PostgreSQL, the production database")
    url, queue = broker
    workers = {w.pid: w for w in (start_worker(), start_worker())}
    job = jobs.submit_plan_day(day_to_plan, "CO", DAY, time_limit=SOLVE_SECONDS,
                               to=jobs.dispatcher(day_to_plan, url, queue))
    running = _wait_for(day_to_plan, job.key, lambda j: j.state != "queued" and j.progress >= 10, "never started")
    assert running.state == "running" and running.worker is not None
    victim = int(running.worker.rsplit(":", 1)[1])
    assert victim in workers, "the job runs in one of the test's workers"
    os.killpg(victim, signal.SIGKILL)  # mid-solve: nothing of its plan has been written
    workers[victim].wait(timeout=10)

    done = _wait_for(day_to_plan, job.key, lambda j: j.finished, "not finished after the kill")
    assert done.state == "done", done.error
    assert done.attempts == 2 and done.worker is not None and not done.worker.endswith(f":{victim}")
    assert done.result is not None and done.result["verified"] is True and done.result["unassigned"] == 0
    assert legs_served_once(day_to_plan) == 24
    survivor = next(w for pid, w in workers.items() if pid != victim)
    assert survivor.poll() is None, "the other worker is still serving"
