"""The repair of a stitched day across the seams (issue 18, item 1): the requests the regions' solves left unserved,
placed on any vehicle of the day, then the routes the repair changed searched on for fewer miles. Pure functions over
``nemt.scheduling`` values; the stitch job (``nemt.jobs.region_jobs``) runs :func:`repair` and has the independent
checker verify the whole day after it.

Four steps, the first three each only for what the one before left unserved, every change tested with the solver's
exact insertion test (``nemt.scheduling.live.LiveRoutes``: windows, ride time, capacity by space type, shift, route
duration, credentials):

1. **insert**: each unserved request at its cheapest feasible place on any vehicle of the day;
2. **eject** (:func:`_eject_in`): on a vehicle that could serve it alone, the requests nearest it in pick-up time
   taken off until it fits, and each of those put at its cheapest feasible place on any vehicle — or served the same
   way in turn, up to :data:`EJECT_DEPTH` deep — or the whole trial undone;
3. **re-solve the neighbourhood** (:func:`_search_on`): the vehicles able to serve it alone, the vehicles serving
   the requests nearest it and the unused vehicles based nearest it, searched on by the solver from their routes as
   they are, with it and the other unserved requests near it; the new routes kept when they serve more requests;
4. **polish** (:func:`_search_on` again): the vehicles each placement of steps 2 and 3 changed, with the vehicles
   serving the requests near theirs, searched on from their routes; kept when they serve the same requests for
   fewer miles.

A region's solve leaves a request unserved when, in its time, it found no arrangement of the region's vehicles that
takes it; on the statewide day most such requests are early, long rides that one to six vehicles of the state can
serve at all, each already full of other riders. The ejections make room on those vehicles by moving their riders to
others (which a region could not do across its seam); the ejected riders then ride where they fit, often out of the
way, and the polish wins those miles back (docs/jobs.md, "Ejection chains and a warm polish at the seams").
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import TYPE_CHECKING

import numpy as np

from nemt.jobs.regions import Region, _carries, stitch, sub_instance
from nemt.scheduling import Instance, Route, Solution, Stop, StopKind, solve

if TYPE_CHECKING:
    from nemt.scheduling.live import LiveRoutes

#: Seconds the repair may spend ejecting (step 2), re-solving neighbourhoods (step 3) and polishing (step 4).
EJECT_SECONDS, RESOLVE_SECONDS, POLISH_SECONDS = 60.0, 90.0, 120.0
#: Step 2: the vehicles able to serve a request alone that are tried (the nearest based first), and how deep a
#: chain of ejections may go (1: the riders taken off must find a place as things stand).
EJECT_VEHICLES, EJECT_DEPTH = 8, 3
#: Each search on a neighbourhood: seconds by its requests (a request, at least, at most).
SEARCH_PER_REQUEST, SEARCH_AT_LEAST, SEARCH_AT_MOST = 0.01, 0.5, 20.0
#: Requests near another: pick-up windows within this many minutes of its own, the nearest pick-ups first, at most
#: this many of them.
NEAR_MINUTES, NEAR_REQUESTS = 60.0, 80
#: Step 3's neighbourhood: the vehicles able to serve the request alone (up to this many), then the vehicles of the
#: nearest requests up to this many in all, and this many unused vehicles besides.
RESOLVE_ALONE, RESOLVE_VEHICLES, RESOLVE_UNUSED = 6, 20, 3
#: Step 4's neighbourhood: the changed vehicles, then the vehicles of the requests nearest their first riders (this
#: many riders of each, this many requests near each), up to this many vehicles in all.
POLISH_RIDERS, POLISH_NEAR, POLISH_VEHICLES = 3, 20, 40


def repair(instance: Instance, solution: Solution, *, budget: float | None = None, last: Collection[int] = (),
           eject_seconds: float = EJECT_SECONDS, resolve_seconds: float = RESOLVE_SECONDS,
           polish_seconds: float = POLISH_SECONDS, depth: int = EJECT_DEPTH, seed: int = 1,
           placed: dict[str, int] | None = None, polished: dict[str, float] | None = None) -> Solution:
    """The stitched ``solution`` with its unserved requests placed where the steps of the module find room, and the
    routes that changed polished. ``budget``: seconds for the whole repair, after which the requests not yet offered
    stay unserved; ``last``: requests offered after the others (those a split set aside: no vehicle serves them even
    alone), which steps 2 and 3 skip; ``eject_seconds``, ``resolve_seconds`` and ``polish_seconds``: at most this
    long for steps 2, 3 and 4; ``depth``: how deep step 2's chains of ejections may go. ``placed``, if given, gets
    the requests each step placed (``inserted``, ``ejected``, ``re_solved``), and ``polished`` the neighbourhoods
    the polish improved and the miles it saved (``kept``, ``miles``). The day's indices kept."""
    from nemt.scheduling.live import LiveRoutes, order_of  # the compiled kernels, loaded when first needed

    placed = placed if placed is not None else {}
    placed.update(inserted=0, ejected=0, re_solved=0)
    polished = polished if polished is not None else {}
    polished.update(kept=0, miles=0.0)
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
    changed: list[list[int]] = []  # the vehicles each placement of steps 2 and 3 changed, for the polish
    until = _until(eject_seconds, deadline)
    while left and time.perf_counter() < until:  # again while a round places one: a placement may make room
        ejected = set()
        for r in left:
            trial = _Trial(routes)
            if _eject_in(instance, routes, r, near, until, depth, trial):
                ejected.add(r)
                changed.append(sorted(trial.saved))
        if not ejected:
            break
        placed["ejected"] += len(ejected)
        left = [r for r in left if r not in ejected]
    until = _until(resolve_seconds, deadline)
    for r in list(left):
        if time.perf_counter() > until or r not in left:
            continue
        vehicles = _around(instance, routes, r, near)
        if not vehicles:
            continue
        waiting = [r] + [q for q in near.to(r) if q in left]
        served, dropped = _search_on(instance, routes, vehicles, waiting, until, seed)
        if served:
            placed["re_solved"] += len(served) - len(dropped)
            left = [q for q in left if q not in served] + dropped
            changed.append(vehicles)
    until = _until(polish_seconds, deadline)
    for group in changed:
        if time.perf_counter() > until:
            break
        vehicles = _widened(routes, group, near)
        before = routes.miles_of(vehicles)
        _search_on(instance, routes, vehicles, [], until, seed, cheaper=True)
        saved = before - routes.miles_of(vehicles)
        if saved > 1e-6:
            polished["kept"] += 1
            polished["miles"] += saved
    polished["miles"] = round(polished["miles"], 1)
    return routes.solution()


