"""Baseline: a plain OR-Tools routing model of the same DARP, for side-by-side benchmarking.

Pickup-and-delivery with time windows, capacity per space type, ride-time limits as constraints on the
time dimension's cumul variables (``time(drop) - time(pick) - service(pick) <= L``) and a span limit for
route duration. OR-Tools needs integers: times are scaled by ``SCALE`` and **rounded up**, so every
schedule OR-Tools accepts is also feasible with the true (Euclidean, double precision) times; costs are
scaled and rounded. The returned routes are re-timed with true times (least schedule, see
:func:`retime_route`) and priced with the true cost, then checked by :mod:`nemt.scheduling.checker`.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .model import Instance, Route, Solution, Stop, StopKind

SCALE = 1000


def solve_ortools(instance: Instance, time_limit: float = 10.0, seed: int = 0) -> Solution:
    """Solve with OR-Tools' routing library (parallel cheapest insertion + guided local search)."""
    from ortools.constraint_solver import pywrapcp

    del seed  # OR-Tools' routing search is deterministic for a given model
    start_clock = time.perf_counter()
    R, K = len(instance.requests), len(instance.vehicles)
    arrays = _arrays(instance)
    manager = pywrapcp.RoutingIndexManager(arrays.N, K, arrays.starts, arrays.ends)
    routing = pywrapcp.RoutingModel(manager)
    tdim, horizon = _add_cost_and_time(routing, manager, arrays, instance)
    _add_capacities(routing, manager, arrays, instance)
    _add_vehicle_limits(routing, tdim, instance)
    _add_requests(routing, manager, tdim, arrays, instance, horizon)
    params = _search_parameters(max(1.0, time_limit - (time.perf_counter() - start_clock)))
    assignment = routing.SolveWithParameters(params)
    runtime = time.perf_counter() - start_clock
    if assignment is None:
        return Solution(cost=math.inf, routes=[], unserved=list(range(R)), feasible=False, runtime=runtime)
    return _solution(instance, routing, manager, assignment, runtime)


@dataclass(frozen=True)
class _Arrays:
    """The model in OR-Tools' node numbering: one node per vehicle start depot, one per end depot, then pickups
    and drop-offs (depots get their own node each so vehicles may differ)."""

    starts: list[int]
    ends: list[int]
    pick: list[int]
    drop: list[int]
    N: int
    transit: npt.NDArray[np.int64]  # service at origin + travel, scaled, rounded up (conservative)
    arc_cost: npt.NDArray[np.int64]  # scaled, rounded; an unused vehicle costs nothing
    demand: npt.NDArray[np.int64]  # load per node and space type


def _arrays(instance: Instance) -> _Arrays:
    reqs, vehs = instance.requests, instance.vehicles
    R, K = len(reqs), len(vehs)
    starts = list(range(K))
    ends = list(range(K, 2 * K))
    pick = [2 * K + r for r in range(R)]
    drop = [2 * K + R + r for r in range(R)]
    N = 2 * K + 2 * R
    loc = np.empty(N, dtype=np.int64)
    svc = np.zeros(N)
    for k, v in enumerate(vehs):
        loc[starts[k]], loc[ends[k]] = v.start_location, v.end_location
    for r, q in enumerate(reqs):
        loc[pick[r]], loc[drop[r]] = q.pickup_location, q.dropoff_location
        svc[pick[r]], svc[drop[r]] = q.pickup_service, q.dropoff_service
    tt = instance.travel_time[np.ix_(loc, loc)]
    cc = instance.cost[np.ix_(loc, loc)]
    transit = np.ceil((svc[:, None] + tt) * SCALE - 1e-9).astype(np.int64)
    arc_cost = np.rint(cc * SCALE).astype(np.int64)
    for k in range(K):
        arc_cost[starts[k], ends[k]] = 0
    demand = np.zeros((N, len(instance.space_types)), dtype=np.int64)
    for r, q in enumerate(reqs):
        demand[pick[r]] = q.load
        demand[drop[r]] = [-x for x in q.load]
    return _Arrays(starts, ends, pick, drop, N, transit, arc_cost, demand)


