"""The live day's records: will-call returns, and the stamp that says when the day's board changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select

from nemt.store.claim_models import TripLogEvent
from nemt.store.dispatch_models import WillCall
from nemt.store.evidence_models import TripEventEvidence
from nemt.store.repositories.base import Repository, chunked
from nemt.store.ride_models import Leg, Trip, VehicleRun


class LiveDayRepository(Repository):
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

    def last_positions(self, program: str, day: dt.date) -> dict[int, tuple[float, float, dt.datetime]]:
        """Vehicle id -> (latitude, longitude, when) of the newest position a phone sent with a trip-log event of one
        of the day's legs on that vehicle (``trip_event_evidence``, append-only). ``when`` is when it was recorded:
        the phone's own clock may be off, and an event typed as logged earlier still sends where the phone is now."""
        e = TripEventEvidence
        rows = self.session.execute(
            select(Leg.vehicle_id, e.latitude, e.longitude, e.recorded_at)
            .join(Leg, Leg.id == e.leg_id).join(Trip, Trip.id == Leg.trip_id)
            .where(Trip.program == program, Leg.service_date == day, Leg.vehicle_id.is_not(None),
                   e.position_status == "recorded", e.latitude.is_not(None), e.longitude.is_not(None))
            .order_by(e.recorded_at, e.id))
        out: dict[int, tuple[float, float, dt.datetime]] = {}
        for vehicle_id, lat, lon, recorded_at in rows:
            if vehicle_id is not None and lat is not None and lon is not None:  # (the query asks for these)
                out[vehicle_id] = (float(lat), float(lon), recorded_at)  # in the order recorded: the newest wins
        return out
