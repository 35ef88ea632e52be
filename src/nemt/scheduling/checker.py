"""Independent feasibility checker for DARP solutions.

Deliberately shares no code with the solver: it reads only the plain data model
(:mod:`nemt.scheduling.model`) and re-derives every quantity from the instance, so a solver bug
cannot hide behind a shared helper. It checks the constraints of Cordeau (2006) §2:

* every request served exactly once, pickup before drop-off, both on the same vehicle;
* each route starts at its vehicle's start depot and ends at its end depot, within the shift;
* time windows on the start of service, and consistent times ``B_j >= B_i + d_i + t_ij``;
* load per space type within the vehicle's capacity (and never negative);
* ride time ``B_drop - (B_pick + d_pick) <= L`` per request;
* route duration ``B_end - B_start <= max_route_duration``;
* the vehicle holds the credentials the request requires;
* on a live day (``not_before``, the dispatcher's "now" in the instance's minutes): no stop starts before now, so a
  plan saved at 15:00 never has a vehicle leave, pick up or drop off at 14:50;

and recomputes the routing cost from the cost matrix. Each violation is a :class:`Violation`: its kind (what was
broken), where (route, vehicle, request, stop) and by how much; its message is built from those.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from .model import Instance, Request, Route, Solution, Stop, StopKind, Vehicle

#: Absolute tolerance on times and costs (the data are given with 3 decimals; arithmetic is double).
TOLERANCE = 1e-6


class ViolationKind(StrEnum):
    """What a violation breaks."""

    UNKNOWN_VEHICLE = "unknown-vehicle"  # the route names no vehicle of the instance
    VEHICLE_REUSED = "vehicle-reused"  # two routes for one vehicle
    ROUTE_TOO_SHORT = "route-too-short"  # fewer than the two depot stops
    START_DEPOT = "start-depot"
    END_DEPOT = "end-depot"
    DEPOT_IN_ROUTE = "depot-in-route"  # a depot stop between the first and the last
    SHIFT_START = "shift-start"  # leaves the depot before the shift starts
    SHIFT_END = "shift-end"  # returns after the shift ends
    ROUTE_DURATION = "route-duration"
    UNKNOWN_REQUEST = "unknown-request"
    CREDENTIAL = "credential"
    SERVED_TWICE = "served-twice"  # picked up (or dropped off) more than once
    PRECEDENCE = "precedence"  # dropped off before (or without) the pickup on the route
    RIDE_TIME = "ride-time"
    LOCATION = "location"  # a stop at another location than its request's
    TIME_WINDOW = "time-window"
    CAPACITY = "capacity"
    NEGATIVE_LOAD = "negative-load"
    TRAVEL_TIME = "travel-time"  # starts before the vehicle can arrive from the previous stop
    NOT_EMPTY = "not-empty"  # riders still on board at the end depot
    UNSERVED = "unserved"
    SPLIT = "split"  # picked up and dropped off by different vehicles
    COST = "cost"  # the reported cost is not the recomputed one
    BEFORE_NOW = "before-now"  # a stop of a live day's plan starts before now


_K = ViolationKind

_TEXT: dict[ViolationKind, str] = {
    _K.UNKNOWN_VEHICLE: "{where}: no such vehicle",
    _K.VEHICLE_REUSED: "{where}: vehicle used by more than one route",
    _K.ROUTE_TOO_SHORT: "{where}: a route needs at least its start and end depot",
    _K.START_DEPOT: "{where}: does not begin at the vehicle's start depot",
    _K.END_DEPOT: "{where}: does not end at the vehicle's end depot",
    _K.DEPOT_IN_ROUTE: "{where}: depot stop in the middle of the route at position {stop}",
    _K.SHIFT_START: "{where}: leaves the depot at {amount:.4f} before the shift starts",
    _K.SHIFT_END: "{where}: returns at {amount:.4f} after the shift ends",
    _K.ROUTE_DURATION: "{where}: duration {amount:.4f} exceeds {limit:g}",
    _K.UNKNOWN_REQUEST: "{where}: stop {stop} names unknown request {request}",
    _K.CREDENTIAL: "{where}: vehicle lacks credentials {detail} of request {request}",
    _K.SERVED_TWICE: "request {request} {detail} more than once",
    _K.PRECEDENCE: "{where}: request {request} dropped off before (or without) its pickup on this route",
    _K.RIDE_TIME: "request {request}: ride time {amount:.4f} exceeds {limit:g}",
    _K.LOCATION: "{where}: stop {stop} of request {request} is at location {amount}, expected {limit}",
    _K.TIME_WINDOW: "request {request} {detail}: service starts at {amount:.4f} outside [{lower:g}, {limit:g}]",
    _K.CAPACITY: "{where}: {detail} load {amount} exceeds capacity {limit} at stop {stop}",
    _K.NEGATIVE_LOAD: "{where}: negative {detail} load at stop {stop}",
    _K.TRAVEL_TIME: "{where}: stop {stop} starts at {amount:.4f}, before arrival {limit:.4f} from the previous stop",
    _K.NOT_EMPTY: "{where}: vehicle not empty at the end depot",
    _K.UNSERVED: "request {request} is not served",
    _K.SPLIT: "request {request} is picked up and dropped off by different vehicles",
    _K.COST: "reported cost {amount:.6f} differs from recomputed cost {limit:.6f}",
    _K.BEFORE_NOW: "{where}: stop {stop} starts at {amount:.4f}, before now {limit:.4f}",
}


@dataclass(frozen=True)
class Violation:
    """One broken constraint: its kind; the route (index in the solution) and vehicle (index in the instance) it is
    on; the request (its id) and stop (position on the route); the amount found against its limit (``lower``: the
    lower bound of a window); ``detail``: the space type, the stop's kind or the credentials concerned."""

    kind: ViolationKind
    route: int | None = None
    vehicle: int | None = None
    request: str | None = None
    stop: int | None = None
    amount: float | None = None
    limit: float | None = None
    lower: float | None = None
    detail: str = ""

    @property
    def message(self) -> str:
        where = f"route {self.route} (vehicle {self.vehicle})"
        return _TEXT[self.kind].format(where=where, request=self.request, stop=self.stop, amount=self.amount,
                                       limit=self.limit, lower=self.lower, detail=self.detail)

    def __str__(self) -> str:
        return self.message