def _until(seconds: float, deadline: float | None) -> float:
    until = time.perf_counter() + seconds
    return until if deadline is None else min(deadline, until)


class _Near:
    """The requests near a request in time and place (pick-up windows within :data:`NEAR_MINUTES`, nearest pick-up
    first), and the vehicles able to serve a request alone."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.windows = np.array([(q.pickup_window.earliest, q.pickup_window.latest, q.pickup_location)
                                 for q in instance.requests]).reshape(-1, 3)
        self._empty: LiveRoutes | None = None
        self._alone: dict[int, list[int]] = {}

    def to(self, r: int) -> list[int]:
        mine, w = self.instance.requests[r], self.windows
        near = np.flatnonzero((w[:, 0] <= mine.pickup_window.latest + NEAR_MINUTES)
                              & (w[:, 1] >= mine.pickup_window.earliest - NEAR_MINUTES))
        near = near[near != r]
        away = self.instance.travel_time[mine.pickup_location, w[near, 2].astype(np.int64)]
        return near[np.argsort(away, kind="stable")][:NEAR_REQUESTS].tolist()

    def alone(self, r: int) -> list[int]:
        """The vehicles that could serve ``r`` alone, on an otherwise empty route, the nearest based first."""
        from nemt.scheduling.live import LiveRoutes

        if r not in self._alone:
            if self._empty is None:
                self._empty = LiveRoutes(self.instance, {})
            vehicles, mine = self.instance.vehicles, self.instance.requests[r]
            able = [k for k in range(len(vehicles)) if self._empty.fits(r, k)]
            self._alone[r] = sorted(able, key=lambda k: self.instance.travel_time[vehicles[k].start_location,
                                                                                  mine.pickup_location])
        return list(self._alone[r])


class _Trial:
    """Changes to the routes that are undone together: each changed vehicle's route as it was before the first
    change."""

    def __init__(self, routes: LiveRoutes) -> None:
        self.routes = routes
        self.saved: dict[int, np.ndarray] = {}

    def remove(self, q: int) -> None:
        k = self.routes.vehicle_of(q)
        if k is not None:
            self.saved.setdefault(k, self.routes.route_of(k))
            self.routes.remove(q)

    def insert(self, q: int, vehicle: int | None = None) -> bool:
        option = self.routes.insert(q, vehicle)
        if option is None:
            return False
        if option.vehicle not in self.saved:  # an insertion adds the request's two stops and moves no other
            nodes = self.routes.route_of(option.vehicle)
            self.saved[option.vehicle] = nodes[(nodes != q) & (nodes != self.routes.R + q)]
        return True

    def keep(self, inner: _Trial) -> None:
        """Make ``inner``'s changes part of this trial's."""
        for k, nodes in inner.saved.items():
            self.saved.setdefault(k, nodes)

    def undo(self) -> None:
        for k, nodes in self.saved.items():
            self.routes.restore(k, nodes)
        self.saved = {}


def _eject_in(instance: Instance, routes: LiveRoutes, r: int, near: _Near, until: float, depth: int,
              into: _Trial) -> bool:
    """Serve unserved request ``r`` on a vehicle that could serve it alone: take off that vehicle the requests
    nearest ``r`` in pick-up time until ``r`` fits, put ``r`` there, and each request taken off at its cheapest
    feasible place on any vehicle — or, ``depth`` above 1, served the same way in turn — and undo the whole trial
    if one of them finds none. Whether ``r`` was placed; its changes are then recorded in ``into``."""
    mine = instance.requests[r]
    for k in near.alone(r)[:EJECT_VEHICLES]:
        if time.perf_counter() > until:
            return False
        trial = _Trial(routes)
        riders = sorted({int(n) % routes.R for n in routes.route_of(k)[1:-1]},
                        key=lambda q: (abs(instance.requests[q].pickup_window.earliest
                                           - mine.pickup_window.earliest), q))
        taken: list[int] = []
        for q in riders:
            if routes.fits(r, k):
                break
            trial.remove(q)
            taken.append(q)
        if trial.insert(r, k) and all(trial.insert(q) or (depth > 1 and _eject_in(instance, routes, q, near, until,
                                                                                  depth - 1, trial))
                                      for q in taken):
            into.keep(trial)
            return True
        trial.undo()
    return False


def _around(instance: Instance, routes: LiveRoutes, r: int, near: _Near) -> list[int]:
    """Step 3's neighbourhood of unserved request ``r`` (see :data:`RESOLVE_VEHICLES`); empty if no vehicle of it
    can carry ``r``."""
    mine = instance.requests[r]
    vehicles = near.alone(r)[:RESOLVE_ALONE]
    for q in near.to(r):
        if len(vehicles) >= RESOLVE_VEHICLES:
            break
        k = routes.vehicle_of(q)
        if k is not None and k not in vehicles:
            vehicles.append(k)
    if not any(_carries(instance.vehicles[k], mine) for k in vehicles):
        return []
    unused = [k for k in np.flatnonzero(routes.rlen <= 2).tolist() if k not in vehicles]  # its two depots only
    unused.sort(key=lambda k: instance.travel_time[instance.vehicles[k].start_location, mine.pickup_location])
    return vehicles + unused[:RESOLVE_UNUSED]


def _widened(routes: LiveRoutes, group: list[int], near: _Near) -> list[int]:
    """Step 4's neighbourhood of the vehicles ``group``: they, then the vehicles of the requests near their riders."""
    vehicles = list(group)
    for k in group:
        for q in [int(n) for n in routes.route_of(k)[1:-1] if n < routes.R][:POLISH_RIDERS]:
            for p in near.to(q)[:POLISH_NEAR]:
                v = routes.vehicle_of(p)
                if v is not None and v not in vehicles and len(vehicles) < POLISH_VEHICLES:
                    vehicles.append(v)
    return vehicles


