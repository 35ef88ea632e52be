"""The read-only queries behind the program's reports. Every query keeps to the rows the actor may see
(``nemt.store.visibility``): for the report readers, their program's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, exists, select, true

from nemt.domain.actors import Actor
from nemt.store import visibility
from nemt.store.models import Claim, ClaimLine, Leg, Member, TransportProvider, Trip, TripLogEvent
from nemt.store.repositories.base import Repository
from nemt.store.repositories.trips import events_by_leg


def _or_all(condition: visibility.Condition | None) -> visibility.Condition:
    return true() if condition is None else condition


class ReportRepository(Repository):
    """The read-only queries behind the program's reports."""

    def trips(self, actor: Actor, start: dt.date, end: dt.date) -> list[tuple[Trip, str]]:
        """(trip, the member's county) for the trips with a date of service in ``start``..``end``."""
        query = select(Trip, Member.county).join(Member, Member.id == Trip.member_id).where(
            Trip.service_date >= start, Trip.service_date <= end, _or_all(visibility.trips(actor)))
        return [(trip, county) for trip, county in self.session.execute(query)]

    def legs(self, actor: Actor, start: dt.date, end: dt.date) -> list[tuple[Leg, Trip]]:
        """(leg, its trip) for the legs with a date of service in ``start``..``end``."""
        query = select(Leg, Trip).join(Trip, Trip.id == Leg.trip_id).where(
            Leg.service_date >= start, Leg.service_date <= end, _or_all(visibility.legs(actor)))
        return [(leg, trip) for leg, trip in self.session.execute(query)]

    def log_events(self, leg_ids: Sequence[int]) -> dict[int, list[TripLogEvent]]:
        """The trip-log events of each leg, in the order they were recorded (one query per 500 legs)."""
        return events_by_leg(self.session, leg_ids)

    def claims(self, actor: Actor, start: dt.date, end: dt.date) -> list[tuple[Claim, TransportProvider]]:
        """(claim, its provider) for the claims of the actor's program with a service line in ``start``..``end``."""
        in_period = exists().where(and_(ClaimLine.claim_id == Claim.id, ClaimLine.service_date >= start,
                                        ClaimLine.service_date <= end))
        program = Claim.program == actor.program if actor.program else true()
        query = select(Claim, TransportProvider).join(TransportProvider, TransportProvider.id == Claim.provider_id) \
            .where(in_period, program, _or_all(visibility.claims(actor)))
        return [(claim, provider) for claim, provider in self.session.execute(query)]

    def trips_of_legs(self, leg_ids: set[int]) -> dict[int, int]:
        """The trip id of each leg."""
        if not leg_ids:
            return {}
        rows = self.session.execute(select(Leg.id, Leg.trip_id).where(Leg.id.in_(leg_ids)))
        return {leg_id: trip_id for leg_id, trip_id in rows}
