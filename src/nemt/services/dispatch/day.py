"""The day model: a day's legs and fleet from the store as a dial-a-ride instance (``nemt.scheduling``).

Requests come from the legs (time windows from the appointment, loads by space type, the mode a vehicle must serve),
vehicles from the provider network (capacities, shift, and only the modes their credentials allow on that day),
travel times from ``nemt.geo``. The program's operations section of the policy gives the shift, the service minutes,
the ride-time limits and the windows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nemt.domain.statuses import LegStatus
from nemt.policy import load_policy
from nemt.services import network
from nemt.store.models import Driver, Leg, Vehicle, WillCall

if TYPE_CHECKING:  # the scheduling engine (numpy, the solver) is imported when a day is built
    from nemt.scheduling import Instance, Request, TimeWindow
    from nemt.scheduling import Vehicle as SVehicle
    from nemt.store.uow import UnitOfWork

# Modes carried by a scheduled vehicle; the others are tickets or mileage reimbursement.
VEHICLE_MODES = ("mobility-ambulatory", "taxi", "wheelchair-van", "stretcher-van", "ground-ambulance")
# The statuses of a leg still to be driven (the dispatcher plans these): ``OPEN_LEG_STATUSES`` in a fixed order.
OPEN_STATUSES = (LegStatus.SCHEDULED, LegStatus.ASSIGNED)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def known_zip(zip_code: str | None) -> bool:
    from nemt import geo

    try:
        geo.lookup_zip(zip_code or "", "zip")
        return True
    except geo.GeoError:
        return False


@dataclass
class DayModel:
    """A day's scheduling instance and how its indices map back to the store."""

    instance: Instance
    legs: list[Leg]
    vehicles: list[Vehicle]
    drivers: list[Driver | None]
    midnight: dt.datetime
    excluded: dict[str, str] = field(default_factory=dict)  # leg key -> why it could not be scheduled
    miles: Any = None  # road miles between the instance's locations (a matrix like ``instance.travel_time``)
    zip_index: dict[str, int] = field(default_factory=dict)  # five-digit ZIP -> the instance's location
    calls: dict[int, WillCall] = field(default_factory=dict)  # leg id -> the member's will-call, read once

    def at(self, minutes: float) -> dt.datetime:
        return self.midnight + dt.timedelta(minutes=float(minutes))

    def minutes(self, when: dt.datetime) -> float:
        return (when - self.midnight).total_seconds() / 60


def vehicle_drivers(uow: UnitOfWork, vehicles: list[Vehicle], day: dt.date) -> list[Driver | None]:
    """The driver of each vehicle that day: the run's driver if one was set, else the providers' active drivers
    paired with their vehicles in order."""
    runs = uow.dispatch.runs_of_day(day)
    by_provider: dict[int, list[Driver]] = {}
    for d in uow.dispatch.active_drivers():
        by_provider.setdefault(d.provider_id, []).append(d)
    taken: set[int] = {r.driver_id for r in runs.values() if r.driver_id}
    out: list[Driver | None] = []
    for v in vehicles:
        run = runs.get(v.id)
        if run and run.driver_id:
            out.append(uow.dispatch.driver(run.driver_id))
            continue
        free = [d for d in by_provider.get(v.provider_id, []) if d.id not in taken]
        out.append(free[0] if free else None)
        if free:
            taken.add(free[0].id)
    return out


class _Locations:
    """The distinct ZIP codes of a day, numbered in the order first seen: the instance's locations."""

    def __init__(self) -> None:
        self.zips: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, zip_code: str) -> int:
        z = zip_code[:5]
        if z not in self._index:
            self._index[z] = len(self.zips)
            self.zips.append(z)
        return self._index[z]


@dataclass(frozen=True)
class _Operations:
    """The program's operations policy in the instance's units (minutes after midnight)."""

    shift: TimeWindow
    service: float
    max_ride_minutes: float
    max_ride_factor: float
    early_arrival: float
    return_window: float

    @classmethod
    def of(cls, ops: Mapping[str, Any]) -> _Operations:
        from nemt.scheduling import TimeWindow

        return cls(TimeWindow(_minutes(ops["shift_start"]), _minutes(ops["shift_end"])),
                   float(ops["service_minutes"]), float(ops["max_ride_minutes"]), float(ops["max_ride_factor"]),
                   float(ops["early_arrival_minutes"]), float(ops["return_pickup_window_minutes"]))