def _search_on(instance: Instance, routes: LiveRoutes, vehicles: list[int], waiting: list[int], until: float,
               seed: int, cheaper: bool = False) -> tuple[set[int], list[int]]:
    """The solver's search on the routes of ``vehicles`` as they are, with the unserved requests ``waiting`` offered
    too; its routes replace theirs if they serve more requests in all (or, ``cheaper``, as many for fewer miles).
    The requests of ``waiting`` now served, and those the vehicles served before and no longer do (fewer)."""
    from nemt.scheduling.live import order_of

    on = [int(n) for k in vehicles for n in routes.route_of(k)[1:-1] if n < routes.R]
    region = Region("seam", vehicles, on + waiting)
    seconds = min(SEARCH_AT_MOST, SEARCH_AT_LEAST + SEARCH_PER_REQUEST * len(region.requests),
                  until - time.perf_counter())
    if seconds < SEARCH_AT_LEAST:
        return set(), []
    start = _as_plan(routes, region)
    plan = solve(sub_instance(instance, region), time_limit=seconds, seed=seed, start=start)
    more = len(plan.unserved) < len(waiting)
    if not more and not (cheaper and len(plan.unserved) == len(waiting)
                         and plan.cost < routes.miles_of(vehicles) - 1e-6):
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


def _as_plan(routes: LiveRoutes, region: Region) -> Solution:
    """The region's vehicles' routes as they are, as a plan of its sub-instance (the region's own indices), for the
    solver to start from; the region's requests on none of them unserved."""
    index = {q: i for i, q in enumerate(region.requests)}
    R = routes.R
    out = []
    for j, k in enumerate(region.vehicles):
        nodes = routes.route_of(k).tolist()
        stops = [Stop(StopKind.PICKUP if n < R else StopKind.DROPOFF, index[n % R], routes.place(n), 0.0)
                 for n in nodes[1:-1]]
        if stops:
            out.append(Route(j, stops))
    return Solution(0.0, out, [index[q] for q in region.requests if routes.vehicle_of(q) is None], feasible=False)
