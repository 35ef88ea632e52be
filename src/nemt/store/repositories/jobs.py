"""The job records of ``nemt.jobs``: add once per key, find (locked while a worker claims it), update progress."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from nemt.domain.statuses import JobState
from nemt.store.job_models import Job
from nemt.store.models import utcnow
from nemt.store.repositories.base import Repository


class JobRepository(Repository):
    def by_key(self, key: str, *, lock: bool = False) -> Job | None:
        """The job of ``key``; ``lock``: its row locked until the commit on PostgreSQL (two workers handed the same
        key at once claim it one after the other)."""
        query = select(Job).where(Job.key == key)
        if lock and self.dialect == "postgresql":
            query = query.with_for_update()
        return self.session.scalar(query)

    def add_once(self, job: Job) -> tuple[Job, bool]:
        """Insert ``job`` unless its key is taken: (the row, True) when this call added it, (the row already there,
        locked until the commit as ``by_key(lock=True)`` locks it, False) otherwise — also when a concurrent submitter
        inserted it first (the unique key decides the race)."""
        existing = self.by_key(job.key, lock=True)
        if existing is not None:
            return existing, False
        try:
            with self.session.begin_nested():
                self.session.add(job)
        except IntegrityError:
            raced = self.by_key(job.key, lock=True)
            if raced is None:
                raise
            return raced, False
        return job, True

    def set_progress(self, key: str, progress: int, message: str) -> None:
        """Record a running job's progress (a single UPDATE; the caller commits at once, so readers see it)."""
        self.session.execute(update(Job).where(Job.key == key, Job.state == JobState.RUNNING)
                             .values(progress=progress, message=message[:200], updated_at=utcnow()))

    def recent(self, limit: int = 20) -> list[Job]:
        return list(self.session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))
