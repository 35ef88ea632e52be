"""A program's real day planned by regions on the queue (issue 18, item 1), without a broker (in-process, as
``make run``), on SQLite and PostgreSQL: the plan-day job reads the day from the database as ``schedule_day`` does,
the region jobs solve it, and the stitch job writes the stitched, checker-verified plan to the day's runs — every leg
on at most one vehicle, once; a second submission plans nothing twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nemt import clock, jobs
from nemt.jobs import records, region_jobs
from nemt.jobs.region_day import day_key
from nemt.jobs.runner import InProcess, execute
from nemt.services.dispatch.live import load_live_day
from nemt.store.models import AuditEvent, VehicleRun
from tests.dispatch.conftest import DAY
from tests.jobs.conftest import legs_served_once, wait_done

PLAN_KEY = "plan-day:CO:2026-11-24"




def _plan(make, **kwargs) -> records.JobView:
    jobs.submit_plan_day(make, "CO", DAY, time_limit=1, regions=2, to=InProcess(make), **kwargs)
    return wait_done(make, PLAN_KEY)


def _runs_checked(make) -> int:
    """The checker passes on what the runs hold: the day read back from the store, each run driven in its stored
    order, no leg dropped and nothing but unserved legs reported. Returns the legs on runs."""
    from nemt.scheduling import check_solution
    from nemt.scheduling.checker import ViolationKind
    from nemt.scheduling.live import LiveRoutes

    with make() as uow:
        live = load_live_day(uow, "CO", DAY, clock.now())
    routes = LiveRoutes(live.model.instance, live.order)
    assert routes.dropped == [], "a run the checker's instance cannot drive as stored"
    report = check_solution(live.model.instance, routes.solution())
    assert report.only(ViolationKind.UNSERVED), report.messages[:3]
    return len(routes.served())


def _versions(make) -> dict[int, int]:
    with make() as uow:
        return {run.vehicle_id: run.version for run in uow.session.scalars(
            select(VehicleRun).where(VehicleRun.service_date == DAY))}


def test_a_program_day_planned_by_regions_is_written_to_its_runs(day_to_plan):
    job = _plan(day_to_plan)
    assert job.state == "done" and job.error is None and job.progress == 100, job.error
    result = job.result
    assert result is not None and result["verified"] is True and result["regions"] == 2
    assert result["assigned"] == 24 and result["unassigned"] == 0 and result["solved_by"] == "solve-day:CO:2026-11-24"
    assert jobs.schedule_result(result).assigned == 24  # the board reads it as a plan-day's result
    assert legs_served_once(day_to_plan) == 24
    assert _runs_checked(day_to_plan) == 24
    solve = records.status(day_to_plan, region_jobs.day_key(day_key("CO", DAY)))
    assert solve.state == "done" and solve.result["verified"] is True and solve.result["served"] == 24
    for label in ("c1", "c2"):
        assert wait_done(day_to_plan, region_jobs.region_key("CO:2026-11-24", label)).state == "done"
    with day_to_plan() as uow:  # written by a job, audited as schedule_day's write is
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule"))
        assert (event.channel, event.username) == ("job", "jobs")


def test_a_second_submission_plans_nothing_twice(day_to_plan):
    first = _plan(day_to_plan)
    assert first.state == "done", first.error
    versions = _versions(day_to_plan)
    runner = InProcess(day_to_plan)  # submitted again: the done job is found, nothing is queued
    again = jobs.submit_plan_day(day_to_plan, "CO", DAY, time_limit=1, regions=2, to=runner)
    assert again.state == "done" and runner.threads == [] and _versions(day_to_plan) == versions
    # The stitch job run again (a duplicate delivery after its write): the plan-day job is done, nothing is written.
    records.submit(day_to_plan, region_jobs.stitch_key("CO:2026-11-24"), "stitch-day", {"day": "CO:2026-11-24"},
                   "test", again=True)
    execute(day_to_plan, region_jobs.stitch_key("CO:2026-11-24"))
    assert _versions(day_to_plan) == versions and records.status(day_to_plan, PLAN_KEY).result == first.result
    # Re-planned on purpose (the dispatcher's "schedule the day" again): the same legs, each once.
    replanned = _plan(day_to_plan, rerun_done=True)
    assert replanned.state == "done" and replanned.result["assigned"] == 24, replanned.error
    assert legs_served_once(day_to_plan) == 24 and _runs_checked(day_to_plan) == 24
    with day_to_plan() as uow:
        writes = uow.session.scalar(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.action == "schedule"))
    assert writes == 2


def test_a_day_with_nothing_to_plan_is_answered_at_once(demo):
    job = jobs.submit_plan_day(demo, "CO", DAY, time_limit=1, regions=2, to=InProcess(demo))
    done = wait_done(demo, job.key)
    assert done.state == "done" and done.result["assigned"] == 0 and done.result["verified"] is True
    with pytest.raises(Exception, match="no job has this key"):
        records.status(demo, region_jobs.day_key(day_key("CO", DAY)))


def test_regions_are_asked_for_by_the_api_and_refused_out_of_bounds(day_to_plan, client, token_for):
    headers = token_for("dispatcher")
    body = {"program": "CO", "date": DAY.isoformat(), "time_limit": 1}
    bad = client.post("/api/v1/dispatch/schedule-jobs", json=body | {"regions": 0}, headers=headers)
    assert bad.status_code == 422, bad.text
    r = client.post("/api/v1/dispatch/schedule-jobs", json=body | {"regions": 2}, headers=headers)
    assert r.status_code == 202 and r.json()["job"] == PLAN_KEY, r.text
    done = wait_done(day_to_plan, PLAN_KEY)
    assert done.state == "done" and done.params["regions"] == 2 and done.result["assigned"] == 24, done.error
    shown = client.get(r.json()["status"], headers=headers).json()
    assert shown["state"] == "done" and shown["result"]["regions"] == 2


def test_the_dispatch_command_plans_by_regions_in_process(day_to_plan, db):
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import database_url_of

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMT_JOBS_")}
    env["NEMT_DATABASE_URL"] = database_url_of(db)
    env["NEMT_CLOCK_START"] = clock.for_child()  # the command's clock is the test's
    done = subprocess.run([sys.executable, "-m", "nemt.cli", "dispatch", "schedule", "--date", DAY.isoformat(),
                           "--regions", "2", "--time-limit", "1"], env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["regions"] == 2 and result["assigned"] == 24 and result["verified"] is True
    assert "in 2 regions on the workers" in done.stderr  # the steps, printed as they go
    assert legs_served_once(day_to_plan) == 24


def test_the_board_schedules_the_day_by_regions(day_to_plan, client):
    from urllib.parse import quote

    from tests.web.helpers import sign_in

    csrf = sign_in(client, "dispatcher")
    board = client.get(f"/dispatch?day={DAY.isoformat()}")
    assert '<select id="regions" name="regions">' in board.text
    r = client.post("/dispatch/schedule-job", data={"csrf_token": csrf, "day": DAY.isoformat(), "seconds": "1",
                                                    "regions": "2"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"&job={quote(PLAN_KEY, safe='')}"), r.text
    done = wait_done(day_to_plan, PLAN_KEY)
    assert done.state == "done" and done.params["regions"] == 2, done.error
    shown = client.get(r.headers["location"])
    assert shown.status_code == 200 and "Scheduled: 24 legs on" in shown.text
    assert "verified by the independent checker" in shown.text