def build_day(uow: UnitOfWork, program: str, day: dt.date, *, engine: Any = None, legs: list[Leg] | None = None,
              fleet: list[Vehicle] | None = None, drivers: list[Driver | None] | None = None,
              places: Sequence[str] = ()) -> DayModel:
    """The dial-a-ride instance of ``day``: open, approved vehicle legs of the program and the credentialed fleet
    (or the given ``legs`` on the given ``fleet``, for re-planning one vehicle's run); ``places``: more ZIP codes
    the instance needs as locations (where vehicles were last seen)."""
    import numpy as np

    from nemt import geo
    from nemt.scheduling import Instance

    policy = load_policy(program)
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=policy.time_zone)
    if legs is None:
        legs = uow.dispatch.open_legs(program, day, VEHICLE_MODES)
    if fleet is None:
        fleet = uow.dispatch.fleet(program)
    if drivers is None:
        drivers = vehicle_drivers(uow, fleet, day)
    excluded: dict[str, str] = {}
    usable_legs = []
    for leg in legs:
        if known_zip(leg.origin_zip) and known_zip(leg.destination_zip):
            usable_legs.append(leg)
        else:
            excluded[leg.key] = "unknown origin or destination ZIP"
    # A vehicle's run starts and ends at its base; one without a known base ZIP cannot be routed.
    based = [(v, d) for v, d in zip(fleet, drivers, strict=True) if known_zip(v.base_zip)]
    fleet, drivers = [v for v, _ in based], [d for _, d in based]
    loc = _Locations()
    bases = [loc(v.base_zip) for v in fleet]
    for leg in usable_legs:
        loc(leg.origin_zip)
        loc(leg.destination_zip)
    for zip_code in places:
        if known_zip(zip_code):
            loc(zip_code)
    miles, minutes = (engine or geo.default_engine()).matrix([geo.lookup_zip(z, "zip").point for z in loc.zips])
    travel = np.asarray(minutes, dtype=float)
    ops = _Operations.of(policy.section("operations"))
    calls = uow.live_day.will_calls([leg.id for leg in usable_legs]) if usable_legs else {}
    requests = [_request(leg, loc, travel, ops, midnight, calls.get(leg.id)) for leg in usable_legs]
    modes = sorted({leg.trip.mode for leg in usable_legs if leg.trip.mode})  # only the modes the day needs
    vehicles = [_vehicle(v, driver, base, ops, program, day, modes)
                for v, driver, base in zip(fleet, drivers, bases, strict=True)]
    instance = Instance(name=f"{program}-{day.isoformat()}", requests=requests, vehicles=vehicles,
                        travel_time=travel)
    return DayModel(instance, usable_legs, fleet, drivers, midnight, excluded, np.asarray(miles, dtype=float),
                    dict(loc._index), calls)


def _request(leg: Leg, loc: _Locations, travel: Any, ops: _Operations, midnight: dt.datetime,
             call: WillCall | None = None) -> Request:
    """A leg as a request: to an appointment, arrive in the window before it; a return, picked up in the window
    after the requested time — or, a will-call return, between the member's call and the pick-up promised then.
    Loads by space type: seats, wheelchair positions, stretcher positions."""
    from nemt.scheduling import Request, TimeWindow

    trip = leg.trip
    o, d = loc(leg.origin_zip), loc(leg.destination_zip)
    direct = float(travel[o, d])
    ride = max(ops.max_ride_minutes, ops.max_ride_factor * direct)
    shift = ops.shift
    if leg.dropoff_latest is not None:  # to the appointment: arrive in the window before it
        latest = (leg.dropoff_latest - midnight).total_seconds() / 60
        drop_w = TimeWindow(max(shift.earliest, latest - ops.early_arrival), latest)
        pick_w = TimeWindow(shift.earliest, max(shift.earliest, latest - direct - ops.service))
    elif call is not None:  # a will-call return: from the call to the pick-up promised
        earliest = (call.called_at - midnight).total_seconds() / 60
        pick_w = TimeWindow(earliest, (call.promised_by - midnight).total_seconds() / 60)
        drop_w = TimeWindow(earliest, shift.latest)
    else:  # a return: picked up within the window after the requested time
        earliest = ((leg.pickup_earliest or midnight) - midnight).total_seconds() / 60
        pick_w = TimeWindow(earliest, earliest + ops.return_window)
        drop_w = TimeWindow(earliest, shift.latest)
    space = trip.space or "seat"
    riders = 1 + (trip.escorts or 0) + (trip.passengers or 0)
    load = (riders if space == "seat" else riders - 1,
            1 if space == "wheelchair" else 0, 1 if space == "stretcher" else 0)
    return Request(id=leg.key, pickup_location=o, dropoff_location=d, pickup_window=pick_w, dropoff_window=drop_w,
                   pickup_service=ops.service, dropoff_service=ops.service, load=load, max_ride_time=ride,
                   required_credentials=frozenset({f"mode:{trip.mode}", f"county:{trip.member.county}"}))


def _vehicle(v: Vehicle, driver: Driver | None, base: int, ops: _Operations, program: str,
             day: dt.date, modes: Sequence[str] = VEHICLE_MODES) -> SVehicle:
    """A vehicle as the solver sees it: the modes (of ``modes``) its driver and it may carry that day, the counties
    it serves."""
    from nemt.scheduling import Vehicle as SVehicle

    creds: set[str] = set()
    if driver is not None:
        for mode in modes:
            if network.assignment_check(driver, v, mode, day, program).ok:
                creds.add(f"mode:{mode}")
        creds |= {f"county:{c}" for c in (v.provider.service_counties or [])}
    shift = ops.shift
    return SVehicle(id=v.key, start_location=base, end_location=base, shift=shift,
                    capacity=(v.seats, v.wheelchair_positions, v.stretcher_positions),
                    max_route_duration=shift.latest - shift.earliest, credentials=frozenset(creds))