@dataclass
class CheckResult:
    feasible: bool
    cost: float
    violations: list[Violation] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.feasible

    @property
    def messages(self) -> list[str]:
        """The violations in words."""
        return [v.message for v in self.violations]

    def only(self, *kinds: ViolationKind) -> bool:
        """Whether every violation found is of one of ``kinds`` (true when there is none)."""
        return all(v.kind in kinds for v in self.violations)


@dataclass
class _Tally:
    """What the walk over the routes has found so far."""

    instance: Instance
    tol: float
    violations: list[Violation] = field(default_factory=list)
    picked_on: dict[int, int] = field(default_factory=dict)  # request -> route index where picked up
    dropped_on: dict[int, int] = field(default_factory=dict)
    used_vehicles: set[int] = field(default_factory=set)
    cost: float = 0.0

    def add(self, violation: Violation) -> None:
        self.violations.append(violation)


@dataclass
class _RouteWalk:
    """One route being walked: where it is, its vehicle, the load on board and the pickup times seen."""

    index: int
    route: Route
    vehicle: Vehicle
    load: list[int]
    pickup_time: dict[int, float] = field(default_factory=dict)

    def add(self, tally: _Tally, kind: ViolationKind, *, request: str | None = None, stop: int | None = None,
            amount: float | None = None, limit: float | None = None, lower: float | None = None,
            detail: str = "") -> None:
        """Record a violation on this route."""
        tally.add(Violation(kind, self.index, self.route.vehicle, request, stop, amount, limit, lower, detail))


