"""The live day's records: dispatch jobs (the progress a page polls) and will-call returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select

from nemt.store.claim_models import TripLogEvent
from nemt.store.dispatch_models import DispatchJob, WillCall
from nemt.store.repositories.base import Repository, chunked
from nemt.store.ride_models import Leg, Trip, VehicleRun


class LiveDayRepository(Repository):
    def add_job(self, job: DispatchJob) -> DispatchJob:
        self.session.add(job)
        self.session.flush()
        return job

    def job(self, key: str) -> DispatchJob | None:
        return self.session.scalars(select(DispatchJob).where(DispatchJob.key == key)).first()

    def will_call(self, leg_id: int) -> WillCall | None:
        return self.session.scalars(select(WillCall).where(WillCall.leg_id == leg_id)).first()

    def will_calls(self, leg_ids: Iterable[int]) -> dict[int, WillCall]:
        """Leg id -> its will-call, for the legs that have one."""
        out: dict[int, WillCall] = {}
        for chunk in chunked(leg_ids):
            out.update((w.leg_id, w) for w in self.session.scalars(select(WillCall).where(WillCall.leg_id.in_(chunk))))
        return out

    def add_will_call(self, call: WillCall) -> WillCall:
        self.session.add(call)
        self.session.flush()
        return call

    def day_stamp(self, program: str, day: dt.date) -> str:
        """A stamp that changes whenever the day's board would: a leg added or changed (every change bumps its
        version), a run rewritten (its version too), a trip-log event recorded. It reads no member data."""
        legs = select(Leg.id).join(Trip, Trip.id == Leg.trip_id).where(Trip.program == program,
                                                                        Leg.service_date == day)
        count, versions, top = self.session.execute(
            select(func.count(Leg.id), func.coalesce(func.sum(Leg.version), 0), func.coalesce(func.max(Leg.id), 0))
            .join(Trip, Trip.id == Leg.trip_id).where(Trip.program == program, Leg.service_date == day)).one()
        runs = self.session.scalar(select(func.coalesce(func.sum(VehicleRun.version), 0))
                                   .where(VehicleRun.service_date == day))
        events = self.session.scalar(select(func.coalesce(func.max(TripLogEvent.id), 0))
                                     .where(TripLogEvent.leg_id.in_(legs)))
        return f"{count}.{versions}.{top}.{runs}.{events}"
