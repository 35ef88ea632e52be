"""The job record: one row per unit of background work (``nemt.jobs``), kept in the platform's database.

The row, not the broker, is the truth about a job: the broker only carries the job's key to a worker. A job's key
is its idempotency key (``plan-day:CO:2026-11-24``): it is unique, so submitting the same work twice finds the row
already there instead of queuing it again, and a message delivered twice (a worker killed mid-job, the broker
redelivering) finds the job done and does nothing. The result stays here (``result``), so a status query never
needs the broker.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nemt.store.models import Base, utcnow


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # the idempotency key
    kind: Mapped[str] = mapped_column(String(40))  # "plan-day", "travel-matrix", ...
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), index=True)  # nemt.domain.statuses.JobState
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent, 0-100
    message: Mapped[str] = mapped_column(String(200), default="")  # what the job is doing, in words
    result: Mapped[dict | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # times a worker started it
    worker: Mapped[str | None] = mapped_column(String(120), default=None)  # host:pid of the last worker
    requested_by: Mapped[str] = mapped_column(String(120), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
