"""The days solved by regions (``nemt.jobs.region_jobs``): the day's instance and split, kept once; one plan per day
and region; the stitched plan, kept once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from nemt.store.models import utcnow
from nemt.store.region_models import RegionDay, RegionPlan
from nemt.store.repositories.base import Repository


class RegionDayRepository(Repository):
    def day(self, key: str, *, lock: bool = False, with_instance: bool = False,
            with_plan: bool = False) -> RegionDay | None:
        """The day of ``key``; ``lock``: its row locked until the commit on PostgreSQL (the region jobs that finish
        at once count the plans one after the other, so exactly one of them sees the last)."""
        query = select(RegionDay).where(RegionDay.key == key)
        if with_instance:
            query = query.options(undefer(RegionDay.instance))
        if with_plan:
            query = query.options(undefer(RegionDay.plan))
        if lock and self.dialect == "postgresql":
            query = query.with_for_update()
        return self.session.scalar(query)

    def add_day(self, key: str, digest: str, instance: bytes) -> tuple[RegionDay, bool]:
        """The day of ``key``, inserted unless there: (the row, True when this call added it)."""
        existing = self.day(key, lock=True)
        if existing is not None:
            return existing, False
        row = RegionDay(key=key, digest=digest, instance=instance)
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            raced = self.day(key, lock=True)
            if raced is None:
                raise
            return raced, False
        return row, True

    def set_split(self, key: str, regions: list[dict[str, Any]], nobody: list[int]) -> RegionDay | None:
        """Keep the day's split unless one is kept (the first parent run's split stays); the day's row, locked."""
        row = self.day(key, lock=True)
        if row is not None and not row.regions:
            row.regions, row.nobody = regions, nobody
        return row

    def keep_plan(self, key: str, plan: dict[str, Any], summary: dict[str, Any]) -> bool:
        """Keep the stitched plan of the day unless one is kept: True when this call kept it."""
        done = self.session.execute(update(RegionDay).where(RegionDay.key == key, RegionDay.stitched_at.is_(None))
                                    .values(plan=plan, summary=summary, stitched_at=utcnow()))
        return bool(getattr(done, "rowcount", 0))

    def region_plan(self, key: str, label: str) -> RegionPlan | None:
        return self.session.scalar(select(RegionPlan).where(RegionPlan.day_key == key, RegionPlan.label == label))

    def add_region_plan(self, row: RegionPlan) -> bool:
        """Insert one region's plan unless that region's plan is there (the unique key decides a race): True when
        this call added it."""
        if self.region_plan(row.day_key, row.label) is not None:
            return False
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            return False
        return True

    def count_region_plans(self, key: str) -> int:
        return int(self.session.scalar(select(func.count()).select_from(RegionPlan)
                                       .where(RegionPlan.day_key == key)) or 0)

    def region_plans(self, key: str) -> list[RegionPlan]:
        return list(self.session.scalars(select(RegionPlan).where(RegionPlan.day_key == key)))

    def forget(self, key: str) -> None:
        """Drop the day's split, region plans and stitched plan (a day solved again on purpose, ``again``)."""
        from sqlalchemy import delete

        self.session.execute(delete(RegionPlan).where(RegionPlan.day_key == key))
        self.session.execute(update(RegionDay).where(RegionDay.key == key)
                             .values(regions=None, nobody=None, plan=None, summary=None, stitched_at=None))
