"""Trips, their legs, decision notices and standing orders (booking and the ride pages).

What an actor may see is ``nemt.store.visibility.trips(actor)``, applied here: a trip the actor may not see is
answered like one that does not exist. The booking service also reads what a booking needs from the directories
(medical providers, transportation providers with their drivers and vehicles) and the vehicle runs a cancelled leg
leaves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import immediateload, selectinload

from nemt.domain.actors import Actor
from nemt.domain.decisions import reasons
from nemt.domain.statuses import LegStatus, TripStatus
from nemt.store import visibility
from nemt.store.models import (
    Driver,
    Leg,
    MedicalProvider,
    Member,
    Notice,
    Organization,
    StandingOrder,
    TransportProvider,
    Trip,
    Vehicle,
    VehicleRun,
)
from nemt.store.repositories.base import Repository


def _trips() -> Select[Any]:
    return select(Trip).options(selectinload(Trip.legs), selectinload(Trip.member))


def _visible(query: Select[Any], actor: Actor) -> Select[Any]:
    condition = visibility.trips(actor)
    return query if condition is None else query.where(condition)


class RideRepository(Repository):
    """Trips, their legs, decision notices and standing orders (booking and the ride pages)."""

    # -- races ----------------------------------------------------------------------------------------------------

    def lost_race(self, exc: Exception) -> bool:
        """Whether a failed write lost a race that trying again can win: a unique key taken first by another
        writer, or (SQLite) a database locked by one."""
        if isinstance(exc, IntegrityError):
            return True
        return isinstance(exc, OperationalError) and self.dialect == "sqlite" and "locked" in str(exc).lower()

    @staticmethod
    def duplicate_key(exc: Exception) -> bool:
        """Whether a failed write hit a unique key (another row holds the same idempotency key)."""
        return isinstance(exc, IntegrityError)

    # -- trips --------------------------------------------------------------------------------------------------

    def add_trip(self, trip: Trip) -> Trip:
        return self._added(trip)

    def visible_trip(self, actor: Actor, key: str) -> Trip | None:
        """The trip with ``key`` if ``actor`` may see it."""
        if not key:
            return None
        return self.session.scalar(_visible(_trips().where(Trip.key == key), actor))

    def visible_trip_by_id(self, actor: Actor, trip_id: int) -> Trip | None:
        return self.session.scalar(_visible(_trips().where(Trip.id == trip_id), actor))

    def may_see_trip(self, actor: Actor, trip_id: int) -> bool:
        return self.session.scalar(_visible(select(Trip.id).where(Trip.id == trip_id), actor)) is not None

    def may_see_a_trip_of_order(self, actor: Actor, order_id: int) -> bool:
        """Whether ``actor`` may see at least one trip of the standing order (one query)."""
        query = _visible(select(Trip.id).where(Trip.standing_order_id == order_id), actor).limit(1)
        return self.session.scalar(query) is not None

    def standing_order_keys(self, order_ids: Iterable[int]) -> dict[int, str]:
        """Standing order id -> its key, in one query."""
        wanted = sorted(set(order_ids))
        if not wanted:
            return {}
        return dict(self.session.execute(select(StandingOrder.id, StandingOrder.key)
                                         .where(StandingOrder.id.in_(wanted))).tuples().all())

    def trip_by_idempotency_key(self, key: str) -> Trip | None:
        return self.session.scalar(_trips().where(Trip.idempotency_key == key))

    def trip_booked_as(self, key: str, content: str) -> tuple[Trip, str] | None:
        """The trip booked under the idempotency ``key`` (found ``"key"``), else the active trip of the same ride, its
        ``content`` key (``"content"``): one query for both, at most two rows."""
        found = list(self.session.scalars(_trips().where(or_(
            Trip.idempotency_key == key, and_(Trip.content_key == content, Trip.status == TripStatus.ACTIVE)))))
        for trip in found:
            if trip.idempotency_key == key:
                return trip, "key"
        return (found[0], "content") if found else None

    def active_trip_by_content_key(self, key: str) -> Trip | None:
        """The active trip of the same member, appointment, destination and direction (unique among active trips)."""
        return self.session.scalar(_trips().where(Trip.content_key == key, Trip.status == TripStatus.ACTIVE))

    def visible_trips_of_member(self, actor: Actor, member_id: int) -> list[Trip]:
        """The member's trips ``actor`` may see, by appointment time. Their one member is taken from the session when
        the caller has it loaded already (``immediateload``, unlike ``selectinload``, looks there first): one query
        fewer for the list of a member's rides (``python -m benchmarks load``)."""
        query = (select(Trip).options(selectinload(Trip.legs), immediateload(Trip.member))
                 .where(Trip.member_id == member_id).order_by(Trip.appointment_at, Trip.id))
        return list(self.session.scalars(_visible(query, actor)))

    def visible_trips_of_day(self, actor: Actor, day: dt.date, program: str | None = None) -> list[Trip]:
        """The trips with a leg on ``day`` (local date of service), by appointment time."""
        query = (_trips().where(Trip.id.in_(select(Leg.trip_id).where(Leg.service_date == day)))
                 .order_by(Trip.appointment_at, Trip.id))
        if program is not None:
            query = query.where(Trip.program == program)
        return list(self.session.scalars(_visible(query, actor)))

    def visible_pending_trips(self, actor: Actor, after: dt.datetime, program: str | None = None,
                              member_id: int | None = None) -> list[Trip]:
        """Active trips whose decision is pending (a certification or prior authorization awaited) with the
        appointment after ``after``, by appointment time: the pending worklist (nemt.services.rides.certifications)."""
        query = (_trips().where(Trip.outcome == reasons.PENDING, Trip.status == TripStatus.ACTIVE,
                                Trip.appointment_at > after)
                 .order_by(Trip.appointment_at, Trip.id))
        if program is not None:
            query = query.where(Trip.program == program)
        if member_id is not None:
            query = query.where(Trip.member_id == member_id)
        return list(self.session.scalars(_visible(query, actor)))

    def trips_of_standing_order(self, order_id: int) -> list[Trip]:
        return list(self.session.scalars(_trips().where(Trip.standing_order_id == order_id)
                                         .order_by(Trip.appointment_at)))

    def member_key(self, member_id: int) -> str:
        member = self.session.get(Member, member_id)
        return member.key if member is not None else ""

    # -- notices ------------------------------------------------------------------------------------------------

    def add_notice(self, notice: Notice) -> Notice:
        return self._added(notice)

    def notices_of(self, trip_id: int) -> list[Notice]:
        return list(self.session.scalars(select(Notice).where(Notice.trip_id == trip_id).order_by(Notice.id)))

    def notices_of_trips(self, trip_ids: Iterable[int]) -> dict[int, list[Notice]]:
        """The notices of each of the trips (in the order written), in one query: a list of rides reads them all."""
        ids = sorted(set(trip_ids))
        found: dict[int, list[Notice]] = {trip_id: [] for trip_id in ids}
        if ids:
            for notice in self.session.scalars(select(Notice).where(Notice.trip_id.in_(ids)).order_by(Notice.id)):
                found[notice.trip_id].append(notice)
        return found

    def notice_by_key(self, key: str) -> Notice | None:
        return self.session.scalar(select(Notice).where(Notice.key == key)) if key else None

    # -- standing orders ----------------------------------------------------------------------------------------

    def add_standing_order(self, order: StandingOrder) -> StandingOrder:
        return self._added(order)

    def standing_order_by_key(self, key: str) -> StandingOrder | None:
        return self.session.scalar(select(StandingOrder).where(StandingOrder.key == key)) if key else None

    def standing_order_by_idempotency_key(self, key: str) -> StandingOrder | None:
        return self.session.scalar(select(StandingOrder).where(StandingOrder.idempotency_key == key))

    def standing_order(self, order_id: int) -> StandingOrder | None:
        return self.session.get(StandingOrder, order_id)

    # -- the directories a booking reads ------------------------------------------------------------------------

    def medical_provider(self, program: str, key: str) -> MedicalProvider | None:
        return self.session.scalar(select(MedicalProvider).where(MedicalProvider.key == key,
                                                                  MedicalProvider.program == program))

    def medical_provider_by_id(self, provider_id: int) -> MedicalProvider | None:
        return self.session.get(MedicalProvider, provider_id)

    def enrolled_medical_providers(self, program: str) -> list[MedicalProvider]:
        """The program's enrolled medical providers by name (the booking form's destinations)."""
        return list(self.session.scalars(select(MedicalProvider).where(
            MedicalProvider.program == program, MedicalProvider.enrolled.is_(True)).order_by(MedicalProvider.name)))

    def enrolled_transport_providers(self, program: str) -> list[TransportProvider]:
        """The program's enrolled transportation providers, by organization name."""
        return list(self.session.scalars(
            select(TransportProvider).join(Organization, TransportProvider.organization_id == Organization.id)
            .where(Organization.program == program, TransportProvider.enrolled.is_(True))
            .order_by(Organization.name)))

    def transport_provider(self, provider_id: int) -> TransportProvider | None:
        return self.session.get(TransportProvider, provider_id)

    def active_drivers(self, provider_id: int) -> list[Driver]:
        return list(self.session.scalars(select(Driver).where(Driver.provider_id == provider_id,
                                                              Driver.active.is_(True)).order_by(Driver.id)))

    def active_vehicles(self, provider_id: int) -> list[Vehicle]:
        return list(self.session.scalars(select(Vehicle).where(Vehicle.provider_id == provider_id,
                                                               Vehicle.active.is_(True)).order_by(Vehicle.id)))

    def provider_load(self, provider_id: int, day: dt.date) -> int:
        """How many legs not cancelled the provider has on ``day``."""
        return self.session.scalar(select(func.count(Leg.id)).where(
            Leg.provider_id == provider_id, Leg.service_date == day, Leg.status != LegStatus.CANCELLED)) or 0

    def vehicle_key(self, vehicle_id: int) -> str | None:
        vehicle = self.session.get(Vehicle, vehicle_id)
        return vehicle.key if vehicle is not None else None

    def driver_key(self, driver_id: int) -> str | None:
        driver = self.session.get(Driver, driver_id)
        return driver.key if driver is not None else None

    # -- vehicle runs a released leg leaves -----------------------------------------------------------------------

    def runs_of_day(self, day: dt.date) -> list[VehicleRun]:
        return list(self.session.scalars(select(VehicleRun).where(VehicleRun.service_date == day)))
