"""The repair of a stitched day across the seams (issue 18, item 1): the requests the regions' solves left unserved,
placed on any vehicle of the day. Pure functions over ``nemt.scheduling`` values; the stitch job
(``nemt.jobs.region_jobs``) runs :func:`repair` and has the independent checker verify the whole day after it.

Three steps, each only for what the one before left unserved, every change tested with the solver's exact
insertion test (``nemt.scheduling.live.LiveRoutes``: windows, ride time, capacity by space type, shift, route
duration, credentials):

1. **insert**: each unserved request at its cheapest feasible place on any vehicle of the day;
2. **swap** (:func:`_swap_in`): one served request near it in time and place taken off its vehicle, the freed vehicle
   takes the unserved one, the other finds its own cheapest place on any vehicle — or the trial is undone;
3. **re-solve the neighbourhood** (:func:`_resolve_around`): the vehicles serving the requests nearest it, and the
   unused vehicles based nearest it, solved afresh by the solver with their requests and it; the new routes kept
   only when they serve more requests than the old ones did.

A region's solve leaves a request unserved when, in its time, it found no arrangement of the region's vehicles that
takes it; the seams' repair sees the whole day's vehicles, and the re-solve gives a few of them the solver's full
search for a moment.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import TYPE_CHECKING

import numpy as np

from nemt.jobs.regions import Region, _carries, stitch, sub_instance
from nemt.scheduling import Instance, Solution, solve

if TYPE_CHECKING:
    from nemt.scheduling.live import LiveRoutes

#: Seconds the repair may spend swapping requests in (step 2) once the plain insertions are done.
SWAP_SECONDS = 60.0
#: Seconds the repair may spend re-solving neighbourhoods (step 3); each re-solve's search time by its requests
#: (seconds a request, at least and at most).
RESOLVE_SECONDS = 90.0
RESOLVE_PER_REQUEST, RESOLVE_AT_LEAST, RESOLVE_AT_MOST = 0.02, 0.5, 10.0
#: Requests near an unserved one: pick-up windows within this many minutes of its own, the nearest pick-ups first,
#: at most this many of them.
NEAR_MINUTES, NEAR_REQUESTS = 60.0, 80
#: A neighbourhood: the vehicles of the nearest requests, up to this many, and this many unused vehicles besides.
RESOLVE_VEHICLES, RESOLVE_UNUSED = 10, 3


def repair(instance: Instance, solution: Solution, *, budget: float | None = None, last: Collection[int] = (),
           swap_seconds: float = SWAP_SECONDS, resolve_seconds: float = RESOLVE_SECONDS, seed: int = 1,
           placed: dict[str, int] | None = None) -> Solution:
    """The stitched ``solution`` with its unserved requests placed where the three steps of the module find room.
    ``budget``: seconds for the whole repair, after which the requests not yet offered stay unserved; ``last``:
    requests offered after the others (those a split set aside: no vehicle serves them even alone), which steps 2
    and 3 skip; ``swap_seconds`` and ``resolve_seconds``: at most this long for steps 2 and 3; ``placed``, if given,
    gets the requests each step placed (``inserted``, ``swapped``, ``re_solved``). The day's indices kept."""
    from nemt.scheduling.live import LiveRoutes, order_of  # the compiled kernels, loaded when first needed

    placed = placed if placed is not None else {}
    placed.update(inserted=0, swapped=0, re_solved=0)
    if not solution.unserved:
        return solution
    deadline = None if budget is None else time.perf_counter() + budget
    routes = LiveRoutes(instance, order_of(solution))
    for r in sorted(solution.unserved, key=lambda r: (r in last, r)):
        if deadline is not None and time.perf_counter() > deadline:
            break
        routes.insert(r)
    left = [r for r in sorted(solution.unserved) if r not in last and routes.vehicle_of(r) is None]
    placed["inserted"] = sum(routes.vehicle_of(r) is not None for r in solution.unserved)
    near = _Near(instance)
    until = _until(swap_seconds, deadline)
    while left and time.perf_counter() < until:  # again while a round places one: a swap may make room
        swapped = {r for r in left if _swap_in(instance, routes, r, near, until)}
        if not swapped:
            break
        placed["swapped"] += len(swapped)
        left = [r for r in left if r not in swapped]
    until = _until(resolve_seconds, deadline)
    tried: set[int] = set()
    while left and time.perf_counter() < until:
        first = next((q for q in left if q not in tried), None)
        if first is None:
            break
        tried.add(first)
        served, dropped = _resolve_around(instance, routes, first, left, near, until, seed)
        placed["re_solved"] += len(served) - len(dropped)
        left = [q for q in left if q not in served] + dropped
    return routes.solution()


