"""Manifests: the ordered stops of one vehicle's day with times, members, mobility needs, escorts and passengers, for
the dispatcher, the provider and the driver (a driver, only of their own runs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nemt.domain.actors import Actor
from nemt.policy import load_policy
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import NotFound
from nemt.services.platform.permissions import Action
from nemt.store.models import Leg, Vehicle, VehicleRun

if TYPE_CHECKING:
    from nemt.store.uow import UnitOfWork

_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class ManifestStop:
    at: dt.datetime | None
    kind: str  # pickup | dropoff
    leg_key: str
    member_key: str
    member_name: str
    address: str
    mode: str
    mobility: str  # seat | wheelchair | stretcher
    escorts: int
    passengers: int
    status: str
    notes: str = ""  # the booking's notes for the driver (issue 16, point 4)


@dataclass(frozen=True)
class Manifest:
    vehicle: str
    vehicle_type: str
    driver: str
    provider: str
    day: dt.date
    time_zone: str
    stops: list[ManifestStop]

    def as_dict(self) -> dict[str, Any]:
        return {
            "vehicle": self.vehicle, "vehicle_type": self.vehicle_type, "driver": self.driver,
            "provider": self.provider, "day": self.day.isoformat(), "time_zone": self.time_zone,
            "stops": [{**s.__dict__, "at": s.at.isoformat() if s.at else None} for s in self.stops],
        }


def manifest(uow: UnitOfWork, actor: Actor, vehicle_key: str, day: dt.date) -> Manifest:
    """The ordered stops of one vehicle's day with times, members, mobility needs, escorts and passengers."""
    permissions.require(actor, Action.MANIFEST_READ)
    vehicle = _readable_vehicle(uow, actor, vehicle_key)
    run = uow.dispatch.run_of(vehicle.id, day)
    if run is not None and not uow.dispatch.run_visible(actor, run):
        raise NotFound("no run of yours on this vehicle that day", field="vehicle", rule="drivers see their own runs")
    driver = uow.dispatch.driver(run.driver_id) if run and run.driver_id else None
    org = vehicle.provider.organization
    zone = load_policy(org.program).time_zone
    legs = {leg.key: leg for leg in uow.dispatch.legs_on_vehicle(actor, vehicle.id, day)}
    stops = [_stop(legs[key], kind, zone) for key, kind in _stop_order(run, legs)]
    for member_id in dict.fromkeys(legs[s.leg_key].trip.member_id for s in stops):
        audit.record(uow, actor, "read", "manifest", member_id, vehicle=vehicle.key, day=day.isoformat())
    uow.commit()
    return Manifest(vehicle.external_id, vehicle.vehicle_type, driver.name if driver else "(no driver)",
                    org.name, day, str(zone), stops)


def _readable_vehicle(uow: UnitOfWork, actor: Actor, vehicle_key: str) -> Vehicle:
    vehicle: Vehicle | None = uow.dispatch.vehicle_by_key(vehicle_key)
    if vehicle is None:
        raise NotFound("no such vehicle", field="vehicle", rule="vehicle look-up")
    if not uow.dispatch.vehicle_visible(actor, vehicle.id):
        raise NotFound("no such vehicle", field="vehicle", rule="organization-based access")
    return vehicle


def _stop_order(run: VehicleRun | None, legs: dict[str, Leg]) -> list[tuple[str, str]]:
    """(leg key, pickup or dropoff) in the run's order; legs on the vehicle that the run does not list follow, by
    their planned or requested time."""
    order = [(s["leg"], s["kind"]) for s in (run.plan.get("stops", []) if run else []) if s["leg"] in legs]
    seen = {k for k, _ in order}
    for key, _leg in sorted(legs.items(), key=lambda kv: kv[1].planned_pickup or kv[1].pickup_earliest
                            or kv[1].dropoff_latest or _FAR):
        if key not in seen:
            order += [(key, "pickup"), (key, "dropoff")]
    return order


def _stop(leg: Leg, kind: str, zone: dt.tzinfo) -> ManifestStop:
    trip = leg.trip
    when = leg.planned_pickup if kind == "pickup" else leg.planned_dropoff
    return ManifestStop(
        at=when.astimezone(zone) if when else None, kind=kind, leg_key=leg.key, member_key=trip.member.key,
        member_name=f"{trip.member.last_name}, {trip.member.first_name}",
        address=leg.origin_address if kind == "pickup" else leg.destination_address, mode=trip.mode or "",
        mobility=trip.space or "seat", escorts=trip.escorts or 0, passengers=trip.passengers or 0, status=leg.status,
        notes=trip.driver_notes or "")
