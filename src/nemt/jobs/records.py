"""The job record's life, through the unit of work: submit once per key, claim, report progress, finish or fail.

States (``nemt.domain.statuses.JobState``): ``queued`` (submitted; a worker has not started it) -> ``running`` (a
worker claimed it; its ``progress`` and ``message`` move) -> ``done`` (its ``result`` kept) or ``failed`` (its
``error`` kept, in words, and the refused rule in ``result``). A worker killed mid-job leaves the row ``running``; the
broker hands the key to another worker, which claims the job again (``attempts`` counts the starts) and runs it from
the beginning — safe because every task is idempotent (``nemt.jobs.tasks``).

Without a broker nothing hands a dead process's job on: a running job that has written no progress for its time
limit plus ``STALLED_AFTER`` is shown as failed ("job stalled"), and submitting it again queues it again.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nemt import clock
from nemt.domain.statuses import FINISHED_JOB_STATES, JobState
from nemt.jobs.tasks import TASKS
from nemt.services.platform.errors import NotFound, ServiceError
from nemt.store.job_models import Job
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

if TYPE_CHECKING:
    from nemt.store.uow import UnitOfWork

UowFactory = Callable[[], "UnitOfWork"]

#: Seconds past its time limit a running job may go without a progress write before it is shown as stalled (the
#: process running it stopped): reading, checking and explaining a large day take well under this.
STALLED_AFTER = 300.0
STALLED_RULE = "job stalled"


@dataclass(frozen=True)
class JobView:
    """What a status query shows of a job (no member data is ever in a job: keys, counts and words only). ``progress``
    is the task's estimate where it has one (the optimizer's share of its time limit spent, computed when read)."""

    key: str
    kind: str
    state: str
    progress: int
    message: str
    attempts: int
    result: dict[str, Any] | None
    error: str | None
    worker: str | None
    params: dict[str, Any]
    #: the rule a failed job was refused by ("job stalled" for one whose process stopped) and the field, else ""
    rule: str = ""
    field: str = ""

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_JOB_STATES


def _quiet_seconds(job: Job) -> float:
    return (clock.now() - job.updated_at).total_seconds()


def _limit(job: Job) -> float:
    return float(job.params.get("time_limit", 0.0))


def stalled(job: Job) -> bool:
    """A running job silent past its time limit plus ``STALLED_AFTER``: its process stopped and will not finish it."""
    return job.state == JobState.RUNNING and _quiet_seconds(job) > _limit(job) + STALLED_AFTER


def view(job: Job) -> JobView:
    task = TASKS.get(job.kind)
    state, progress, message, error, rule, field = job.state, job.progress, job.message, job.error, "", ""
    if state == JobState.FAILED:
        rule, field = (str((job.result or {}).get(name, "")) for name in ("rule", "field"))
    elif stalled(job):
        state, rule, message = JobState.FAILED, STALLED_RULE, "stalled"
        error = task.stalled if task else "the process running this job stopped before it finished: submit it again"
    elif state == JobState.RUNNING and task is not None and task.estimate is not None:
        progress = task.estimate(progress, job.params, _quiet_seconds(job))
    result = job.result if job.state == JobState.DONE else None
    return JobView(job.key, job.kind, state, progress, message, job.attempts, result, error, job.worker,
                   dict(job.params), rule, field)


def worker_name() -> str:
    """host:pid of this process: which worker ran a job (shown by ``nemt jobs status``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def submit(make_uow: UowFactory, key: str, kind: str, params: dict[str, Any], requested_by: str, *,
           again: bool = False, rerun_done: bool = False) -> tuple[JobView, bool]:
    """The job of ``key``, added as queued unless it exists: (the job, True when it must be sent to a worker).

    A job queued, running or done is never queued twice (the same work submitted again finds it). A failed or
    stalled job is queued again; so is a done one when ``rerun_done`` (a dispatcher's "schedule the day" re-plans a
    planned day but joins a plan still running), and any job when ``again``: a re-plan asked for on purpose, or a
    job left behind by a process that died without a broker to hand it on (every task is idempotent, so a second
    run does no harm)."""
    with make_uow() as uow:
        job, added = uow.jobs.add_once(Job(key=key, kind=kind, params=params, state=JobState.QUEUED, progress=0,
                                           message="waiting for a worker", attempts=0, requested_by=requested_by))
        if not added:
            if job.state == JobState.FAILED or again or stalled(job) or (rerun_done and job.state == JobState.DONE):
                job.params, job.requested_by = params, requested_by
                job.state, job.progress, job.message = JobState.QUEUED, 0, "waiting for a worker"
                job.error, job.result, job.finished_at = None, None, None
                added = True
        result = view(job)
        uow.commit()
    return result, added


def claim(make_uow: UowFactory, key: str) -> tuple[str, dict[str, Any]] | None:
    """Start the job of ``key`` in this worker: (kind, params), or None when there is nothing to do (done or failed
    already — a duplicate delivery). A job left running by a worker that died is taken over."""
    with make_uow() as uow:
        job = uow.jobs.by_key(key, lock=True)
        if job is None or job.state in FINISHED_JOB_STATES:
            return None
        job.state, job.attempts, job.worker = JobState.RUNNING, job.attempts + 1, worker_name()
        job.started_at, job.progress = clock.now(), 1
        job.message = "started" if job.attempts == 1 else f"started again (attempt {job.attempts})"
        kind, params = job.kind, dict(job.params)
        uow.commit()
    return kind, params


def progress(make_uow: UowFactory, key: str, percent: int, message: str) -> None:
    """Record progress; best effort: a busy database (SQLite's one writer) skips this tick rather than the job."""
    try:
        with make_uow() as uow:
            uow.jobs.set_progress(key, max(0, min(99, percent)), message)
            uow.commit()
    except CONCURRENT_WRITE_ERRORS:
        pass


def finish(make_uow: UowFactory, key: str, result: dict[str, Any] | None, error: str | None = None) -> None:
    """The job is done with ``result`` (or failed with ``error``, a sentence; ``result`` then names the rule)."""
    with make_uow() as uow:
        job = uow.jobs.by_key(key, lock=True)
        if job is None:
            return
        job.state = JobState.FAILED if error else JobState.DONE
        job.result, job.error = result, error
        job.progress = job.progress if error else 100
        job.message = "failed" if error else "done"
        job.finished_at = clock.now()
        uow.commit()


def refused(make_uow: UowFactory, key: str, exc: ServiceError) -> None:
    """The task was refused (a ``ServiceError``): failed, with the refusal's words and its rule and field."""
    finish(make_uow, key, {"rule": exc.rule or "", "field": exc.field or ""}, error=exc.message)


def status(make_uow: UowFactory, key: str) -> JobView:
    with make_uow() as uow:
        job = uow.jobs.by_key(key)
        if job is None:
            raise NotFound("no job has this key", field="key", rule="job key")
        return view(job)


def recent(make_uow: UowFactory, limit: int = 20) -> list[JobView]:
    with make_uow() as uow:
        return [view(j) for j in uow.jobs.recent(limit)]
