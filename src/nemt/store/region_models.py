"""A day solved by regions on the workers of the queue (``nemt.jobs.region_jobs``, issue 18, item 1).

``region_days``: one row per day to solve, by its key — the day's instance (requests, vehicles and travel matrices,
packed once by ``nemt.jobs.region_data``; no member data: request ids, locations as matrix indices, times in
minutes), the regions it was split into (written once by the parent job, so a re-run of any job sees the same
split), and the stitched plan of the whole day (written once, by the stitch job, only where none is kept yet).

``region_plans``: one region's plan, unique by (day, region): a region job run twice (a worker killed after the
insert, a duplicate delivery) finds its plan there and keeps the first; the stitch job reads one plan per region.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nemt.store.models import Base, utcnow


class RegionDay(Base):
    __tablename__ = "region_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of ``instance``: the same day submitted twice
    instance: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: [{"label": str, "vehicles": [int], "requests": [int]}], and the requests no vehicle can carry: set once
    regions: Mapped[list | None] = mapped_column(JSON, default=None)
    nobody: Mapped[list | None] = mapped_column(JSON, default=None)
    #: the stitched, repaired and verified plan of the whole day (``region_data.solution_to_json``): set once
    plan: Mapped[dict | None] = mapped_column(JSON, default=None, deferred=True)
    summary: Mapped[dict | None] = mapped_column(JSON, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    stitched_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class RegionPlan(Base):
    __tablename__ = "region_plans"
    __table_args__ = (UniqueConstraint("day_key", "label", name="uq_region_plans_day_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_key: Mapped[str] = mapped_column(String(160), index=True)
    label: Mapped[str] = mapped_column(String(80))
    plan: Mapped[dict] = mapped_column(JSON)  # the region's plan in the day's indices
    seconds: Mapped[float] = mapped_column(default=0.0)  # the solver's wall time
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
