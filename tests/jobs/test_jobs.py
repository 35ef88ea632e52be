"""Jobs without a broker (the in-process default of ``make run``): the plan of a day as a job, its record, and
idempotent submission — one job and one plan per program and day, however often it is submitted."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import select

from nemt import jobs
from nemt.jobs.runner import InProcess
from nemt.services.platform.errors import NotFound
from nemt.store.models import AuditEvent
from tests.conftest import database_url_of
from tests.dispatch.conftest import DAY
from tests.jobs.conftest import legs_served_once


def _run(make, runner: InProcess, **kwargs) -> jobs.JobView:
    job = jobs.submit_plan_day(make, "CO", kwargs.pop("day", DAY), time_limit=2, to=runner, **kwargs)
    for thread in runner.threads:
        thread.join(timeout=120)
    return job


def test_a_plan_day_job_plans_the_day_and_keeps_its_result(day_to_plan):
    runner = InProcess(day_to_plan)
    queued = _run(day_to_plan, runner)
    assert queued.key == "plan-day:CO:2026-11-24" and queued.state == "queued"
    job = jobs.status(day_to_plan, queued.key)
    assert job.state == "done" and job.progress == 100 and job.attempts == 1 and job.error is None
    assert job.result is not None and job.result["verified"] is True
    assert job.result["assigned"] == 24 and job.result["unassigned"] == 0
    assert legs_served_once(day_to_plan) == 24
    with day_to_plan() as uow:  # the audit trail says a job planned the day
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule"))
        assert (event.channel, event.endpoint, event.username) == ("job", "plan-day", "jobs")


def test_submitting_twice_gives_one_job_and_one_plan(day_to_plan):
    runner = InProcess(day_to_plan)
    first = _run(day_to_plan, runner)
    second = _run(day_to_plan, runner)
    assert second.key == first.key and second.state == "done"
    assert len(runner.threads) == 1, "the second submission found the job and queued nothing"
    assert jobs.status(day_to_plan, first.key).attempts == 1
    # Asked for on purpose, the day is planned again: the same legs re-planned, none added twice.
    again = _run(day_to_plan, runner, again=True)
    assert again.state == "queued" and len(runner.threads) == 2
    assert jobs.status(day_to_plan, first.key).attempts == 2
    assert legs_served_once(day_to_plan) == 24


def test_a_duplicate_delivery_of_a_finished_job_does_nothing(day_to_plan):
    job = _run(day_to_plan, InProcess(day_to_plan))
    jobs.execute(day_to_plan, job.key)  # the broker handing the same key over once more
    assert jobs.status(day_to_plan, job.key).attempts == 1


def test_concurrent_submissions_queue_the_job_once(day_to_plan, db):
    if db.dialect.name != "postgresql":
        pytest.skip("races are tested on PostgreSQL (SQLite has one writer)")
    sent: list[str] = []

    class Recorder:
        def send(self, key: str) -> None:
            sent.append(key)

    barrier = threading.Barrier(4, timeout=30)
    outcomes: list[str] = []

    def submit() -> None:
        barrier.wait()
        try:
            outcomes.append(jobs.submit_plan_day(day_to_plan, "CO", DAY, time_limit=2, to=Recorder()).key)
        except Exception as exc:  # noqa: BLE001 - anything else would be a 500 to a user
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert outcomes == ["plan-day:CO:2026-11-24"] * 4 and sent == ["plan-day:CO:2026-11-24"]


def test_a_failed_job_says_why_and_can_be_submitted_again(day_to_plan):
    runner = InProcess(day_to_plan)
    past = dt.date(2026, 11, 2)
    job = _run(day_to_plan, runner, day=past)
    failed = jobs.status(day_to_plan, job.key)
    assert failed.state == "failed" and "the day is over" in (failed.error or "")
    assert _run(day_to_plan, runner, day=past).state == "queued"  # queued again: a failure is not final


def test_unknown_program_and_key_are_refused(day_to_plan):
    from nemt.services.platform.errors import InvalidInput, NotFound

    with pytest.raises(InvalidInput) as bad:
        jobs.submit_plan_day(day_to_plan, "ZZ", DAY, to=InProcess(day_to_plan))
    assert bad.value.field == "program"
    with pytest.raises(NotFound):
        jobs.status(day_to_plan, "plan-day:CO:1999-01-01")


def test_the_command_runs_a_job_in_process_without_a_broker(day_to_plan, db):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMT_JOBS_")}
    env["NEMT_DATABASE_URL"] = database_url_of(db)

    def nemt(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nemt.cli", "jobs", *args], env=env, capture_output=True,
                              text=True, timeout=180)

    done = nemt("submit", "plan-day", "--program", "CO", "--date", DAY.isoformat(), "--time-limit", "2")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["state"] == "done"
    status = nemt("status", "plan-day:CO:2026-11-24")
    assert status.returncode == 0 and json.loads(status.stdout)["result"]["assigned"] == 24
    unknown = nemt("status", "plan-day:CO:1999-01-01")
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: key: no job has this key")
    no_broker = nemt("worker")
    assert no_broker.returncode == 2 and "NEMT_JOBS_BROKER" in no_broker.stderr


def test_a_job_left_running_by_a_dead_process_runs_again_when_asked(day_to_plan):
    from nemt.jobs import records

    runner = InProcess(day_to_plan)
    jobs.submit_plan_day(day_to_plan, "CO", DAY, time_limit=2, to=type("Lost", (), {"send": lambda self, key: None})())
    records.claim(day_to_plan, "plan-day:CO:2026-11-24")  # a process claimed it and died: no broker hands it on
    assert _run(day_to_plan, runner).state == "running" and runner.threads == []  # submitted again: found, not sent
    _run(day_to_plan, runner, again=True)
    job = jobs.status(day_to_plan, "plan-day:CO:2026-11-24")
    assert job.state == "done" and job.attempts == 2
    assert legs_served_once(day_to_plan) == 24


def test_a_stalled_job_is_shown_failed_and_queued_again_when_submitted(day_to_plan):
    from nemt import clock
    from nemt.jobs import records

    jobs.submit_plan_day(day_to_plan, "CO", DAY, time_limit=2, to=type("Lost", (), {"send": lambda self, key: None})())
    records.claim(day_to_plan, "plan-day:CO:2026-11-24")  # a process claimed it and died: no broker hands it on
    with day_to_plan() as uow:
        job = uow.jobs.by_key("plan-day:CO:2026-11-24")
        job.updated_at = clock.now() - dt.timedelta(seconds=records.STALLED_AFTER + 10)
        uow.commit()
    stalled = jobs.status(day_to_plan, "plan-day:CO:2026-11-24")
    assert stalled.state == "failed" and stalled.rule == "job stalled" and "schedule again" in (stalled.error or "")
    runner = InProcess(day_to_plan)
    assert _run(day_to_plan, runner).state == "queued" and len(runner.threads) == 1  # not joined: queued again
    assert jobs.status(day_to_plan, "plan-day:CO:2026-11-24").state == "done"


def test_one_bound_for_the_optimizer_time_refused_alike_everywhere(day_to_plan, client, token_for):
    from nemt.services.dispatch.schedule import MAX_TIME_LIMIT
    from nemt.services.platform.errors import InvalidInput
    from tests.web.helpers import sign_in

    too_long = MAX_TIME_LIMIT + 1
    with pytest.raises(InvalidInput) as refused:
        jobs.submit_plan_day(day_to_plan, "CO", DAY, time_limit=too_long, to=InProcess(day_to_plan))
    assert (refused.value.field, refused.value.rule) == ("time_limit", "optimizer time limit")
    headers = token_for("dispatcher")
    for path in ("/api/v1/dispatch/schedule-jobs", "/api/v1/dispatch/schedule"):
        r = client.post(path, json={"program": "CO", "date": DAY.isoformat(), "time_limit": too_long},
                        headers=headers)
        assert r.status_code == 422 and r.json()["rule"] == "optimizer time limit", r.text
    token = sign_in(client, "dispatcher")
    page = client.post("/dispatch/schedule-job", data={"csrf_token": token, "day": DAY.isoformat(),
                                                       "seconds": str(too_long)}, follow_redirects=False)
    assert page.status_code == 422 and f"at most {MAX_TIME_LIMIT:g} seconds" in page.text
    with pytest.raises(NotFound):
        jobs.status(day_to_plan, "plan-day:CO:2026-11-24")  # nothing was queued