def _add_cost_and_time(routing: Any, manager: Any, arrays: _Arrays, instance: Instance) -> tuple[Any, int]:
    """Arc costs and the time dimension; returns the dimension and its horizon (scaled)."""

    def cost_cb(i: int, j: int) -> int:
        return int(arrays.arc_cost[manager.IndexToNode(i), manager.IndexToNode(j)])

    def time_cb(i: int, j: int) -> int:
        return int(arrays.transit[manager.IndexToNode(i), manager.IndexToNode(j)])

    cost_idx = routing.RegisterTransitCallback(cost_cb)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_idx)
    time_idx = routing.RegisterTransitCallback(time_cb)
    horizon = int(math.floor(max(v.shift.latest for v in instance.vehicles) * SCALE))
    routing.AddDimension(time_idx, horizon, horizon, False, "time")
    return routing.GetDimensionOrDie("time"), horizon


def _add_capacities(routing: Any, manager: Any, arrays: _Arrays, instance: Instance) -> None:
    """One load dimension per space type, capped by each vehicle's capacity."""
    for s in range(len(instance.space_types)):
        col = arrays.demand[:, s].copy()
        cb = routing.RegisterUnaryTransitCallback(lambda i, col=col: int(col[manager.IndexToNode(i)]))
        capacities = [int(v.capacity[s]) for v in instance.vehicles]
        routing.AddDimensionWithVehicleCapacity(cb, 0, capacities, True, f"load_{s}")


def _add_vehicle_limits(routing: Any, tdim: Any, instance: Instance) -> None:
    """Shifts (depot times) and route duration limits."""
    for k, v in enumerate(instance.vehicles):
        lo = int(math.ceil(v.shift.earliest * SCALE))
        hi = int(math.floor(v.shift.latest * SCALE))
        tdim.CumulVar(routing.Start(k)).SetRange(lo, hi)
        tdim.CumulVar(routing.End(k)).SetRange(lo, hi)
        tdim.SetSpanUpperBoundForVehicle(int(math.floor(v.max_route_duration * SCALE)), k)


def _add_requests(routing: Any, manager: Any, tdim: Any, arrays: _Arrays, instance: Instance, horizon: int) -> None:
    """Pickup and delivery pairs: same vehicle, order, windows, ride time, credentials, optional at a penalty."""
    solver = routing.solver()
    drop_penalty = int(100 * max(1, arrays.arc_cost.max()))
    vehs = instance.vehicles
    K = len(vehs)
    for r, q in enumerate(instance.requests):
        pi = manager.NodeToIndex(arrays.pick[r])
        di = manager.NodeToIndex(arrays.drop[r])
        routing.AddPickupAndDelivery(pi, di)
        solver.Add(routing.VehicleVar(pi) == routing.VehicleVar(di))
        solver.Add(tdim.CumulVar(pi) <= tdim.CumulVar(di))
        w = q.pickup_window
        tdim.CumulVar(pi).SetRange(int(math.ceil(w.earliest * SCALE)), min(horizon, int(math.floor(w.latest * SCALE))))
        w = q.dropoff_window
        tdim.CumulVar(di).SetRange(int(math.ceil(w.earliest * SCALE)), min(horizon, int(math.floor(w.latest * SCALE))))
        ride = int(math.floor(q.max_ride_time * SCALE)) + int(math.ceil(q.pickup_service * SCALE))
        solver.Add(tdim.CumulVar(di) - tdim.CumulVar(pi) <= ride)
        # OR-Tools' first-solution heuristics fail outright on DARP ride-time constraints (measured:
        # status ROUTING_FAIL on a2-16), so requests may be left out at a large penalty; local search
        # then inserts them. A solution that still leaves one out is reported infeasible.
        routing.AddDisjunction([pi], drop_penalty)
        routing.AddDisjunction([di], drop_penalty)
        solver.Add(routing.ActiveVar(pi) == routing.ActiveVar(di))
        allowed = [k for k, v in enumerate(vehs) if v.can_serve(q)]
        if len(allowed) < K:
            banned = [k for k in range(K) if k not in allowed]
            routing.VehicleVar(pi).RemoveValues(banned)
            routing.VehicleVar(di).RemoveValues(banned)


def _search_parameters(seconds: float) -> Any:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(seconds * 1000))
    return params


