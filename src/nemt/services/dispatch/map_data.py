"""What the dispatch board's map shows: the day's stops, where each vehicle was last seen, and its next stop with the
estimated time it gets there.

A vehicle's last position is the newest position its driver's phone sent with a trip-log event (arrive, pick-up,
drop-off: ``trip_event_evidence``, append-only); a vehicle whose phone sent none is placed where the trip log last
saw it (the ZIP of that stop), and one the log has not seen yet is not drawn. Its next stop is the first stop still to
drive on its run, in the run's order (``services.dispatch.live``), with the estimated time of ``services.dispatch.eta``.
Read-only; the legs' members are those the board lists (their reading is in the audit trail through the board's
``rides_of_day``), and the map shows no member's name: a stop is its trip and leg.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nemt import geo
from nemt.domain.actors import Actor
from nemt.policy import load_policy
from nemt.services.platform import permissions
from nemt.services.platform.permissions import Action
from nemt.store.models import Leg

if TYPE_CHECKING:
    from nemt.services.dispatch.board import Board, StopPoint
    from nemt.services.dispatch.eta import LiveView
    from nemt.services.dispatch.live import LiveDay
    from nemt.store.uow import UnitOfWork


@dataclass(frozen=True)
class NextStop:
    label: str  # "T-3/1 pick-up" (trip and leg)
    kind: str  # pickup | dropoff
    lat: float
    lon: float
    eta: dt.datetime | None


@dataclass(frozen=True)
class VehicleMark:
    vehicle: str  # its external id
    vehicle_type: str
    lat: float
    lon: float
    seen_at: dt.datetime
    source: str  # "phone" (a position its driver's phone sent) or "trip log" (the ZIP of the stop last logged)
    next_stop: NextStop | None


@dataclass(frozen=True)
class DayMap:
    state: str  # the program's state (postal code): whose county outlines to draw
    stops: list[StopPoint]
    vehicles: list[VehicleMark]


def run_heads(live: LiveDay) -> dict[int, tuple[str, str]]:
    """Vehicle id -> (leg key, "pickup" | "dropoff") of the first stop still to drive on its run."""
    out: dict[int, tuple[str, str]] = {}
    for k, stops in live.order.items():
        if stops:
            r, kind = stops[0]
            out[live.model.vehicles[k].id] = (live.model.legs[r].key, kind.value)
    return out


def last_seen(live: LiveDay) -> dict[int, tuple[str, dt.datetime]]:
    """Vehicle id -> (ZIP, when) of the place the trip log last saw it, on the live day."""
    zips = {i: z for z, i in live.model.zip_index.items()}
    return {live.model.vehicles[k].id: (zips[place], live.model.at(minute))
            for k, (place, minute) in live.state.positions.items() if place in zips}


def _point(zip_code: str) -> geo.Point | None:
    try:
        return geo.point_of_zip(zip_code)
    except geo.GeoError:
        return None


def day_map(uow: UnitOfWork, actor: Actor, program: str, board: Board, view: LiveView) -> DayMap:
    """The map of ``board``'s day: its stops, each vehicle's last position and next stop (``view``: the live part's
    estimated times, run heads and trip-log places)."""
    permissions.require(actor, Action.DISPATCH)
    phones = uow.live_day.last_positions(program, board.day)
    legs = {leg.key: leg for leg in board.legs}
    marks = []
    for vehicle in board.fleet:
        place = _place(vehicle.id, phones, view.seen)
        if place is None:
            continue
        lat, lon, at, source = place
        head = view.heads.get(vehicle.id)
        marks.append(VehicleMark(vehicle.external_id, vehicle.vehicle_type, lat, lon, at, source,
                                 _next_stop(head, legs, view) if head else None))
    return DayMap(load_policy(program).state, board.stops, marks)


def _place(vehicle_id: int, phones: Mapping[int, tuple[float, float, dt.datetime]],
           seen: Mapping[int, tuple[str, dt.datetime]]) -> tuple[float, float, dt.datetime, str] | None:
    """Where the vehicle was last: its phone's newest position, or the trip log's last place if that is newer."""
    phone = phones.get(vehicle_id)
    logged = seen.get(vehicle_id)
    point = _point(logged[0]) if logged else None
    if phone is not None and (point is None or logged is None or _aware(phone[2]) >= logged[1]):
        return phone[0], phone[1], _aware(phone[2]), "phone"
    if point is not None and logged is not None:
        return point.lat, point.lon, logged[1], "trip log"
    return None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _next_stop(head: tuple[str, str], legs: Mapping[str, Leg], view: LiveView) -> NextStop | None:
    key, kind = head
    leg = legs.get(key)
    if leg is None:
        return None
    pickup = kind == "pickup"
    point = _point(leg.origin_zip if pickup else leg.destination_zip)
    if point is None:
        return None
    eta = view.etas.get(key)
    when = None if eta is None else (eta.pickup if pickup else eta.dropoff)
    label = f"{leg.trip.confirmation}/{leg.sequence} {'pick-up' if pickup else 'drop-off'}"
    return NextStop(label, kind, point.lat, point.lon, when)
