"""The job record's life, through the unit of work: submit once per key, claim, report progress, finish or fail.

States (``JobState``): ``queued`` (submitted; a worker has not started it) -> ``running`` (a worker claimed it; its
``progress`` and ``message`` move) -> ``done`` (its ``result`` kept) or ``failed`` (its ``error`` kept, in words).
A worker killed mid-job leaves the row ``running``; the broker hands the key to another worker, which claims the job
again (``attempts`` counts the starts) and runs it from the beginning — safe because every task is idempotent
(``nemt.jobs.tasks``).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from nemt import clock
from nemt.services.platform.errors import NotFound
from nemt.store.job_models import Job
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

if TYPE_CHECKING:
    from nemt.store.uow import UnitOfWork

UowFactory = Callable[[], "UnitOfWork"]


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True)
class JobView:
    """What a status query shows of a job (no member data is ever in a job: keys, counts and words only)."""

    key: str
    kind: str
    state: str
    progress: int
    message: str
    attempts: int
    result: dict[str, Any] | None
    error: str | None
    worker: str | None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)


def view(job: Job) -> JobView:
    return JobView(job.key, job.kind, job.state, job.progress, job.message, job.attempts, job.result, job.error,
                   job.worker)


def worker_name() -> str:
    """host:pid of this process: which worker ran a job (shown by ``nemt jobs status``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def submit(make_uow: UowFactory, key: str, kind: str, params: dict[str, Any], requested_by: str, *,
           again: bool = False) -> tuple[JobView, bool]:
    """The job of ``key``, added as queued unless it exists: (the job, True when it must be sent to a worker).

    A job queued, running or done is never queued twice (the same work submitted again finds it). A failed job is
    queued again; so is any job when ``again``: a re-plan asked for on purpose, or a job left behind by a process
    that died without a broker to hand it on (every task is idempotent, so a second run does no harm)."""
    with make_uow() as uow:
        job, added = uow.jobs.add_once(Job(key=key, kind=kind, params=params, state=JobState.QUEUED, progress=0,
                                           message="waiting for a worker", attempts=0, requested_by=requested_by))
        if not added:
            job = uow.jobs.by_key(key, lock=True) or job
            if job.state == JobState.FAILED or again:
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
        if job is None or job.state in (JobState.DONE, JobState.FAILED):
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
    """The job is done with ``result`` (or failed with ``error``, a sentence)."""
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


def status(make_uow: UowFactory, key: str) -> JobView:
    with make_uow() as uow:
        job = uow.jobs.by_key(key)
        if job is None:
            raise NotFound("no job has this key", field="key", rule="job key")
        return view(job)


def recent(make_uow: UowFactory, limit: int = 20) -> list[JobView]:
    with make_uow() as uow:
        return [view(j) for j in uow.jobs.recent(limit)]
