"""What the provider's and the driver's pages show beside the logs: the legs with their vehicles and manifests, the
provider's drivers and vehicles, the vehicles a driver runs on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nemt.domain.actors import Actor
from nemt.services.platform import permissions
from nemt.services.platform.permissions import Action
from nemt.services.trips.read import leg_log, legs_for_actor
from nemt.services.trips.views import LegLogView
from nemt.store.models import Driver, Leg, TransportProvider, Vehicle, VehicleRun


@dataclass
class AssignedTrips:
    """The legs an actor may see (of one day, or all) with their leg rows, vehicles and the vehicles' days."""

    views: list[LegLogView]
    legs: dict[str, Leg]
    vehicles: dict[int, Vehicle]
    runs: list[tuple[int, dt.date]]


@dataclass
class LegDetail:
    view: LegLogView
    leg: Leg
    vehicle: str | None
    driver: str | None


@dataclass
class Fleet:
    """A provider's drivers and vehicles, and the vehicles' runs of ``today``."""

    provider: TransportProvider | None
    today: dt.date
    drivers: list[Driver] = field(default_factory=list)
    vehicles: list[Vehicle] = field(default_factory=list)
    runs: dict[int, VehicleRun] = field(default_factory=dict)


def assigned_trips(uow: Any, actor: Actor, day: dt.date | None = None) -> AssignedTrips:
    views = legs_for_actor(uow, actor, day)
    legs = uow.trip_logs.legs_by_keys(v.leg_key for v in views)
    vehicles = uow.trip_logs.vehicles_by_ids({leg.vehicle_id for leg in legs.values() if leg.vehicle_id})
    runs = sorted({(leg.vehicle_id, leg.service_date) for leg in legs.values() if leg.vehicle_id},
                  key=lambda r: (r[1], r[0]))
    return AssignedTrips(views, legs, vehicles, runs)


def leg_detail(uow: Any, actor: Actor, leg_key: str) -> LegDetail:
    """One leg's log with the leg, its vehicle and its driver (the log is read first: it checks who may see it)."""
    view = leg_log(uow, actor, leg_key)
    leg = uow.trip_logs.leg(leg_key)
    vehicle, driver = uow.trip_logs.assignment(leg)
    return LegDetail(view, leg, vehicle, driver)


def fleet(uow: Any, actor: Actor, today: dt.date) -> Fleet:
    """The actor's organization's provider enrolment with its drivers and vehicles (none without an enrolment)."""
    permissions.require(actor, Action.PROVIDER_DESK)
    provider = uow.claims.provider_of_organization(actor.organization_id)
    if provider is None:
        return Fleet(None, today)
    drivers, vehicles = uow.trip_logs.fleet(provider.id)
    return Fleet(provider, today, drivers, vehicles, uow.trip_logs.runs_on([v.id for v in vehicles], today))


def driver_vehicles(uow: Any, actor: Actor, day: dt.date) -> list[Vehicle]:
    """The vehicles the signed-in driver runs on ``day`` (their own driver record only)."""
    permissions.require(actor, Action.DRIVER_DAY)
    return uow.trip_logs.run_vehicles(actor.user_id, day)


def legs_by_keys(uow: Any, keys: Iterable[str]) -> dict[str, Leg]:
    """The leg rows of these keys (with their trips), for a page that already holds the keys of a manifest."""
    return uow.trip_logs.legs_by_keys(keys)