def _solution(instance: Instance, routing: Any, manager: Any, assignment: Any, runtime: float) -> Solution:
    """The assignment's routes, re-timed with true times and priced with the true cost."""
    routes: list[Route] = []
    total = 0.0
    served: set[int] = set()
    feasible = True
    for k in range(len(instance.vehicles)):
        idx = routing.Start(k)
        seq = []
        while True:
            seq.append(manager.IndexToNode(idx))
            if routing.IsEnd(idx):
                break
            idx = assignment.Value(routing.NextVar(idx))
        if len(seq) <= 2:
            continue
        stops = _stops(instance, k, seq)
        served.update(s.request for s in stops if s.kind is StopKind.PICKUP)
        timed = retime_route(instance, k, stops)
        if timed is None:
            feasible = False
            timed = stops
        for a, b in itertools.pairwise(timed):
            total += float(instance.cost[a.location, b.location])
        routes.append(Route(vehicle=k, stops=timed))
    unserved = sorted(set(range(len(instance.requests))) - served)
    return Solution(cost=total, routes=routes, unserved=unserved, feasible=feasible and not unserved, runtime=runtime)


def _stops(instance: Instance, k: int, seq: list[int]) -> list[Stop]:
    """Untimed stops of vehicle ``k`` from a sequence of OR-Tools nodes."""
    reqs, vehs = instance.requests, instance.vehicles
    R, K = len(reqs), len(vehs)
    stops = []
    for node in seq:
        if node < K:
            stops.append(Stop(StopKind.START, -1, vehs[k].start_location, 0.0))
        elif node < 2 * K:
            stops.append(Stop(StopKind.END, -1, vehs[k].end_location, 0.0))
        elif node < 2 * K + R:
            r = node - 2 * K
            stops.append(Stop(StopKind.PICKUP, r, reqs[r].pickup_location, 0.0))
        else:
            r = node - 2 * K - R
            stops.append(Stop(StopKind.DROPOFF, r, reqs[r].dropoff_location, 0.0))
    return stops


def retime_route(instance: Instance, vehicle: int, stops: list[Stop]) -> list[Stop] | None:
    """Earliest feasible service start times for a fixed stop sequence, in true (unscaled) times.

    All DARP timing constraints of a fixed sequence are difference constraints; the least solution
    of the lower bounds (travel, window openings, ride time and duration seen backwards) is found by
    a longest-path fixpoint and is feasible iff it meets every upper bound (window closings).
    Plain Python, written for the baseline; returns None if no feasible schedule exists.
    """
    reqs = instance.requests
    veh = instance.vehicles[vehicle]
    n = len(stops)

    def window(st: Stop) -> tuple[float, float]:
        if st.kind is StopKind.PICKUP:
            w = reqs[st.request].pickup_window
        elif st.kind is StopKind.DROPOFF:
            w = reqs[st.request].dropoff_window
        else:
            return veh.shift.earliest, veh.shift.latest
        return w.earliest, w.latest

    def service(st: Stop) -> float:
        if st.kind is StopKind.PICKUP:
            return reqs[st.request].pickup_service
        if st.kind is StopKind.DROPOFF:
            return reqs[st.request].dropoff_service
        return 0.0

    lower = [window(s)[0] for s in stops]
    upper = [window(s)[1] for s in stops]
    pick_pos = {s.request: p for p, s in enumerate(stops) if s.kind is StopKind.PICKUP}
    for _round in range(4 * n * n + 64):
        times = [0.0] * n
        times[0] = lower[0]
        for p in range(1, n):
            prev = stops[p - 1]
            arrival = times[p - 1] + service(prev) + instance.travel_time[prev.location, stops[p].location]
            times[p] = max(lower[p], arrival)
        if any(t > u + 1e-9 for t, u in zip(times, upper, strict=True)):
            return None
        changed = False
        for p, st in enumerate(stops):
            if st.kind is StopKind.DROPOFF and st.request in pick_pos:
                i = pick_pos[st.request]
                need = times[p] - service(stops[i]) - reqs[st.request].max_ride_time
                if times[i] < need - 1e-9:
                    lower[i] = max(lower[i], need)
                    changed = True
        need0 = times[-1] - veh.max_route_duration
        if times[0] < need0 - 1e-9:
            lower[0] = max(lower[0], need0)
            changed = True
        if not changed:
            return [Stop(s.kind, s.request, s.location, t) for s, t in zip(stops, times, strict=True)]
    return None
