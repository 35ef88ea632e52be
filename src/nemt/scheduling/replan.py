"""Re-planning the rest of a live day (:func:`replan`): the current assignment kept unless a fresh plan serves more,
or as many for a margin per leg it moves; and which legs moved. The day is :func:`nemt.scheduling.live.live_instance`'s,
its runs changed through :class:`nemt.scheduling.live.LiveRoutes`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .live import LiveRoutes, pin
from .model import Instance, Route, Solution, StopKind
from .solver import solve


@dataclass(frozen=True)
class Replan:
    """The plan chosen for the rest of the day, the legs that changed vehicle (request -> (old, new vehicle)) and
    whether the fresh solve was taken over the current assignment."""

    solution: Solution
    moved: dict[int, tuple[int, int | None]]
    fresh: bool


def replan(instance: Instance, order: Mapping[int, Sequence[tuple[int, StopKind]]], *, margin: float,
           time_limit: float = 0.0, seed: int = 1, earliest_moved: float | None = None,
           fresh: Solution | None = None) -> Replan:
    """Re-plan what remains of the day (``instance`` from :func:`live_instance`), ``order`` being the current runs.

    The current assignment is kept (each run re-timed; a request its run can no longer keep, and every request on
    no run, put at its cheapest feasible place; then each leg moved where that saves at least ``margin`` routing
    minutes), unless a fresh solve serves more requests, or as many for at least ``margin`` routing minutes less per
    leg it moves to another vehicle (a plan that moves legs costs drivers and members a changed manifest). A fresh
    plan that picks a moved leg up before ``earliest_moved`` (now plus the lead time: the new driver must learn of
    it) is not taken. ``fresh``: the fresh plan made elsewhere (a day's regions solved on the job queue and
    stitched, ``nemt.jobs.region_day``) instead of a solve here for ``time_limit`` seconds."""
    current = {r: k for k, stops in order.items() for r, _ in stops}
    kept = LiveRoutes(instance, order)
    for r in sorted(kept.dropped + [r for r in range(len(instance.requests)) if r not in current],
                    key=lambda q: (instance.requests[q].pickup_window.latest, q)):
        kept.insert(r)
    _move_where_it_pays(kept, current, margin, earliest_moved)
    keep = kept.solution()
    if fresh is None:
        fresh = solve(instance, time_limit=time_limit, seed=seed)
    fresh = _on_the_vehicles_they_were(instance, current, fresh)
    moved_fresh = _moved(current, fresh)
    better_by = keep.cost - fresh.cost
    if earliest_moved is not None and any(s.service_start < earliest_moved - 1e-6 for route in fresh.routes
                                          for s in route.stops
                                          if s.kind is StopKind.PICKUP and s.request in moved_fresh):
        return Replan(keep, _moved(current, keep), False)
    if len(fresh.unserved) < len(keep.unserved) or (
            len(fresh.unserved) == len(keep.unserved) and better_by > 1e-6
            and better_by >= margin * sum(1 for _old, new in moved_fresh.values() if new is not None)):
        return Replan(fresh, moved_fresh, True)
    return Replan(keep, _moved(current, keep), False)


def _move_where_it_pays(kept: LiveRoutes, current: Mapping[int, int], margin: float,
                        earliest_moved: float | None) -> None:
    """Move legs of the kept runs, one at a time and the largest saving first, to the vehicle where they cost at least
    ``margin`` routing minutes less than where they are (a leg going back to the vehicle it was on pays no margin);
    a moved leg must not be picked up before ``earliest_moved``. Stops when no move pays."""
    frozen: set[int] = set()
    for _ in range(len(current) + 1):
        best: tuple[float, int, int] | None = None
        for r in sorted(kept.served() - frozen):
            home = kept.vehicle_of(r)
            options = kept.options(r)
            stay = next((o.added for o in options if o.vehicle == home), None)
            if stay is None:
                continue
            toll = {k: 0.0 if k == current.get(r) else margin for k in (home, *(o.vehicle for o in options))}
            for o in options:
                saving = (stay + toll[home]) - (o.added + toll[o.vehicle])
                if o.vehicle != home and saving > 1e-6 and (best is None or saving > best[0]):
                    best = (saving, r, o.vehicle)
        if best is None:
            return
        _saving, r, k = best
        home = kept.remove(r)
        kept.insert(r, k)
        pickup = next(s.service_start for route in kept.solution().routes for s in route.stops
                      if s.request == r and s.kind is StopKind.PICKUP)
        if earliest_moved is not None and k != current.get(r) and pickup < earliest_moved - 1e-6:
            kept.remove(r)  # too soon for the new driver to learn of it: back where it was
            kept.insert(r, home)
            frozen.add(r)


def _on_the_vehicles_they_were(instance: Instance, current: Mapping[int, int], solution: Solution) -> Solution:
    """``solution`` with the routes of interchangeable vehicles handed back to the vehicles that carry most of their
    legs now. Vehicles alike in everything a plan depends on (where they start and end, shift, capacity, route
    duration, credentials but the pin of a member on board, see :func:`pin`) can swap routes at the same times and
    cost, so a fresh solve that only permutes their routes moves no leg; without this, the same plan drawn on other
    vehicle numbers counted as many moves."""
    from scipy.optimize import linear_sum_assignment

    route_of = {route.vehicle: route for route in solution.routes}
    alike: dict[tuple[object, ...], list[int]] = {}
    for k, v in enumerate(instance.vehicles):
        if k in route_of and any(pin(v) in instance.requests[r].required_credentials for r in route_of[k].requests()):
            continue  # a member on board stays on this vehicle
        key = (v.start_location, v.end_location, v.shift, v.capacity, v.max_route_duration, v.credentials - {pin(v)})
        alike.setdefault(key, []).append(k)
    given: dict[int, int] = {}  # vehicle whose route it was -> vehicle that now drives it
    for group in alike.values():
        if len(group) < 2:
            continue
        overlap = np.zeros((len(group), len(group)))
        for i, k in enumerate(group):
            for r in route_of[k].requests() if k in route_of else ():
                if current.get(r) in group:
                    overlap[i, group.index(current[r])] += 1
        rows, cols = linear_sum_assignment(overlap, maximize=True)
        given.update({group[i]: group[j] for i, j in zip(rows, cols, strict=True) if i != j})
    if not given:
        return solution
    routes = [Route(given.get(route.vehicle, route.vehicle), route.stops) for route in solution.routes]
    return replace(solution, routes=routes)


def _moved(current: Mapping[int, int], solution: Solution) -> dict[int, tuple[int, int | None]]:
    now_on = {s.request: route.vehicle for route in solution.routes for s in route.stops if s.request >= 0}
    return {r: (k, now_on.get(r)) for r, k in current.items() if now_on.get(r) != k}
