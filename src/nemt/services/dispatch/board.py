"""What the dispatch board shows for a day: the program's vehicle legs (unassigned, late, on each vehicle), the fleet,
a lane per vehicle of its legs in local minutes, and the stops to place on a map. Read-only; lateness is the one rule
of ``nemt.domain.punctuality``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nemt import geo
from nemt.domain.actors import Actor
from nemt.domain.punctuality import LegTimes, expected_lateness, plan_lateness
from nemt.domain.statuses import OPEN_LEG_STATUSES, LegStatus
from nemt.policy import load_policy
from nemt.services import rides
from nemt.services.dispatch.day import VEHICLE_MODES
from nemt.services.platform import permissions
from nemt.services.platform.permissions import Action
from nemt.store.models import Driver, Leg, Vehicle

if TYPE_CHECKING:
    from collections.abc import Mapping

    from nemt.services.dispatch.eta import Eta
    from nemt.store.uow import UnitOfWork

_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class LaneSegment:
    """A leg on a vehicle's lane: local minutes after midnight from planned pick-up to planned drop-off, a label and
    its kind (``scheduled``, ``late`` or ``done``)."""

    start: float
    end: float
    label: str
    kind: str


@dataclass(frozen=True)
class Lane:
    label: str  # the vehicle
    segments: list[LaneSegment]


@dataclass(frozen=True)
class StopPoint:
    """A stop placed by its ZIP's centroid: ``kind`` is pickup, dropoff or unassigned (a pick-up not yet assigned)."""

    lat: float
    lon: float
    label: str
    kind: str


@dataclass(frozen=True)
class Board:
    day: dt.date
    legs: list[Leg]  # the day's vehicle legs, by promised time
    other_modes: list[Leg]  # legs no vehicle carries (public transit, mileage reimbursement)
    fleet: list[Vehicle]
    vehicles: dict[int, Vehicle]
    drivers: dict[int, Driver]
    unassigned: list[Leg]
    late: list[tuple[Leg, str]]  # (leg, why in words)
    used: list[Vehicle]  # vehicles with legs
    lanes: list[Lane]
    stops: list[StopPoint]
    now_minute: float | None  # local minutes after midnight, when the day is today


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """Stored instants are UTC; SQLite returns them naive."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class _Clock:
    """Local minutes and times of the program's zone."""

    def __init__(self, zone: dt.tzinfo) -> None:
        self.zone = zone

    def minute(self, value: dt.datetime | None) -> float | None:
        local = self.local(value)
        return None if local is None else local.hour * 60 + local.minute

    def local(self, value: dt.datetime | None) -> dt.datetime | None:
        aware = _aware(value)
        return None if aware is None else aware.astimezone(self.zone)

    def minute_on(self, day: dt.date, now: dt.datetime) -> float | None:
        """The local minute of ``now`` if it falls on ``day`` (the board's "now" line), else None."""
        local = self.local(now)
        return self.minute(now) if local is not None and local.date() == day else None

    def hhmm(self, value: dt.datetime | None) -> str:
        local = self.local(value)
        return "" if local is None else local.strftime("%H:%M")


def day_board(uow: UnitOfWork, actor: Actor, program: str, day: dt.date, *, now: dt.datetime,
              etas: Mapping[str, Eta] | None = None) -> Board:
    """What the dispatch board shows for ``day``: the program's legs, vehicles, lateness; read-only. ``etas``: each
    leg's estimated times (``services.dispatch.eta``): a leg that will miss its window says by how much and when."""
    permissions.require(actor, Action.DISPATCH)
    policy = load_policy(program)
    window = dt.timedelta(minutes=int(policy.get("operations.pickup_window_minutes")))
    clock = _Clock(policy.time_zone)
    legs = _legs_of_day(uow, actor, program, day)
    # Public transit and mileage reimbursement are not carried by a vehicle: not on the board.
    other_modes = [leg for leg in legs if leg.trip.mode not in VEHICLE_MODES]
    legs = [leg for leg in legs if leg.trip.mode in VEHICLE_MODES]
    fleet = uow.dispatch.fleet(program, enrolled_only=False)
    on_vehicles = [leg for leg in legs if leg.vehicle_id is not None]
    late = _late(on_vehicles, window, now, etas or {}, clock)
    late_ids = {leg.id for leg, _ in late}
    lanes = [lane for v in fleet if (lane := _lane(v, on_vehicles, late_ids, clock, now)).segments]
    used_ids = {leg.vehicle_id for leg in on_vehicles}
    return Board(
        day=day, legs=legs, other_modes=other_modes, fleet=fleet, vehicles={v.id: v for v in fleet},
        drivers=uow.dispatch.drivers(leg.driver_id for leg in legs if leg.driver_id),
        unassigned=[leg for leg in legs if leg.vehicle_id is None and leg.status in OPEN_LEG_STATUSES],
        late=late, used=[v for v in fleet if v.id in used_ids], lanes=lanes, stops=_stop_points(legs),
        now_minute=clock.minute_on(day, now))


