"""The Standard Trip Log: legs as drivers see them and their append-only events.

Which legs an actor may see is :func:`nemt.store.visibility.legs`; a driver acts through their *active* driver
record (an inactive one sees no leg)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, selectinload

from nemt.domain.actors import Actor, Role
from nemt.store import visibility
from nemt.store.models import Driver, Leg, Member, TripLogEvent, Vehicle, VehicleRun
from nemt.store.repositories.base import Repository

_CHUNK = 500


def events_by_leg(session: Session, leg_ids: Sequence[int]) -> dict[int, list[TripLogEvent]]:
    """The trip-log events of each leg, in the order they were recorded (one query per 500 legs)."""
    out: dict[int, list[TripLogEvent]] = {leg_id: [] for leg_id in leg_ids}
    for start in range(0, len(leg_ids), _CHUNK):
        chunk = list(leg_ids[start:start + _CHUNK])
        for row in session.scalars(select(TripLogEvent).where(TripLogEvent.leg_id.in_(chunk))
                                   .order_by(TripLogEvent.id)):
            out[row.leg_id].append(row)
    return out


class TripLogRepository(Repository):
    """The Standard Trip Log: legs as drivers see them and their append-only events."""

    # --- legs ------------------------------------------------------------------------------------------------------
    def leg(self, key: str) -> Leg | None:
        """The leg with this key (and its trip), whoever may see it: the service decides what to answer."""
        return self.session.scalar(select(Leg).where(Leg.key == key).options(selectinload(Leg.trip)))

    def _visible(self, query: Select[Any], actor: Actor) -> Select[Any]:
        condition = visibility.legs(actor)
        if condition is not None:
            query = query.where(condition)
        if not actor.is_system and actor.role == Role.DRIVER:
            query = query.where(exists().where(Driver.user_id == actor.user_id, Driver.active.is_(True)))
        return query

    def is_visible(self, actor: Actor, leg: Leg) -> bool:
        """May ``actor`` see ``leg`` (a driver: assigned to them; a provider: its own; others: their program's)?"""
        return self.session.scalar(self._visible(select(Leg.id).where(Leg.id == leg.id), actor)) is not None

    def visible_legs(self, actor: Actor, service_date: dt.date | None = None, *, limit: int = 2000) -> list[Leg]:
        """The legs ``actor`` may see, optionally of one day, by date and planned pick-up."""
        query = self._visible(select(Leg).options(selectinload(Leg.trip)), actor)
        if service_date is not None:
            query = query.where(Leg.service_date == service_date)
        return list(self.session.scalars(query.order_by(Leg.service_date, Leg.planned_pickup, Leg.id).limit(limit)))

    def legs_by_keys(self, keys: Iterable[str], *, visible_to: Actor | None = None) -> dict[str, Leg]:
        """The legs with these keys (only those ``visible_to`` may see, if given), by key, in one query."""
        wanted = list(keys)
        if not wanted:
            return {}
        query = select(Leg).where(Leg.key.in_(wanted)).options(selectinload(Leg.trip))
        if visible_to is not None:
            query = self._visible(query, visible_to)
        return {leg.key: leg for leg in self.session.scalars(query)}

    def member_key(self, member_id: int) -> str | None:
        return self.session.scalar(select(Member.key).where(Member.id == member_id))

    # --- events ----------------------------------------------------------------------------------------------------
    def events_of(self, leg_ids: Sequence[int]) -> dict[int, list[TripLogEvent]]:
        """The events of each leg in recording order, one query per 500 legs."""
        return events_by_leg(self.session, leg_ids)

    def add_event(self, event: TripLogEvent) -> TripLogEvent:
        self.session.add(event)
        return event

    # --- who drives a leg ------------------------------------------------------------------------------------------
    def _run_driver_id(self, leg: Leg) -> int | None:
        if leg.vehicle_id is None:
            return None
        return self.session.scalar(select(VehicleRun.driver_id).where(VehicleRun.vehicle_id == leg.vehicle_id,
                                                                      VehicleRun.service_date == leg.service_date))

    def assignment(self, leg: Leg) -> tuple[str | None, str | None]:
        """``(vehicle id as the provider knows it, driver's name)`` of a leg — the driver directly on the leg, else
        the driver of its vehicle's run that day."""
        vehicle = self.session.get(Vehicle, leg.vehicle_id) if leg.vehicle_id else None
        driver_id = leg.driver_id or self._run_driver_id(leg)
        driver = self.session.get(Driver, driver_id) if driver_id else None
        return (vehicle.external_id if vehicle else None), (driver.name if driver else None)

    # --- a driver's day and a provider's fleet (the pages of drivers and providers) --------------------------------
    def run_vehicles(self, user_id: int | None, day: dt.date) -> list[Vehicle]:
        """The vehicles the user's driver record runs on ``day``."""
        driver = self.session.scalar(select(Driver).where(Driver.user_id == user_id)) if user_id else None
        if driver is None:
            return []
        return list(self.session.scalars(
            select(Vehicle).join(VehicleRun, VehicleRun.vehicle_id == Vehicle.id)
            .where(VehicleRun.driver_id == driver.id, VehicleRun.service_date == day).order_by(Vehicle.id)))

    def vehicles_by_ids(self, ids: Iterable[int]) -> dict[int, Vehicle]:
        wanted = list(ids)
        if not wanted:
            return {}
        return {v.id: v for v in self.session.scalars(select(Vehicle).where(Vehicle.id.in_(wanted)))}

    def fleet(self, provider_id: int) -> tuple[list[Driver], list[Vehicle]]:
        """A provider's drivers and vehicles, by their own IDs."""
        drivers = list(self.session.scalars(select(Driver).where(Driver.provider_id == provider_id)
                                            .order_by(Driver.external_id)))
        vehicles = list(self.session.scalars(select(Vehicle).where(Vehicle.provider_id == provider_id)
                                             .order_by(Vehicle.external_id)))
        return drivers, vehicles

    def runs_on(self, vehicle_ids: Iterable[int], day: dt.date) -> dict[int, VehicleRun]:
        """The runs of these vehicles on ``day``, by vehicle id."""
        return {r.vehicle_id: r for r in self.session.scalars(
            select(VehicleRun).where(VehicleRun.service_date == day, VehicleRun.vehicle_id.in_(list(vehicle_ids))))}