def _until(seconds: float, deadline: float | None) -> float:
    until = time.perf_counter() + seconds
    return until if deadline is None else min(deadline, until)


class _Near:
    """The requests near a request in time and place (pick-up windows within :data:`NEAR_MINUTES`, nearest pick-up
    first)."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.windows = np.array([(q.pickup_window.earliest, q.pickup_window.latest, q.pickup_location)
                                 for q in instance.requests]).reshape(-1, 3)

    def to(self, r: int) -> list[int]:
        mine, w = self.instance.requests[r], self.windows
        near = np.flatnonzero((w[:, 0] <= mine.pickup_window.latest + NEAR_MINUTES)
                              & (w[:, 1] >= mine.pickup_window.earliest - NEAR_MINUTES))
        near = near[near != r]
        away = self.instance.travel_time[mine.pickup_location, w[near, 2].astype(np.int64)]
        return near[np.argsort(away, kind="stable")][:NEAR_REQUESTS].tolist()


def _swap_in(instance: Instance, routes: LiveRoutes, r: int, near: _Near, until: float) -> bool:
    """Serve unserved request ``r`` by taking one served request ``q`` near it off its vehicle, putting ``r`` on
    that vehicle and ``q`` at its cheapest feasible place on any vehicle. A trial that fails is undone. Whether
    ``r`` was placed."""
    mine = instance.requests[r]
    for q in near.to(r):
        if time.perf_counter() > until:
            return False
        k = routes.vehicle_of(q)
        if k is None or not _carries(instance.vehicles[k], mine):
            continue
        before = routes.route_of(k)
        routes.remove(q)
        if routes.insert(r, k) is not None and routes.insert(q) is not None:
            return True
        routes.restore(k, before)
    return False


def _resolve_around(instance: Instance, routes: LiveRoutes, r: int, left: list[int], near: _Near, until: float,
                    seed: int) -> tuple[set[int], list[int]]:
    """Re-solve the neighbourhood of unserved request ``r``: the vehicles serving the requests nearest it (at least
    one able to carry it), the unused vehicles based nearest it, their requests, ``r`` and the other unserved
    requests near it — solved afresh; the new routes replace the old only if they serve more requests in all. The
    requests of ``left`` now served, and those the vehicles served before and no longer do (fewer)."""
    from nemt.scheduling.live import order_of

    mine = instance.requests[r]
    close = near.to(r)
    vehicles: list[int] = []
    for q in close:
        k = routes.vehicle_of(q)
        if k is not None and k not in vehicles:
            vehicles.append(k)
        if len(vehicles) == RESOLVE_VEHICLES:
            break
    if not any(_carries(instance.vehicles[k], mine) for k in vehicles):
        return set(), []
    unused = np.flatnonzero(routes.rlen <= 2).tolist()  # a route of its two depots only
    unused.sort(key=lambda k: instance.travel_time[instance.vehicles[k].start_location, mine.pickup_location])
    vehicles += unused[:RESOLVE_UNUSED]
    on = [int(n) for k in vehicles for n in routes.route_of(k)[1:-1] if n < routes.R]
    unserved = set(left)
    waiting = [r] + [q for q in close if q in unserved]
    region = Region("seam", vehicles, on + waiting)
    seconds = min(RESOLVE_AT_MOST, RESOLVE_AT_LEAST + RESOLVE_PER_REQUEST * len(region.requests),
                  until - time.perf_counter())
    if seconds < RESOLVE_AT_LEAST:
        return set(), []
    plan = solve(sub_instance(instance, region), time_limit=seconds, seed=seed)
    if len(plan.unserved) >= len(waiting):
        return set(), []
    new = order_of(stitch(instance, [region], [plan]))
    before = {k: routes.route_of(k) for k in vehicles}
    for k in vehicles:
        routes.set_stops(k, new.get(k, []))
    if not all(routes.feasible(k) for k in vehicles):  # the solver's plan is feasible; never keep one that is not
        for k, nodes in before.items():
            routes.restore(k, nodes)
        return set(), []
    return {q for q in waiting if routes.vehicle_of(q) is not None}, [q for q in on if routes.vehicle_of(q) is None]