def _legs_of_day(uow: UnitOfWork, actor: Actor, program: str, day: dt.date) -> list[Leg]:
    """The day's legs of approved, active rides, not cancelled, by promised time. The rides come through the
    booking service: scoped to the actor, and each read is in the audit trail."""
    trips = rides.rides_of_day(uow, actor, day, program=program)
    legs = [leg for trip in trips if trip.status == "active" and trip.outcome == "approved" for leg in trip.legs
            if leg.service_date == day and leg.status != LegStatus.CANCELLED]
    legs.sort(key=lambda lg: (_aware(lg.planned_pickup or lg.pickup_earliest or lg.dropoff_latest) or _FAR, lg.id))
    return legs


def _times(leg: Leg) -> LegTimes:
    return LegTimes(pickup_earliest=_aware(leg.pickup_earliest), dropoff_latest=_aware(leg.dropoff_latest),
                    planned_pickup=_aware(leg.planned_pickup), planned_dropoff=_aware(leg.planned_dropoff))


def _late(legs: list[Leg], window: dt.timedelta, now: dt.datetime, etas: Mapping[str, Eta],
          clock: _Clock) -> list[tuple[Leg, str]]:
    """The legs late by their plan or by their estimated times (``nemt.domain.punctuality``), with why in words: a
    leg the vehicle will reach late says by how many minutes and when, instead of only "not picked up yet"."""
    late = []
    for leg in legs:
        times = _times(leg)
        open_leg = leg.status in OPEN_LEG_STATUSES
        eta = etas.get(leg.key) if open_leg else None
        why = plan_lateness(times, window, now=now, open_leg=open_leg, eta_pickup=eta.pickup if eta else None,
                            on_board=eta is not None and eta.pickup is None)
        if eta is not None:
            why += expected_lateness(times, window, eta_pickup=eta.pickup, eta_dropoff=eta.dropoff, hhmm=clock.hhmm)
        if why:
            late.append((leg, "; ".join(why)))
    return late


def _lane(vehicle: Vehicle, legs: list[Leg], late_ids: set[int], clock: _Clock, now: dt.datetime) -> Lane:
    """The vehicle's legs as bars from planned pick-up to planned drop-off (at least ten minutes wide)."""
    segments = []
    mine = [leg for leg in legs if leg.vehicle_id == vehicle.id]
    for leg in sorted(mine, key=lambda lg: lg.planned_pickup or lg.dropoff_latest or now):
        start = clock.minute(leg.planned_pickup or leg.pickup_earliest or leg.dropoff_latest)
        if start is None:
            continue
        end = clock.minute(leg.planned_dropoff or leg.dropoff_latest) or start + 30
        kind = "late" if leg.id in late_ids else ("done" if leg.status not in OPEN_LEG_STATUSES else "scheduled")
        segments.append(LaneSegment(start, max(end, start + 10),
                                    f"{leg.trip.confirmation}/{leg.sequence} {clock.hhmm(leg.planned_pickup)}", kind))
    return Lane(f"{vehicle.external_id} {vehicle.vehicle_type}", segments)


def _stop_points(legs: list[Leg]) -> list[StopPoint]:
    points = []
    for leg in legs:
        for zip_code, kind, what in ((leg.origin_zip, "pickup", "pick-up"),
                                     (leg.destination_zip, "dropoff", "drop-off")):
            try:
                p = geo.point_of_zip(zip_code)
            except geo.GeoError:
                continue
            points.append(StopPoint(p.lat, p.lon, f"{leg.trip.confirmation}/{leg.sequence} {what} {zip_code[:5]}",
                                    "unassigned" if leg.vehicle_id is None and kind == "pickup" else kind))
    return points
