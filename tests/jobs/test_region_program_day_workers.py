"""A program's day planned by regions on real workers (issue 18, item 1): two ``nemt jobs worker`` processes on the
local broker and PostgreSQL plan the seeded demo day by regions; the worker solving a region is killed with SIGKILL,
the other finishes the day, and the stitched plan is on the day's runs — every leg on exactly one run, once, and the
checker passes on what the runs hold."""

from __future__ import annotations

import os
import signal

import pytest

from nemt import jobs
from nemt.jobs import records
from tests.dispatch.conftest import DAY
from tests.jobs.conftest import legs_served_once
from tests.jobs.test_region_program_day import PLAN_KEY, _runs_checked
from tests.jobs.test_regions_worker_kill import _solving, _wait_for

pytestmark = pytest.mark.slow  # its outcome does not hang on the date: run once, not under the moved clock

REGION_SECONDS = 4.0


def test_a_program_day_planned_by_regions_on_workers_survives_a_killed_worker(day_to_plan, db, broker,
                                                                              start_worker):
    if db.dialect.name != "postgresql":
        pytest.skip("workers on several processes are tested on PostgreSQL, the production database")
    url, queue = broker
    workers = {w.pid: w for w in (start_worker(), start_worker())}
    jobs.submit_plan_day(day_to_plan, "CO", DAY, time_limit=REGION_SECONDS, regions=2,
                         to=jobs.dispatcher(day_to_plan, url, queue))
    running = _wait_for(day_to_plan, lambda: _solving(day_to_plan, "CO:2026-11-24"), "no region started")
    victim = int(running.worker.rsplit(":", 1)[1])
    assert victim in workers, "the region runs in one of the test's workers"
    os.killpg(victim, signal.SIGKILL)  # mid-solve: nothing of the region's plan has been kept
    workers[victim].wait(timeout=10)

    plan = _wait_for(day_to_plan, lambda: (j := records.status(day_to_plan, PLAN_KEY)).finished and j,
                     "the day is not planned after the kill")
    assert plan.state == "done", plan.error
    assert plan.result["verified"] is True and plan.result["assigned"] == 24 and plan.result["regions"] == 2
    again = records.status(day_to_plan, running.key)
    assert again.state == "done" and again.attempts == 2 and not again.worker.endswith(f":{victim}")
    assert legs_served_once(day_to_plan) == 24
    assert _runs_checked(day_to_plan) == 24
