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

import numpy as np

from .model import Instance, Route, Solution, Stop, StopKind

SCALE = 1000


def solve_ortools(instance: Instance, time_limit: float = 10.0, seed: int = 0) -> Solution:
    """Solve with OR-Tools' routing library (parallel cheapest insertion + guided local search)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    del seed  # OR-Tools' routing search is deterministic for a given model
    start_clock = time.perf_counter()
    reqs, vehs = instance.requests, instance.vehicles
    R, K = len(reqs), len(vehs)
    S = len(instance.space_types)
    # OR-Tools nodes: one per vehicle start depot, one per end depot, then pickups and drop-offs.
    # (Depots get their own node each so vehicles may differ.)
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
    # transit = service at origin + travel, scaled, rounded up (conservative)
    transit = np.ceil((svc[:, None] + tt) * SCALE - 1e-9).astype(np.int64)
    arc_cost = np.rint(cc * SCALE).astype(np.int64)
    # an unused vehicle costs nothing, whatever its two depots are
    for k in range(K):
        arc_cost[starts[k], ends[k]] = 0

    manager = pywrapcp.RoutingIndexManager(N, K, starts, ends)
    routing = pywrapcp.RoutingModel(manager)

    def cost_cb(i: int, j: int) -> int:
        return int(arc_cost[manager.IndexToNode(i), manager.IndexToNode(j)])

    def time_cb(i: int, j: int) -> int:
        return int(transit[manager.IndexToNode(i), manager.IndexToNode(j)])

    cost_idx = routing.RegisterTransitCallback(cost_cb)
    routing.SetArcCostEvaluatorOfAllVehicles(cost_idx)
    time_idx = routing.RegisterTransitCallback(time_cb)
    horizon = int(math.floor(max(v.shift.latest for v in vehs) * SCALE))
    routing.AddDimension(time_idx, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")

    demand = np.zeros((N, S), dtype=np.int64)
    for r, q in enumerate(reqs):
        demand[pick[r]] = q.load
        demand[drop[r]] = [-x for x in q.load]
    for s in range(S):
        col = demand[:, s].copy()
        cb = routing.RegisterUnaryTransitCallback(lambda i, col=col: int(col[manager.IndexToNode(i)]))
        routing.AddDimensionWithVehicleCapacity(cb, 0, [int(v.capacity[s]) for v in vehs], True, f"load_{s}")

    solver = routing.solver()
    drop_penalty = int(100 * max(1, arc_cost.max()))
    for k, v in enumerate(vehs):
        lo = int(math.ceil(v.shift.earliest * SCALE))
        hi = int(math.floor(v.shift.latest * SCALE))
        tdim.CumulVar(routing.Start(k)).SetRange(lo, hi)
        tdim.CumulVar(routing.End(k)).SetRange(lo, hi)
        tdim.SetSpanUpperBoundForVehicle(int(math.floor(v.max_route_duration * SCALE)), k)
    for r, q in enumerate(reqs):
        pi = manager.NodeToIndex(pick[r])
        di = manager.NodeToIndex(drop[r])
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

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    remaining = max(1.0, time_limit - (time.perf_counter() - start_clock))
    params.time_limit.FromMilliseconds(int(remaining * 1000))
    assignment = routing.SolveWithParameters(params)
    runtime = time.perf_counter() - start_clock
    if assignment is None:
        return Solution(cost=math.inf, routes=[], unserved=list(range(R)), feasible=False, runtime=runtime)

    routes: list[Route] = []
    total = 0.0
    served = set()
    feasible = True
    for k in range(K):
        idx = routing.Start(k)
        seq = []
        while True:
            seq.append(manager.IndexToNode(idx))
            if routing.IsEnd(idx):
                break
            idx = assignment.Value(routing.NextVar(idx))
        if len(seq) <= 2:
            continue
        stops = []
        for node in seq:
            if node < K:
                stops.append(Stop(StopKind.START, -1, vehs[k].start_location, 0.0))
            elif node < 2 * K:
                stops.append(Stop(StopKind.END, -1, vehs[k].end_location, 0.0))
            elif node < 2 * K + R:
                r = node - 2 * K
                served.add(r)
                stops.append(Stop(StopKind.PICKUP, r, reqs[r].pickup_location, 0.0))
            else:
                r = node - 2 * K - R
                stops.append(Stop(StopKind.DROPOFF, r, reqs[r].dropoff_location, 0.0))
        timed = retime_route(instance, k, stops)
        if timed is None:
            feasible = False
            timed = stops
        for a, b in itertools.pairwise(timed):
            total += float(instance.cost[a.location, b.location])
        routes.append(Route(vehicle=k, stops=timed))
    unserved = sorted(set(range(R)) - served)
    return Solution(cost=total, routes=routes, unserved=unserved, feasible=feasible and not unserved, runtime=runtime)


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