def check_solution(instance: Instance, solution: Solution, tol: float = TOLERANCE, *,
                   not_before: float | None = None) -> CheckResult:
    """Verify ``solution`` against ``instance``; returns the recomputed cost and every violation found. With
    ``not_before`` (a live day's "now"), every stop must also start at or after it."""
    tally = _Tally(instance, tol)
    for ridx, route in enumerate(solution.routes):
        _check_route(tally, ridx, route)
        if not_before is not None:
            _check_not_before(tally, ridx, route, not_before)
    for r, req in enumerate(instance.requests):
        if r not in tally.picked_on or r not in tally.dropped_on:
            tally.add(Violation(_K.UNSERVED, request=req.id))
        elif tally.picked_on[r] != tally.dropped_on[r]:
            tally.add(Violation(_K.SPLIT, request=req.id))
    if not math.isclose(tally.cost, solution.cost, rel_tol=1e-9, abs_tol=tol * 10):
        tally.add(Violation(_K.COST, amount=solution.cost, limit=tally.cost))
    return CheckResult(feasible=not tally.violations, cost=tally.cost, violations=tally.violations)


def _check_not_before(tally: _Tally, ridx: int, route: Route, not_before: float) -> None:
    """A live day's plan: nothing is planned in the past."""
    for pos, stop in enumerate(route.stops):
        if stop.service_start < not_before - tally.tol:
            request = tally.instance.requests[stop.request].id if 0 <= stop.request < len(tally.instance.requests) \
                else None
            tally.add(Violation(_K.BEFORE_NOW, ridx, route.vehicle, request, pos, stop.service_start, not_before,
                                detail=stop.kind.value))


def _check_route(tally: _Tally, ridx: int, route: Route) -> None:
    instance = tally.instance
    if not 0 <= route.vehicle < len(instance.vehicles):
        tally.add(Violation(_K.UNKNOWN_VEHICLE, route=ridx, vehicle=route.vehicle))
        return
    walk = _RouteWalk(ridx, route, instance.vehicles[route.vehicle], [0] * len(instance.space_types))
    if route.vehicle in tally.used_vehicles:
        walk.add(tally, _K.VEHICLE_REUSED)
    tally.used_vehicles.add(route.vehicle)
    stops = route.stops
    if len(stops) < 2:
        walk.add(tally, _K.ROUTE_TOO_SHORT)
        return
    _check_depots_and_shift(tally, walk)
    for pos, stop in enumerate(stops):
        if 0 < pos < len(stops) - 1 and stop.kind in (StopKind.START, StopKind.END):
            walk.add(tally, _K.DEPOT_IN_ROUTE, stop=pos)
        if stop.kind in (StopKind.PICKUP, StopKind.DROPOFF):
            if not 0 <= stop.request < len(instance.requests):
                walk.add(tally, _K.UNKNOWN_REQUEST, stop=pos, request=str(stop.request))
                continue
            _check_visit(tally, walk, pos, stop)
        if pos > 0:
            _check_travel(tally, walk, pos, stops[pos - 1], stop)
    if any(walk.load):
        walk.add(tally, _K.NOT_EMPTY)


def _check_depots_and_shift(tally: _Tally, walk: _RouteWalk) -> None:
    stops, vehicle, tol = walk.route.stops, walk.vehicle, tally.tol
    if stops[0].kind is not StopKind.START or stops[0].location != vehicle.start_location:
        walk.add(tally, _K.START_DEPOT)
    if stops[-1].kind is not StopKind.END or stops[-1].location != vehicle.end_location:
        walk.add(tally, _K.END_DEPOT)
    if stops[0].service_start < vehicle.shift.earliest - tol:
        walk.add(tally, _K.SHIFT_START, amount=stops[0].service_start, limit=vehicle.shift.earliest)
    if stops[-1].service_start > vehicle.shift.latest + tol:
        walk.add(tally, _K.SHIFT_END, amount=stops[-1].service_start, limit=vehicle.shift.latest)
    duration = stops[-1].service_start - stops[0].service_start
    if duration > vehicle.max_route_duration + tol:
        walk.add(tally, _K.ROUTE_DURATION, amount=duration, limit=vehicle.max_route_duration)


