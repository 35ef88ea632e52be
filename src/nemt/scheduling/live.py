"""The live day: what remains of a day at "now", and the changes a dispatcher makes to it.

A plan made at 05:00 is a different problem from one made at 15:00. :func:`live_instance` turns a day's instance and
its :class:`DayState` (now, the dispatch lead time, the members on board, where each vehicle is) into the instance of
what remains:

* no pick-up opens before now plus the dispatch lead time (a leg whose window closes before that cannot be served,
  and the solver leaves it unserved rather than late: windows are hard constraints); a leg already on a run, whose
  driver knows it, only not before now;
* each vehicle starts where it was last seen (its last served stop, or its base), not before now — or, when it must
  already be on its way to its next stop to keep its run, from that stop when it gets there;
* a member on board stays on their vehicle: their pick-up is pinned to the vehicle's place and time, with the ride
  time already spent taken off their limit, and only that vehicle (credential ``vehicle:<id>``) may serve it.

Every change then goes through one exact feasibility test, the solver's own (the compiled least-schedule test of
:mod:`nemt.scheduling._kernels`): :class:`LiveRoutes` keeps the current routes, re-times them, takes requests out,
puts them in at their cheapest feasible place on one vehicle or any, and lists the vehicles that can take a request
with the minutes each would add. :func:`nemt.scheduling.replan.replan` keeps the current assignment unless a fresh
solve is better by a margin per moved leg, and says which legs moved. Callers verify every result with the
independent checker (:func:`nemt.scheduling.check_solution` with ``not_before=now``) before saving it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from . import _kernels as K_
from .driven import FlatPlan, hold_driven
from .model import Instance, Request, Route, Solution, StopKind, TimeWindow, Vehicle
from .solver import _kernel_instance, _to_solution


@dataclass(frozen=True)
class OnBoard:
    """A member picked up and not yet dropped off: on ``vehicle`` since ``picked_up_at`` (minutes)."""

    vehicle: int
    picked_up_at: float


@dataclass(frozen=True)
class DayState:
    """The state of a day at ``now`` (minutes after midnight, as the instance counts time)."""

    now: float
    #: minutes between now and the earliest pick-up a new plan may set (the policy's dispatch lead time)
    lead: float = 0.0
    on_board: Mapping[int, OnBoard] = field(default_factory=dict)  # request index -> where the member is
    positions: Mapping[int, tuple[int, float]] = field(default_factory=dict)  # vehicle -> (location, minutes)
    #: requests already on a run: their driver knows them, so the lead time does not apply to them (only now does)
    assigned: frozenset[int] = frozenset()
    #: vehicles already on their way to their next stop -> (its location, when they get there): they start from
    #: there, not from where they were last seen at now
    en_route: Mapping[int, tuple[int, float]] = field(default_factory=dict)

    @property
    def earliest_pickup(self) -> float:
        return self.now + self.lead


def with_lead(instance: Instance, r: int, state: DayState) -> Instance:
    """``instance`` with request ``r`` picked up no sooner than now plus the lead time: a leg put on another vehicle
    is new to that driver."""
    req = instance.requests[r]
    window = TimeWindow(max(req.pickup_window.earliest, state.earliest_pickup), req.pickup_window.latest)
    requests = [*instance.requests[:r], replace(req, pickup_window=window), *instance.requests[r + 1:]]
    return replace(instance, requests=requests)


def pin(vehicle: Vehicle) -> str:
    """The credential that keeps a member on board on ``vehicle``."""
    return f"vehicle:{vehicle.id}"


def live_instance(instance: Instance, state: DayState) -> Instance:
    """The instance of what remains of the day at ``state.now`` (see the module's docstring). Request and vehicle
    indices are those of ``instance``."""
    vehicles = [_live_vehicle(k, v, state) for k, v in enumerate(instance.vehicles)]
    requests = []
    for q, req in enumerate(instance.requests):
        if q in state.on_board:
            requests.append(on_board(req, state.on_board[q], vehicles, instance.travel_time))
        else:
            opens = max(req.pickup_window.earliest, state.now if q in state.assigned else state.earliest_pickup)
            requests.append(replace(req, pickup_window=TimeWindow(opens, req.pickup_window.latest)))
    return replace(instance, name=f"{instance.name}@{state.now:g}", requests=requests, vehicles=vehicles)


def _live_vehicle(k: int, v: Vehicle, state: DayState) -> Vehicle:
    """Where and when vehicle ``k`` can start what remains of its day: its last known place, not before now."""
    where, when = state.en_route.get(k) or state.positions.get(k, (v.start_location, v.shift.earliest))
    start = max(when, state.now, v.shift.earliest)
    return replace(v, start_location=where, shift=TimeWindow(start, v.shift.latest),
                   max_route_duration=min(v.max_route_duration, max(0.0, v.shift.latest - start)),
                   credentials=v.credentials | {pin(v)})


def on_board(req: Request, where: OnBoard, vehicles: Sequence[Vehicle], travel_time: object) -> Request:
    """A member on board: picked up "again" where and when their vehicle starts, with the ride time already spent
    taken off the limit; only their vehicle may serve them. A member on board is driven home whatever happens: if the
    vehicle is already too late for their window or ride limit, those are widened to the direct drive (the lateness
    is real and the board shows it; a plan without the member would be worse)."""
    vehicle = vehicles[where.vehicle]
    start = vehicle.shift.earliest
    spent = max(0.0, start - (where.picked_up_at + req.pickup_service))
    direct = float(travel_time[vehicle.start_location, req.dropoff_location])  # type: ignore[index]
    ride = max(req.max_ride_time - spent, direct)
    drop = req.dropoff_window
    return replace(req, pickup_location=vehicle.start_location, pickup_window=TimeWindow(start, start),
                   pickup_service=0.0, max_ride_time=ride,
                   dropoff_window=TimeWindow(min(drop.earliest, start + direct), max(drop.latest, start + direct)),
                   required_credentials=req.required_credentials | {pin(vehicle)})


@dataclass(frozen=True)
class Option:
    """A vehicle that can take a request: the routing cost (minutes) its run would grow by, and the miles."""

    vehicle: int
    added: float
    miles: float = 0.0


class LiveRoutes:
    """The routes of a live instance as the compiled kernels hold them, changed one request at a time.

    Every change is tested with the solver's exact least-schedule test (windows, ride time, capacity per space
    type, shift, route duration, credentials): a route is never left infeasible by :meth:`insert`."""

    def __init__(self, instance: Instance, order: Mapping[int, Sequence[tuple[int, StopKind]]] | None = None,
                 miles: npt.ArrayLike | None = None, *, driven: Solution | None = None,
                 now: float | None = None) -> None:
        """``order``: each vehicle's stops (request index, pickup or drop-off) in the order it drives them (default:
        as ``driven``'s routes drive them); ``miles``: distances between the instance's locations, to say how many
        miles a change adds; ``driven`` and ``now``: a plan (of this instance's requests and vehicles) whose stops at
        or before ``now`` have been driven, held at their planned times (see :func:`hold_driven`) so no change moves
        them. With ``driven`` and no ``order``, :meth:`solution` keeps the stops of each route that nothing changed
        and whose times and places are still the plan's."""
        self.instance = instance
        self.miles = np.asarray(miles if miles is not None else instance.cost, dtype=np.float64)
        self.inst = _kernel_instance(instance)
        flat = FlatPlan.of(driven) if driven is not None else None
        self._flat = flat
        if flat is not None and now is not None:
            self.inst = hold_driven(self.inst, flat, now)
        R, K, S = self.inst[10], self.inst[11], self.inst[12]
        self.R, self.K, self.S = R, K, S
        self.rlen = np.full(K, 2, dtype=np.int64)
        self._rcost = np.zeros(K)
        self._ppos = np.zeros(max(R, 1), dtype=np.int64)
        self._loc = self.inst[13]
        self.dropped: list[int] = []  # requests taken out because their vehicle's route could not keep them
        # the routes of ``driven`` that solution() may keep, for as long as nothing changes them (_touch)
        self._kept: dict[int, Route] = {route.vehicle: route for route in driven.routes} if (
            driven is not None and order is None) else {}
        # What does not change until a route does: each route's least schedule, loads and feasibility (refreshed
        # for route k only after k changed), and where each request is.
        self._fresh = np.zeros(K, dtype=np.bool_)
        self._ok = np.zeros(K, dtype=np.bool_)
        self._where: dict[int, int] | None = None
        self._on: dict[int, list[int]] = {}  # each route's requests when last located
        self._changed: set[int] = set()  # routes changed since
        # The arrays are as wide as the longest route needs (two more stops than it has), not as the longest route
        # could be (2R + 2 stops): they grow when a route does (_widen).
        if order is None and flat is not None:  # the plan's routes, read once (driven.FlatPlan)
            vehicle, position, node = flat.nodes(R)
            inner = np.bincount(vehicle, minlength=K) if len(vehicle) else np.zeros(K, dtype=np.int64)
        else:
            order = order if order is not None else {}
            pickup = StopKind.PICKUP
            rows = [(k, [q if kind is pickup else R + q for q, kind in stops]) for k, stops in order.items()]
            vehicle = np.array([k for k, nodes in rows for _ in nodes], dtype=np.int64)
            position = np.array([p for _, nodes in rows for p in range(1, len(nodes) + 1)], dtype=np.int64)
            node = np.array([n for _, nodes in rows for n in nodes], dtype=np.int64)
            inner = np.zeros(K, dtype=np.int64)
            inner[[k for k, _ in rows]] = [len(nodes) for _, nodes in rows]
        self.width = 0
        self.routes = np.zeros((K, 0), dtype=np.int64)
        self._widen(int(inner.max(initial=0)) + 4)
        # each route as given, then all tested at once
        self.routes[:, 0] = 2 * R + np.arange(K)
        self.routes[vehicle, position] = node
        self.rlen[:] = inner + 2
        self.routes[np.arange(K), inner + 1] = 2 * R + K + np.arange(K)
        ok = np.ones(K, dtype=np.bool_)
        K_.schedule_all(self.routes, self.rlen, self.inst, np.zeros((K, self.width)), ok, self._lb, self._ppos)
        broken = np.flatnonzero(~ok).tolist()
        if broken and order is None:
            order = order_of(driven) if driven is not None else {}
        for k in broken:  # keep what fits of a route that does not as a whole
            self._keep_what_fits(k, order[k] if order is not None else [])

    def _widen(self, need: int) -> None:
        """Make the route arrays at least ``need`` stops wide (doubling, at most the 2R + 2 a route can hold)."""
        if need <= self.width:
            return
        M = max(need, min(2 * self.width, 2 * self.R + 2), 8)
        K, S = self.K, self.S
        routes = np.zeros((K, M), dtype=np.int64)
        routes[:, : self.width] = self.routes
        self.routes, self.width = routes, M
        self._sched, self._loads = np.zeros((2 * K, M)), np.zeros((K, M, S), dtype=np.int64)
        self._B, self._lb, self._tmp = np.empty(M), np.empty(M), np.empty(M, dtype=np.int64)
        # candidate buffers of best_insertion: at most one entry per (i, j) pair of a route of up to M - 2 stops
        size = M * M // 2 + M
        self._cd, self._ci, self._cj = np.empty(size), np.empty(size, dtype=np.int64), np.empty(size, np.int64)
        self._fresh[:] = False  # schedules and loads are recomputed in the new arrays

    # -- reading ---------------------------------------------------------------------------------------------------
    def vehicle_of(self, r: int) -> int | None:
        if self._where is None:  # every request located once; then only the routes changed since (_touch)
            self._on = {k: self._riders(k) for k in range(self.K)}
            self._where = {q: k for k, riders in self._on.items() for q in riders}
            self._changed.clear()
        for k in self._changed:
            for q in self._on.get(k, ()):
                if self._where.get(q) == k:  # not yet located on the route it moved to
                    del self._where[q]
            self._on[k] = self._riders(k)
            for q in self._on[k]:
                self._where[q] = k
        self._changed.clear()
        return self._where.get(r)

    def _riders(self, k: int) -> list[int]:
        nodes = self.routes[k, 1 : self.rlen[k] - 1]
        return [int(n) for n in nodes[nodes < self.R]]

    def _touch(self, k: int) -> None:
        """Route ``k`` changed: its schedule is refreshed before it is next read, and its requests located again."""
        self._kept.pop(k, None)
        self._fresh[k] = False
        self._changed.add(k)

    def served(self) -> set[int]:
        return set(self._served_nodes().tolist())

    def _served_nodes(self) -> npt.NDArray[np.int64]:
        """The requests on some route (their pickup nodes), in route order."""
        on = np.arange(self.width)[None, :] < self.rlen[:, None]
        nodes = self.routes[on]
        return nodes[nodes < self.R]

    def feasible(self, k: int) -> bool:
        return bool(K_.schedule(self.routes[k], int(self.rlen[k]), k, self.inst, self._B, self._lb, self._ppos))

    def solution(self) -> Solution:
        """The routes, each at its least schedule; requests on no route are unserved."""
        on_route = np.zeros(self.R, dtype=np.bool_)
        on_route[self._served_nodes()] = True
        unserved = np.flatnonzero(~on_route).tolist()
        same: dict[int, Route] = {}
        if self._kept and self._flat is not None:  # routes nothing changed, still at the plan's times and places
            times = np.zeros((self.K, self.width))
            K_.schedule_all(self.routes, self.rlen, self.inst, times, np.ones(self.K, dtype=np.bool_), self._lb,
                            self._ppos)
            same = {k: self._kept[k] for k in self._flat.unchanged(set(self._kept), self.routes, self.rlen, times,
                                                                   self._loc)}
        return _to_solution(self.instance, self.inst, self.routes, self.rlen, unserved, same, checked=True)

    def route_of(self, k: int) -> npt.NDArray[np.int64]:
        """Vehicle ``k``'s route as it is now (its nodes, depots included), to :meth:`restore` it later."""
        return self.routes[k, : self.rlen[k]].copy()

    # -- changing ----------------------------------------------------------------------------------------------------
    def restore(self, k: int, nodes: npt.NDArray[np.int64]) -> None:
        """Vehicle ``k``'s route back to ``nodes`` (as :meth:`route_of` gave it)."""
        self._widen(len(nodes) + 2)
        self.routes[k, : len(nodes)], self.rlen[k] = nodes, len(nodes)
        self._touch(k)

    def remove(self, r: int) -> int | None:
        """Take request ``r`` off its route (the others keep their order); returns its vehicle."""
        k = self.vehicle_of(r)
        if k is not None:
            K_.remove_request(r, k, self.routes, self.rlen, self.R)
            self._touch(k)
        return k

    def best_on(self, r: int, k: int) -> tuple[float, int, int]:
        """The cheapest feasible place of ``r`` on vehicle ``k``: (added cost, i, j), or (inf, -1, -1)."""
        self._widen(int(self.rlen[k]) + 2)
        if not self._fresh[k]:
            self._ok[k] = K_.refresh_route(k, self.routes, self.rlen, self._sched, self._loads, self._rcost, self.inst,
                                           self._lb, self._ppos)
            self._fresh[k] = True
        if not self._ok[k]:  # a route already broken takes nothing more
            return K_.INF, -1, -1
        delta, i, j = K_.best_insertion(r, k, self.routes, self.rlen, self._sched, self._loads, self.inst, 0.0,
                                        self._tmp, self._B, self._lb, self._ppos, self._cd, self._ci, self._cj)
        return float(delta), int(i), int(j)

    def fits(self, r: int, k: int) -> bool:
        """Whether vehicle ``k`` has a feasible place for request ``r`` (:meth:`best_on` found one)."""
        return self.best_on(r, k)[0] < K_.INF

    def options(self, r: int) -> list[Option]:
        """Every vehicle that could take request ``r`` at its cheapest feasible place, cheapest first (a request on
        a route is taken off it for the question, and put back)."""
        home = self.vehicle_of(r)
        saved = self.route_of(home) if home is not None else None
        if home is not None:
            self.remove(r)
        found = []
        for k in range(self.K):
            delta, i, j = self.best_on(r, k)
            if delta < K_.INF:
                n = K_.build_insert(self.routes[k], int(self.rlen[k]), i, j, r, self.R + r, self._tmp)
                found.append(Option(k, delta, self._miles(self._tmp[:n]) - self._miles(self.routes[k, : self.rlen[k]])))
        if home is not None and saved is not None:
            self.restore(home, saved)
        return sorted(found, key=lambda o: (o.added, o.miles, o.vehicle))

    def miles_of(self, vehicles: Sequence[int]) -> float:
        """The miles of the vehicles' routes as they are, depot to depot."""
        return sum(self._miles(self.routes[k, : self.rlen[k]]) for k in vehicles)

    def place(self, node: int) -> int:
        """The location of a stop of the kernels' numbering (pick-up ``r``, drop-off ``R + r``, depots after)."""
        return int(self._loc[node])

    def _miles(self, nodes: npt.NDArray[np.int64]) -> float:
        places = self._loc[nodes]
        return float(self.miles[places[:-1], places[1:]].sum()) if len(nodes) > 2 else 0.0

    def insert(self, r: int, vehicle: int | None = None) -> Option | None:
        """Put ``r`` at its cheapest feasible place (on ``vehicle`` only, if given); None if there is none."""
        best: tuple[float, int, int, int] = (K_.INF, -1, -1, -1)
        if vehicle is not None:
            delta, i, j = self.best_on(r, vehicle)
            best = (delta, i, j, vehicle) if delta < K_.INF else best
        elif self.K:  # every vehicle, in one compiled call (as best_on one by one, lowest vehicle first on a tie)
            self._widen(int(self.rlen.max()) + 2)
            delta, i, j, k = K_.best_insertion_any(r, self.routes, self.rlen, self._sched, self._loads, self._rcost,
                                                   self._fresh, self._ok, self.inst, self._tmp, self._B, self._lb,
                                                   self._ppos, self._cd, self._ci, self._cj)
            best = (float(delta), int(i), int(j), int(k))
        if best[3] < 0:
            return None
        K_.insert_request(r, best[3], best[1], best[2], self.routes, self.rlen, self.R, self._tmp)
        self._touch(best[3])
        return Option(best[3], best[0])

    def _keep_what_fits(self, k: int, stops: Sequence[tuple[int, StopKind]]) -> None:
        """Vehicle ``k``'s route in the given order, keeping each request (in the order of its pick-ups) only if the
        route with it stays feasible; the others go to ``dropped``. A route feasible as a whole keeps everything
        (tested once, the usual case)."""
        self.set_stops(k, stops)
        if self.feasible(k):
            return
        kept: set[int] = set()
        for r in dict.fromkeys(q for q, _ in stops):
            trial = kept | {r}
            self.set_stops(k, [(q, kind) for q, kind in stops if q in trial])
            if self.feasible(k):
                kept = trial
            else:
                self.dropped.append(r)
        self.set_stops(k, [(q, kind) for q, kind in stops if q in kept])

    def set_stops(self, k: int, stops: Sequence[tuple[int, StopKind]]) -> None:
        """Vehicle ``k``'s route set to ``stops`` (request, pick-up or drop-off) in this order, untested: the caller
        tests it (:meth:`feasible`)."""
        self._set(k, [q if kind is StopKind.PICKUP else self.R + q for q, kind in stops])

    def _set(self, k: int, inner: Sequence[int]) -> None:
        n = len(inner)
        self._widen(n + 4)
        self.routes[k, 0] = 2 * self.R + k
        self.routes[k, 1 : n + 1] = inner
        self.routes[k, n + 1] = 2 * self.R + self.K + k
        self.rlen[k] = n + 2
        self._touch(k)


def order_of(solution: Solution) -> dict[int, list[tuple[int, StopKind]]]:
    """Each vehicle's stops (request, kind) in a solution's order, as :class:`LiveRoutes` takes them."""
    return {route.vehicle: [(s.request, s.kind) for s in route.stops if s.request >= 0] for route in solution.routes}


def estimated_times(instance: Instance, stops: Sequence[tuple[int, StopKind]], start: tuple[int, float],
                    now: float) -> list[float]:
    """When a vehicle will get to each of ``stops`` (its run's order, none of them logged yet) if it drives them from
    ``start`` (its last known place and the minute it was there), waiting for a window to open but never skipping a
    stop: it cannot reach a stop it has not logged before ``now``, so a late vehicle's estimated times shift, and a
    stop past its window shows by how much. Unlike the feasibility test nothing is refused here: this is what will
    happen, not what is allowed."""
    from .explain import sweep

    where, t = start
    places, opens, service = [where], [t], [0.0]
    for n, (r, kind) in enumerate(stops):
        req = instance.requests[r]
        pickup = kind is StopKind.PICKUP
        places.append(req.pickup_location if pickup else req.dropoff_location)
        opens.append(max((req.pickup_window if pickup else req.dropoff_window).earliest, now if n == 0 else 0.0))
        service.append(req.pickup_service if pickup else req.dropoff_service)
    return sweep(places, opens, service, instance.travel_time)[1:]
