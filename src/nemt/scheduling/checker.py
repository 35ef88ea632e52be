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

and recomputes the routing cost from the cost matrix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .model import Instance, Solution, Stop, StopKind

#: Absolute tolerance on times and costs (the data are given with 3 decimals; arithmetic is double).
TOLERANCE = 1e-6


@dataclass
class CheckResult:
    feasible: bool
    cost: float
    violations: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.feasible


def check_solution(instance: Instance, solution: Solution, tol: float = TOLERANCE) -> CheckResult:
    """Verify ``solution`` against ``instance``; returns the recomputed cost and every violation found."""
    violations: list[str] = []
    requests = instance.requests
    tt = instance.travel_time
    cost_matrix = instance.cost
    width = len(instance.space_types)
    picked_on: dict[int, int] = {}  # request -> route index where picked up
    dropped_on: dict[int, int] = {}
    used_vehicles: set[int] = set()
    total_cost = 0.0

    for ridx, route in enumerate(solution.routes):
        where = f"route {ridx} (vehicle {route.vehicle})"
        if not 0 <= route.vehicle < len(instance.vehicles):
            violations.append(f"{where}: no such vehicle")
            continue
        if route.vehicle in used_vehicles:
            violations.append(f"{where}: vehicle used by more than one route")
        used_vehicles.add(route.vehicle)
        vehicle = instance.vehicles[route.vehicle]
        stops = route.stops
        if len(stops) < 2:
            violations.append(f"{where}: a route needs at least its start and end depot")
            continue
        if stops[0].kind is not StopKind.START or stops[0].location != vehicle.start_location:
            violations.append(f"{where}: does not begin at the vehicle's start depot")
        if stops[-1].kind is not StopKind.END or stops[-1].location != vehicle.end_location:
            violations.append(f"{where}: does not end at the vehicle's end depot")
        if stops[0].service_start < vehicle.shift.earliest - tol:
            violations.append(f"{where}: leaves the depot at {stops[0].service_start:.4f} before the shift starts")
        if stops[-1].service_start > vehicle.shift.latest + tol:
            violations.append(f"{where}: returns at {stops[-1].service_start:.4f} after the shift ends")
        duration = stops[-1].service_start - stops[0].service_start
        if duration > vehicle.max_route_duration + tol:
            violations.append(f"{where}: duration {duration:.4f} exceeds {vehicle.max_route_duration:g}")

        load = [0] * width
        pickup_time: dict[int, float] = {}
        for pos, stop in enumerate(stops):
            kind = stop.kind
            if 0 < pos < len(stops) - 1 and kind in (StopKind.START, StopKind.END):
                violations.append(f"{where}: depot stop in the middle of the route at position {pos}")
            if kind in (StopKind.PICKUP, StopKind.DROPOFF):
                r = stop.request
                if not 0 <= r < len(requests):
                    violations.append(f"{where}: stop {pos} names unknown request {r}")
                    continue
                req = requests[r]
                if not vehicle.can_serve(req):
                    violations.append(
                        f"{where}: vehicle lacks credentials {sorted(req.required_credentials)} of request {req.id}"
                    )
                if kind is StopKind.PICKUP:
                    expected_loc, window, sign = req.pickup_location, req.pickup_window, 1
                    if r in picked_on:
                        violations.append(f"request {req.id} picked up more than once")
                    picked_on[r] = ridx
                    pickup_time[r] = stop.service_start
                else:
                    expected_loc, window, sign = req.dropoff_location, req.dropoff_window, -1
                    if r in dropped_on:
                        violations.append(f"request {req.id} dropped off more than once")
                    dropped_on[r] = ridx
                    if r not in pickup_time:
                        violations.append(
                            f"{where}: request {req.id} dropped off before (or without) its pickup on this route"
                        )
                    else:
                        ride = stop.service_start - (pickup_time[r] + req.pickup_service)
                        if ride > req.max_ride_time + tol:
                            violations.append(f"request {req.id}: ride time {ride:.4f} exceeds {req.max_ride_time:g}")
                if stop.location != expected_loc:
                    violations.append(
                        f"{where}: stop {pos} of request {req.id} is at location {stop.location}, "
                        f"expected {expected_loc}"
                    )
                if not window.earliest - tol <= stop.service_start <= window.latest + tol:
                    violations.append(
                        f"request {req.id} {kind.value}: service starts at {stop.service_start:.4f} "
                        f"outside [{window.earliest:g}, {window.latest:g}]"
                    )
                for s in range(width):
                    load[s] += sign * req.load[s]
                    if load[s] > vehicle.capacity[s]:
                        violations.append(
                            f"{where}: {instance.space_types[s]} load {load[s]} exceeds capacity "
                            f"{vehicle.capacity[s]} at stop {pos}"
                        )
                    if load[s] < 0:
                        violations.append(f"{where}: negative {instance.space_types[s]} load at stop {pos}")
            if pos > 0:
                prev = stops[pos - 1]
                earliest = prev.service_start + _service_time(instance, prev) + tt[prev.location, stop.location]
                if stop.service_start < earliest - tol:
                    violations.append(
                        f"{where}: stop {pos} starts at {stop.service_start:.4f}, "
                        f"before arrival {earliest:.4f} from the previous stop"
                    )
                total_cost += float(cost_matrix[prev.location, stop.location])
        if any(load):
            violations.append(f"{where}: vehicle not empty at the end depot")

    for r, req in enumerate(requests):
        if r not in picked_on or r not in dropped_on:
            violations.append(f"request {req.id} is not served")
        elif picked_on[r] != dropped_on[r]:
            violations.append(f"request {req.id} is picked up and dropped off by different vehicles")

    if not math.isclose(total_cost, solution.cost, rel_tol=1e-9, abs_tol=tol * 10):
        violations.append(f"reported cost {solution.cost:.6f} differs from recomputed cost {total_cost:.6f}")
    return CheckResult(feasible=not violations, cost=total_cost, violations=violations)


def _service_time(instance: Instance, stop: Stop) -> float:
    if stop.kind is StopKind.PICKUP:
        return instance.requests[stop.request].pickup_service
    if stop.kind is StopKind.DROPOFF:
        return instance.requests[stop.request].dropoff_service
    return 0.0