def _check_visit(tally: _Tally, walk: _RouteWalk, pos: int, stop: Stop) -> None:
    """A pickup or drop-off of a known request: credentials, order, ride time, location, window and load."""
    req = tally.instance.requests[stop.request]
    if not walk.vehicle.can_serve(req):
        walk.add(tally, _K.CREDENTIAL, request=req.id, detail=str(sorted(req.required_credentials)))
    if stop.kind is StopKind.PICKUP:
        expected_loc, window, sign = req.pickup_location, req.pickup_window, 1
        _check_pickup(tally, walk, stop, req)
    else:
        expected_loc, window, sign = req.dropoff_location, req.dropoff_window, -1
        _check_dropoff(tally, walk, stop, req)
    if stop.location != expected_loc:
        walk.add(tally, _K.LOCATION, stop=pos, request=req.id, amount=stop.location, limit=expected_loc)
    if not window.earliest - tally.tol <= stop.service_start <= window.latest + tally.tol:
        walk.add(tally, _K.TIME_WINDOW, request=req.id,
                  detail=stop.kind.value, amount=stop.service_start, lower=window.earliest, limit=window.latest)
    _check_load(tally, walk, pos, req, sign)


def _check_pickup(tally: _Tally, walk: _RouteWalk, stop: Stop, req: Request) -> None:
    r = stop.request
    if r in tally.picked_on:
        walk.add(tally, _K.SERVED_TWICE, request=req.id, detail="picked up")
    tally.picked_on[r] = walk.index
    walk.pickup_time[r] = stop.service_start


def _check_dropoff(tally: _Tally, walk: _RouteWalk, stop: Stop, req: Request) -> None:
    r = stop.request
    if r in tally.dropped_on:
        walk.add(tally, _K.SERVED_TWICE, request=req.id,
                  detail="dropped off")
    tally.dropped_on[r] = walk.index
    if r not in walk.pickup_time:
        walk.add(tally, _K.PRECEDENCE, request=req.id)
        return
    ride = stop.service_start - (walk.pickup_time[r] + req.pickup_service)
    if ride > req.max_ride_time + tally.tol:
        walk.add(tally, _K.RIDE_TIME, request=req.id, amount=ride,
                  limit=req.max_ride_time)


def _check_load(tally: _Tally, walk: _RouteWalk, pos: int, req: Request, sign: int) -> None:
    space_types, capacity, load = tally.instance.space_types, walk.vehicle.capacity, walk.load
    for s in range(len(space_types)):
        load[s] += sign * req.load[s]
        if load[s] > capacity[s]:
            walk.add(tally, _K.CAPACITY, detail=space_types[s], amount=load[s], limit=capacity[s], stop=pos)
        if load[s] < 0:
            walk.add(tally, _K.NEGATIVE_LOAD, detail=space_types[s], stop=pos)


def _check_travel(tally: _Tally, walk: _RouteWalk, pos: int, prev: Stop, stop: Stop) -> None:
    """Consistent times from the previous stop, and the cost of the arc."""
    instance = tally.instance
    earliest = prev.service_start + _service_time(instance, prev) + instance.travel_time[prev.location, stop.location]
    if stop.service_start < earliest - tally.tol:
        walk.add(tally, _K.TRAVEL_TIME, stop=pos, amount=stop.service_start, limit=float(earliest))
    tally.cost += float(instance.cost[prev.location, stop.location])


def _service_time(instance: Instance, stop: Stop) -> float:
    if stop.kind is StopKind.PICKUP:
        return instance.requests[stop.request].pickup_service
    if stop.kind is StopKind.DROPOFF:
        return instance.requests[stop.request].dropoff_service
    return 0.0
