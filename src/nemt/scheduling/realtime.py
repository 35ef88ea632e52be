"""Insertion into and removal from a whole :class:`Solution` (not a live day).

* :func:`insert_request` puts a request into a solution's routes at its cheapest feasible place, without moving any
  stop already served (stops with a service start at or before ``now`` are frozen). It uses the same compiled exact
  feasibility test as the solver (:func:`nemt.scheduling._kernels.best_insertion`), so an insertion costs one pruned
  pass over each compatible vehicle's route. ``nemt.jobs.regions`` repairs the seams between regions with it.
* :func:`remove_request` takes a request out and re-times the rest (the least schedule).

The dispatch services change a live day through :class:`nemt.scheduling.live.LiveRoutes` instead (the same kernels,
on the instance of what remains at now). Every function returns a new instance and solution; callers verify with
:func:`nemt.scheduling.check_solution`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import _kernels as K_
from .model import Instance, Request, Route, Solution, Stop, StopKind
from .solver import _kernel_instance, _to_solution

_INF = K_.INF


@dataclass(frozen=True)
class InsertionResult:
    instance: Instance
    solution: Solution
    request: int  # index of the inserted request in ``instance.requests``
    vehicle: int | None  # None: no vehicle can take it (the solution is unchanged, the request unserved)
    added_cost: float


def _kernel_routes(instance: Instance, solution: Solution, R: int, K: int) -> tuple[K_.IntArray, K_.IntArray]:
    """The solution's routes in the kernels' node numbering (see _kernels), as wide as the longest route plus the two
    stops of one insertion (not the 2R + 2 stops a route could hold: at thousands of requests that was gigabytes)."""
    M = min(2 * R + 2, max((len(route.stops) for route in solution.routes), default=2) + 2)
    routes = np.zeros((K, M), dtype=np.int64)
    rlen = np.full(K, 2, dtype=np.int64)
    routes[:, 0] = 2 * R + np.arange(K)
    routes[:, 1] = 2 * R + K + np.arange(K)
    for route in solution.routes:
        k = route.vehicle
        n = 0
        for stop in route.stops:
            if stop.kind is StopKind.START:
                node = 2 * R + k
            elif stop.kind is StopKind.END:
                node = 2 * R + K + k
            elif stop.kind is StopKind.PICKUP:
                node = stop.request
            else:
                node = R + stop.request
            routes[k, n] = node
            n += 1
        rlen[k] = n
    return routes, rlen


def _freeze_served(
    inst: K_.KernelInstance, solution: Solution, now: float | None, R: int, K: int
) -> K_.KernelInstance:
    """Pin every stop served at or before ``now`` to its time (window [t, t]), so no insertion can move it."""
    if now is None:
        return inst
    e, late = inst[2].copy(), inst[3].copy()
    for route in solution.routes:
        k = route.vehicle
        for stop in route.stops:
            if stop.service_start > now:
                break
            if stop.kind is StopKind.START:
                node = 2 * R + k
            elif stop.kind is StopKind.PICKUP:
                node = stop.request
            elif stop.kind is StopKind.DROPOFF:
                node = R + stop.request
            else:
                continue
            e[node] = late[node] = stop.service_start
    return inst[:2] + (e, late) + inst[4:]


def insert_request(instance: Instance, solution: Solution, request: Request, *,
                   now: float | None = None) -> InsertionResult:
    """The cheapest feasible insertion of ``request`` into the live ``solution`` (exact feasibility: windows,
    ride time, capacity per space type, route duration, credentials), leaving stops served by ``now`` in place."""
    grown = replace(instance, requests=[*instance.requests, request])
    R, K = len(grown.requests), len(grown.vehicles)
    inst = _freeze_served(_kernel_instance(grown), solution, now, R, K)
    routes, rlen = _kernel_routes(grown, solution, R, K)
    M = routes.shape[1]
    S = inst[12]
    sched = np.zeros((2 * K, M))
    loads = np.zeros((K, M, S), dtype=np.int64)
    rcost = np.zeros(K)
    lb, B = np.empty(M), np.empty(M)
    ppos = np.zeros(R, dtype=np.int64)
    tmp = np.empty(M, dtype=np.int64)
    K_.refresh_all(routes, rlen, sched, loads, rcost, inst, lb, ppos)
    r = R - 1
    size = M * M // 2 + M  # at most one candidate per (i, j) pair of a route of up to M - 2 stops
    cd, ci, cj = np.empty(size), np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
    best = (_INF, -1, -1, -1)
    for k in range(K):
        delta, i, j = K_.best_insertion(r, k, routes, rlen, sched, loads, inst, 0.0, tmp, B, lb, ppos, cd, ci, cj)
        if delta < best[0]:
            best = (delta, i, j, k)
    unserved = [q for q in solution.unserved]
    if best[3] < 0:
        unserved.append(r)
        return InsertionResult(grown, _to_solution(grown, inst, routes, rlen, unserved), r, None, 0.0)
    delta, i, j, k = best
    K_.insert_request(r, k, i, j, routes, rlen, R, tmp)
    return InsertionResult(grown, _to_solution(grown, inst, routes, rlen, unserved), r, k, float(delta))


def remove_request(instance: Instance, solution: Solution, request: int) -> tuple[Instance, Solution]:
    """Take request ``request`` (cancelled, no-show) out of the instance and its route; the other requests keep
    their order and vehicles, re-timed to their least schedule."""
    keep = [q for q in range(len(instance.requests)) if q != request]
    new_index = {old: new for new, old in enumerate(keep)}
    smaller = replace(instance, requests=[instance.requests[q] for q in keep])
    routes = []
    for route in solution.routes:
        stops = [Stop(s.kind, new_index.get(s.request, -1) if s.request >= 0 else -1, s.location, s.service_start)
                 for s in route.stops if s.request != request]
        routes.append(Route(route.vehicle, stops))
    R, K = len(smaller.requests), len(smaller.vehicles)
    inst = _kernel_instance(smaller)
    kroutes, rlen = _kernel_routes(smaller, Solution(0.0, routes), R, K)
    unserved = [new_index[q] for q in solution.unserved if q != request]
    return smaller, _to_solution(smaller, inst, kroutes, rlen, unserved)
