"""A plan read once into flat arrays, for :class:`nemt.scheduling.live.LiveRoutes`: its routes in the kernels' node
numbering, and what has been driven by "now" held at its planned times.

A live day is loaded again for every change (an urgent request, a stop driven); at thousands of requests, walking the
plan's stops in Python once per question (its order, then what was driven, then which routes are unchanged) cost more
than the question. Here every stop is read once, in C (``operator.attrgetter``), and the rest is array arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _kernels as K_
from .model import Solution, StopKind

_KIND, _REQUEST = attrgetter("kind"), attrgetter("request")
_TIME, _PLACE = attrgetter("service_start"), attrgetter("location")
START, PICKUP, DROPOFF, END = 0, 1, 2, 3
_BY_VALUE = {str.__str__(StopKind.START): START, str.__str__(StopKind.PICKUP): PICKUP,
             str.__str__(StopKind.DROPOFF): DROPOFF, str.__str__(StopKind.END): END}


@dataclass(frozen=True)
class FlatPlan:
    """Every stop of a plan, route after route: its vehicle, kind (the codes above), request (-1 at a depot), planned
    time and location; ``first[i]`` is where route i starts (``first[-1]``: the number of stops)."""

    vehicle: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int8]
    request: npt.NDArray[np.int64]
    time: npt.NDArray[np.float64]
    place: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    vehicles: list[int]  # the vehicle of each route

    @classmethod
    def of(cls, plan: Solution) -> FlatPlan:
        routes = plan.routes
        count = np.fromiter((len(route.stops) for route in routes), dtype=np.int64, count=len(routes))
        n = int(count.sum())

        def column(get: attrgetter[Any], dtype: type[np.generic]) -> npt.NDArray[Any]:
            # one attribute of every stop: no tuple per stop, which would feed the cyclic garbage collector (a full
            # collection over a day's objects costs more than a whole insertion)
            return np.fromiter(map(get, chain.from_iterable(route.stops for route in routes)), dtype=dtype, count=n)

        kinds = list(map(_KIND, chain.from_iterable(route.stops for route in routes)))
        vehicles = [route.vehicle for route in routes]
        return cls(np.repeat(np.array(vehicles, dtype=np.int64), count), _codes(kinds),
                   column(_REQUEST, np.int64), column(_TIME, np.float64), column(_PLACE, np.int64),
                   np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(count)]), vehicles)

    def _route_of_stop(self) -> npt.NDArray[np.int64]:
        return np.repeat(np.arange(len(self.vehicles)), np.diff(self.first))

    def _first_per_stop(self) -> npt.NDArray[np.int64]:
        """For each stop, the index of its route's first stop."""
        return self.first[:-1][self._route_of_stop()]

    def held(self, now: float) -> npt.NDArray[np.bool_]:
        """The stops driven by ``now``: along each route, those before the first stop after ``now`` or its end."""
        stop: npt.NDArray[np.bool_] = (self.time > now) | (self.kind == END)
        seen: npt.NDArray[np.int64] = np.cumsum(stop) - stop  # stopping stops strictly before each, over the plan
        before_route = seen[self.first[:-1]][self._route_of_stop()] if len(self.vehicles) else seen
        held: npt.NDArray[np.bool_] = (seen == before_route) & ~stop
        return held

    def nodes(self, R: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The stops with a request, in the kernels' numbering (pickup r is node r, its drop-off R + r): (vehicle,
        position on the route counting the start depot as 0, node)."""
        inner: npt.NDArray[np.bool_] = self.request >= 0
        rank: npt.NDArray[np.int64] = np.cumsum(inner) - inner  # inner stops strictly before each, over the plan
        position = rank - rank[self._first_per_stop()] + 1 if len(self.vehicles) else rank
        node: npt.NDArray[np.int64] = self.request + R * (self.kind == DROPOFF)
        return self.vehicle[inner], position[inner], node[inner]

    def unchanged(self, vehicles: set[int], routes: npt.NDArray[np.int64], rlen: npt.NDArray[np.int64],
                  times: npt.NDArray[np.float64], loc: npt.NDArray[np.int64]) -> list[int]:
        """Which of ``vehicles`` have in ``routes`` (the kernels' arrays, at the least schedule ``times``) a route
        with the plan's stops at the plan's times and places, one for one (the nodes being the plan's, as loaded)."""
        if not len(self.vehicles):
            return []
        count = np.diff(self.first)
        mine = np.array([v in vehicles for v in self.vehicles], dtype=np.bool_)
        mine &= count == rlen[np.array(self.vehicles, dtype=np.int64)]
        route = self._route_of_stop()
        at = np.flatnonzero(mine[route])
        k = self.vehicle[at]
        p = at - self.first[:-1][route[at]]
        wrong = (times[k, p] != self.time[at]) | (loc[routes[k, p]] != self.place[at])
        bad = np.bincount(route[at][wrong], minlength=len(self.vehicles)) > 0
        return [self.vehicles[i] for i in np.flatnonzero(mine & ~bad).tolist()]


def _codes(kinds: list[StopKind]) -> npt.NDArray[np.int8]:
    """The kinds as codes, looked up by their plain string values (an Enum member hashes in Python, too slowly for a
    day of stops)."""
    return np.fromiter(map(_BY_VALUE.__getitem__, map(str.__str__, kinds)), dtype=np.int8, count=len(kinds))


def hold_driven(inst: K_.KernelInstance, plan: Solution | FlatPlan, now: float) -> K_.KernelInstance:
    """The kernel arrays with every stop ``plan`` has served by ``now`` held at its planned time (a window [t, t]),
    and each vehicle that has started not leaving before its start (its shift opens then): no change can move what
    has been driven. The same as giving the requests and vehicles those windows in the instance, without building
    a new one (``tests/scheduling/test_kernel_arrays.py``)."""
    flat = plan if isinstance(plan, FlatPlan) else FlatPlan.of(plan)
    R, K = inst[10], inst[11]
    e, late = inst[2].copy(), inst[3].copy()
    held = flat.held(now)
    started = held & (flat.kind == START)
    e[2 * R + flat.vehicle[started]] = flat.time[started]
    e[2 * R + K + flat.vehicle[started]] = flat.time[started]
    for code, offset in ((PICKUP, 0), (DROPOFF, R)):
        at = held & (flat.kind == code)
        node = flat.request[at] + offset
        e[node] = flat.time[at]
        late[node] = flat.time[at]
    return (inst[0], inst[1], e, late, *inst[4:])
