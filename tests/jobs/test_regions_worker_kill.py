"""A worker killed mid-region-solve (issue 18, items 1 and 2): real ``nemt jobs worker`` processes on the local broker
and the local PostgreSQL; the worker solving a region is killed with SIGKILL, the broker hands the region job to the
other worker, the last region submits the stitch, and the day completes: every request served once, verified whole."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from benchmarks.insertion import _day
from nemt import geo, jobs
from nemt.jobs import records, region_jobs
from tests.jobs.test_regions_jobs import served_once

pytestmark = pytest.mark.slow  # its outcome does not hang on the date: run once, not under the moved clock

REGION_SECONDS = 5.0
WAIT_SECONDS = 90.0


@pytest.fixture
def metro_day():
    instance, _homes, _clinics = _day(random.Random(11), 60, geo.default_engine())
    return instance


def _wait_for(make, until, what: str):
    for _ in range(int(WAIT_SECONDS / 0.2)):
        found = until()
        if found:
            return found
        time.sleep(0.2)  # not a timed Event.wait: that hangs under a moved clock (libfaketime)
    raise AssertionError(f"{what} after {WAIT_SECONDS:.0f} s")


def _solving(make, day: str):
    """The region job being solved now (running, its solver started), if any."""
    for label in ("c1", "c2", "s1"):
        try:
            job = records.status(make, region_jobs.region_key(day, label))
        except Exception:  # noqa: BLE001 - not submitted yet
            continue
        if job.state == "running" and job.progress >= 10 and job.worker:
            return job
    return None


def test_a_worker_killed_mid_region_solve_leaves_the_region_to_another_worker(uow_factory, db, broker, start_worker,
                                                                              metro_day):
    if db.dialect.name != "postgresql":
        pytest.skip("workers on several processes are tested on PostgreSQL, the production database")
    url, queue = broker
    workers = {w.pid: w for w in (start_worker(), start_worker())}
    job = region_jobs.submit_solve_day(uow_factory, "metro-kill", metro_day, regions=2, time_limit=REGION_SECONDS,
                                       to=jobs.dispatcher(uow_factory, url, queue))
    running = _wait_for(uow_factory, lambda: _solving(uow_factory, "metro-kill"), "no region started")
    victim = int(running.worker.rsplit(":", 1)[1])
    assert victim in workers, "the region runs in one of the test's workers"
    os.killpg(victim, signal.SIGKILL)  # mid-solve: nothing of the region's plan has been kept
    workers[victim].wait(timeout=10)

    parent = _wait_for(uow_factory, lambda: (j := records.status(uow_factory, job.key)).finished and j,
                       "the day is not finished after the kill")
    assert parent.state == "done", parent.error
    assert parent.result["verified"] is True and parent.result["served"] == 60
    again = records.status(uow_factory, running.key)
    assert again.state == "done" and again.attempts == 2 and not again.worker.endswith(f":{victim}")
    instance, plan = region_jobs.day_plan(uow_factory, "metro-kill")
    assert served_once(instance, plan) == 60
    with uow_factory() as uow:
        # one plan per region (two clusters and the stretcher vans'), however often solved
        assert len(uow.regions.region_plans("metro-kill")) == 3
    survivor = next(w for pid, w in workers.items() if pid != victim)
    assert survivor.poll() is None, "the other worker is still serving"
