"""The live day's own records: a dispatch job's progress (scheduling the day, re-planning) and a will-call return.

``DispatchJob`` is a small progress record — state, percent, what it is doing in words, the result — that a page polls
while the solve runs in a background thread of the server. Its columns are a subset of ``nemt.jobs``'s job record
(``store/job_models.Job``: key, kind, params, state, progress, message, result, error), so the two can converge by
moving these rows into that table once the task queue lands.

``WillCall`` is a return leg whose member called when ready: the call's time and the pick-up the program promised
(policy ``operations.will_call_pickup_minutes``). The scheduler reads it for that leg's pick-up window.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nemt.store.models import Base, new_key, utcnow


class DispatchJob(Base):
    __tablename__ = "dispatch_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    kind: Mapped[str] = mapped_column(String(40))  # "schedule"
    program: Mapped[str] = mapped_column(String(2))
    day: Mapped[dt.date] = mapped_column(Date)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | done | failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent, 0-100
    message: Mapped[str] = mapped_column(String(200), default="")  # what the job is doing, in words
    result: Mapped[dict | None] = mapped_column(JSON, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WillCall(Base):
    __tablename__ = "will_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("legs.id", ondelete="CASCADE"), unique=True)
    called_at: Mapped[dt.datetime] = mapped_column()
    promised_by: Mapped[dt.datetime] = mapped_column()
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
