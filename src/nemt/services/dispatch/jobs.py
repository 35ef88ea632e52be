"""Long dispatch actions with progress: scheduling (or re-planning) a day runs in a background thread of the server
process, and a ``DispatchJob`` row says how far it is — state, percent and what it is doing in words — for the page
to poll and the CLI to print.

The row, not the thread, is the truth: any server process can answer a poll. While the optimizer runs (it stops at
its time limit, wall clock) the percent is the share of that limit spent, computed when read, so the search is never
slowed by progress writes. Each progress write is its own short transaction, apart from the schedule's own (which
commits only the verified plan).

The record's columns are a subset of ``nemt.jobs``'s job record (``store/job_models.Job``): when the task queue
lands, :func:`run_schedule_job` is the body of its ``plan-day`` task and these rows move to its table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nemt import clock
from nemt.domain.actors import Actor
from nemt.services.dispatch.schedule import OPTIMIZED, OPTIMIZING, ScheduleResult, schedule_day
from nemt.services.platform import permissions
from nemt.services.platform.errors import InvalidInput, NotFound, ServiceError
from nemt.services.platform.permissions import Action
from nemt.store.models import DispatchJob

if TYPE_CHECKING:
    from nemt.store.uow import UnitOfWork

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = (DONE, FAILED)
#: Seconds past its time limit a job may go without a progress write before it is reported as stalled (its server
#: process stopped): loading, checking and explaining a large day take well under this.
STALLED_AFTER = 300.0


@dataclass(frozen=True)
class JobStatus:
    key: str
    kind: str
    day: dt.date
    state: str
    percent: int
    message: str
    result: ScheduleResult | None = None
    error: str | None = None
    rule: str = ""

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


def start_schedule(uow: UnitOfWork, actor: Actor, program: str, day: dt.date, *,
                   uow_factory: Callable[[], UnitOfWork], time_limit: float = 5.0, background: bool = True) -> str:
    """Queue the scheduling of ``day`` and start it in a background thread (``background=False``: run it now, as a
    test or a worker does); returns the job's key to poll."""
    permissions.require(actor, Action.DISPATCH)
    if not actor.sees_program(program):
        raise NotFound("no such program for this user", field="program", rule="organization-based access")
    if not 0 < time_limit <= 60:
        raise InvalidInput("the optimizer may search between 0 and 60 seconds", field="time_limit",
                           rule="optimizer time limit")
    now = clock.now()
    job = uow.live_day.add_job(DispatchJob(kind="schedule", program=program, day=day,
                                           params={"time_limit": time_limit}, state=QUEUED, progress=0,
                                           message="waiting to start", requested_by=actor.user_id, created_at=now,
                                           updated_at=now))
    key = job.key
    uow.commit()
    if background:
        threading.Thread(target=run_schedule_job, args=(uow_factory, key, actor), name=f"schedule-{key}",
                         daemon=True).start()
    else:
        run_schedule_job(uow_factory, key, actor)
    return key


def run_schedule_job(uow_factory: Callable[[], UnitOfWork], key: str, actor: Actor) -> None:
    """Run a queued schedule job to its end: done with the result, or failed with the reason in words."""
    def progress(percent: int, message: str) -> None:
        _update(uow_factory, key, state=RUNNING, progress=percent, message=message)

    try:
        with uow_factory() as uow:
            job = uow.live_day.job(key)
            if job is None or job.state in FINISHED:
                return
            program, day, limit = job.program, job.day, float(job.params.get("time_limit", 5.0))
            uow.rollback()
            result = schedule_day(uow, actor, program, day, time_limit=limit, progress=progress)
        _update(uow_factory, key, state=DONE, progress=100, message="done", result=dataclasses.asdict(result))
    except ServiceError as exc:
        _update(uow_factory, key, state=FAILED, message="refused", error=exc.message,
                result={"rule": exc.rule or "", "field": exc.field or ""})
    except Exception:
        log.exception("schedule job %s failed", key)
        _update(uow_factory, key, state=FAILED, message="failed", error="the scheduler failed unexpectedly; the runs "
                "were not changed", result={"rule": "internal error"})


def _update(uow_factory: Callable[[], UnitOfWork], key: str, **fields: Any) -> None:
    with uow_factory() as uow:
        job = uow.live_day.job(key)
        if job is None:
            return
        for name, value in fields.items():
            setattr(job, name, value)
        job.updated_at = clock.now()
        uow.commit()


def job_status(uow: UnitOfWork, actor: Actor, key: str) -> JobStatus:
    """How far a dispatch job is; the same answer for a job that does not exist and one of another program."""
    permissions.require(actor, Action.DISPATCH)
    job = uow.live_day.job(key)
    if job is None or not actor.sees_program(job.program):
        raise NotFound("no such job", field="job", rule="dispatch jobs")
    percent, state, error, rule = job.progress, job.state, job.error, ""
    limit = max(float(job.params.get("time_limit", 5.0)), 0.1)
    quiet = (clock.now() - job.updated_at).total_seconds()
    if state == RUNNING and job.progress == OPTIMIZING:  # the optimizer stops at its time limit
        percent = OPTIMIZING + int((OPTIMIZED - OPTIMIZING) * min(1.0, max(0.0, quiet / limit)))
    if state not in FINISHED and quiet > limit + STALLED_AFTER:  # its server stopped: it will never finish
        state, rule = FAILED, "job stalled"
        error = "the server stopped while scheduling; the runs were not changed: schedule again"
    result = ScheduleResult(**job.result) if state == DONE and job.result else None
    if job.state == FAILED:
        rule = str((job.result or {}).get("rule", ""))
    return JobStatus(job.key, job.kind, job.day, state, percent, job.message, result, error, rule)
