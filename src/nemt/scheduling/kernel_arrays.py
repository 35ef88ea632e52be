"""The model converted to the compiled kernels' arrays (see :mod:`nemt.scheduling._kernels` for the node numbering).

Two things keep this cheap at the size of a statewide day:

* **Matrices over locations.** The kernels read the instance's own travel-time and cost matrices, which are indexed
  by location, through ``loc[node]``; they are not expanded to one row per node. A day of 5,000 requests and 400
  vehicles has 10,800 nodes but a few hundred locations (ZIP centroids, providers, garages): expanded, each float64
  matrix took 0.9 GB and seconds to build; read through ``loc`` it costs nothing.
* **Columns reused between conversions.** Live dispatch converts a day again for every change (an urgent request
  added, a stop driven), each time from a new :class:`Instance` that shares almost all of its :class:`Request`
  objects with the previous one. Requests are frozen dataclasses, so the columns read from one (windows, service
  times, locations, load, required credentials) cannot change while it lives; the last conversions are remembered
  with the request objects themselves (so their identities stay theirs), and a new conversion reads only the requests
  it has not seen. The answer is the same as converting from scratch (``tests/scheduling/test_kernel_arrays.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from . import _kernels as K_
from .model import Instance, Request, Vehicle

# What the kernels read of each request and vehicle, fetched in C (operator.attrgetter) rather than attribute by
# attribute in Python.
_WINDOWS = attrgetter("pickup_window.earliest", "pickup_window.latest", "dropoff_window.earliest",
                      "dropoff_window.latest", "pickup_service", "dropoff_service", "max_ride_time")
_LOCATIONS = attrgetter("pickup_location", "dropoff_location")
_LOAD, _NEEDS = attrgetter("load"), attrgetter("required_credentials")
_SHIFT = attrgetter("shift.earliest", "shift.latest")
_BASES = attrgetter("start_location", "end_location")
_CAPACITY, _MAX_DURATION, _HAS = attrgetter("capacity"), attrgetter("max_route_duration"), attrgetter("credentials")

#: Conversions remembered (the live day and a solve of it, say); each holds its requests and a few arrays.
_REMEMBERED = 2


@dataclass
class _Columns:
    """The per-request columns of one conversion, with the request objects they were read from."""

    requests: list[Request]
    ids: npt.NDArray[np.int64]
    windows: npt.NDArray[np.float64]  # (R, 7), the columns of _WINDOWS
    places: npt.NDArray[np.int64]  # (R, 2): pickup and drop-off location
    load: npt.NDArray[np.int64]  # (R, S)
    group: npt.NDArray[np.int64]  # the group of each request's required credentials (an index into ``examples``)
    groups: dict[frozenset[str], int]  # required credentials -> group
    examples: list[Request]  # a request of each group


def _grouped(reqs: Sequence[Request], groups: dict[frozenset[str], int], examples: list[Request]) -> list[int]:
    """The group of each request's required credentials, adding new ones to ``groups`` and ``examples``."""
    out = []
    for q, need in zip(reqs, map(_NEEDS, reqs), strict=True):
        g = groups.setdefault(need, len(groups))
        if g == len(examples):
            examples.append(q)
        out.append(g)
    return out


_remembered: list[_Columns] = []
_lock = threading.Lock()


def _read(reqs: Sequence[Request], S: int, groups: dict[frozenset[str], int] | None = None,
          examples: list[Request] | None = None) -> _Columns:
    R = len(reqs)
    groups, examples = ({}, []) if groups is None or examples is None else (groups, examples)
    return _Columns(list(reqs), np.fromiter(map(id, reqs), dtype=np.int64, count=R),
                    np.array(list(map(_WINDOWS, reqs)), dtype=np.float64).reshape(R, 7),
                    np.array(list(map(_LOCATIONS, reqs)), dtype=np.int64).reshape(R, 2),
                    np.array(list(map(_LOAD, reqs)), dtype=np.int64).reshape(R, S),
                    np.array(_grouped(reqs, groups, examples), dtype=np.int64).reshape(R), groups, examples)


def request_columns(reqs: Sequence[Request], S: int) -> _Columns:
    """The columns of ``reqs``, read only for the requests no remembered conversion holds at the same index."""
    R = len(reqs)
    ids = np.fromiter(map(id, reqs), dtype=np.int64, count=R)
    with _lock:
        best, same = None, np.zeros(0, dtype=np.bool_)
        for old in _remembered:
            n = min(len(old.ids), R)
            if old.load.shape[1] != S or n == 0:
                continue
            match = old.ids[:n] == ids[:n]
            if match.sum() > same.sum():
                best, same = old, match
    if best is None or same.sum() < R // 2:
        fresh = _read(reqs, S)
    else:
        n = len(same)
        same = np.concatenate([same, np.zeros(R - n, dtype=np.bool_)])
        new = np.flatnonzero(~same)
        part = _read([reqs[i] for i in new.tolist()], S, dict(best.groups), list(best.examples))
        windows = np.empty((R, 7))
        places = np.empty((R, 2), dtype=np.int64)
        load = np.empty((R, S), dtype=np.int64)
        group = np.empty(R, dtype=np.int64)
        for whole, old_part, new_part in ((windows, best.windows, part.windows), (places, best.places, part.places),
                                          (load, best.load, part.load), (group, best.group, part.group)):
            whole[:n][same[:n]] = old_part[:n][same[:n]]
            whole[new] = new_part
        fresh = _Columns(list(reqs), ids, windows, places, load, group, part.groups, part.examples)
    with _lock:
        _remembered.insert(0, fresh)
        del _remembered[_REMEMBERED:]
    return fresh


def forget() -> None:
    """Drop the remembered conversions (and the requests they hold)."""
    with _lock:
        _remembered.clear()


def kernel_instance(instance: Instance) -> K_.KernelInstance:
    """Arrays in the kernels' node numbering: ``(tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K,
    S, loc)``. The travel-time and cost matrices are the instance's own (copied only if they are not C-contiguous
    writable float64); the request/vehicle compatibility is decided once per distinct pair of credential sets."""
    reqs, vehs = instance.requests, instance.vehicles
    R, K = len(reqs), len(vehs)
    S = len(instance.space_types)
    N = 2 * R + 2 * K
    cols = request_columns(reqs, S)
    rows = cols.windows
    shifts = np.array(list(map(_SHIFT, vehs)), dtype=np.float64).reshape(K, 2)
    bases = np.array(list(map(_BASES, vehs)), dtype=np.int64).reshape(K, 2)
    loc = np.concatenate([cols.places[:, 0], cols.places[:, 1], bases[:, 0], bases[:, 1]])
    e = np.concatenate([rows[:, 0], rows[:, 2], shifts[:, 0], shifts[:, 0]])
    late = np.concatenate([rows[:, 1], rows[:, 3], shifts[:, 1], shifts[:, 1]])
    svc = np.concatenate([rows[:, 4], rows[:, 5], np.zeros(2 * K)])
    dem = np.concatenate([cols.load, -cols.load, np.zeros((2 * K, S), dtype=np.int64)]).reshape(N, S)
    max_ride = np.ascontiguousarray(rows[:, 6])
    cap = np.array(list(map(_CAPACITY, vehs)), dtype=np.int64).reshape(K, S)
    max_dur = np.array(list(map(_MAX_DURATION, vehs)), dtype=np.float64).reshape(K)
    tt = np.require(instance.travel_time, np.float64, ["C", "W"])
    cost = tt if instance.cost is instance.travel_time else np.require(instance.cost, np.float64, ["C", "W"])
    known = min(tt.shape[0], tt.shape[1], cost.shape[0], cost.shape[1]) if tt.ndim == cost.ndim == 2 else 0
    if N and (loc.min() < 0 or loc.max() >= known):  # the kernels index the matrices unchecked
        raise ValueError(f"location: every request's and vehicle's location must be a row and column of the "
                         f"travel_time and cost matrices (0 to {known - 1}), got {int(loc.min())} to {int(loc.max())}")
    compat = _compatibility(cols, vehs)
    return (tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc)


def route_capacity(inst: K_.KernelInstance) -> int:
    """The columns a route needs in the kernels' ``routes[K, M]`` (and every array sized alike): the most stops a
    feasible route can hold, plus the two a candidate insertion adds.

    Every request stop takes its service time before the route can go on, and a route's stops lie between its
    vehicle's start and end (at most the shift, and at most the vehicle's longest duration), so a vehicle ``k``
    serves at most ``min(shift_k, max_duration_k) / shortest service`` stops. On a day of 10,000 requests that is a
    few hundred columns instead of the 20,002 of "every request on one route" (``2R + 2``), which the search would
    copy and zero at every iteration; ``2R + 2`` stays the bound when a stop takes no time or a vehicle has no end.
    """
    R, K = inst[10], inst[11]
    everything = 2 * R + 2
    if R == 0 or K == 0:
        return everything
    e, late, svc, max_dur = inst[2], inst[3], inst[4], inst[9]
    shortest = float(svc[: 2 * R].min())
    span = float(np.minimum(late[2 * R : 2 * R + K] - e[2 * R : 2 * R + K], max_dur).max())
    if not shortest > 0.0 or not np.isfinite(span) or span / shortest >= everything:
        return everything
    return min(everything, int(span / shortest) + 1 + 2 + 2)  # stops, one for rounding, the depots, a candidate


def _compatibility(cols: _Columns, vehs: Sequence[Vehicle]) -> npt.NDArray[np.uint8]:
    """``compat[r, k]`` = 1 if vehicle k can serve request r: :meth:`Vehicle.can_serve` asked once per distinct
    pair of (required credentials, vehicle credentials), a day having few of each."""
    have: dict[frozenset[str], int] = {}
    k_group = np.array([have.setdefault(c, len(have)) for c in map(_HAS, vehs)], dtype=np.int64)
    first_veh = np.unique(k_group, return_index=True)[1].tolist()  # a vehicle of each group, groups in order
    table = np.array([[1 if vehs[k].can_serve(q) else 0 for k in first_veh] for q in cols.examples],
                     dtype=np.uint8).reshape(len(cols.examples), len(have))
    R = len(cols.group)
    return np.ascontiguousarray(table[cols.group][:, k_group]).reshape(R, len(vehs))  # (np.ix_ is slower)


def _used_locations(inst: K_.KernelInstance) -> tuple[K_.IntArray, K_.FloatArray]:
    """The locations the nodes use and how many nodes use each."""
    places, count = np.unique(inst[13], return_counts=True)
    return places, count.astype(np.float64)


def node_mean_time(inst: K_.KernelInstance) -> float:
    """The mean travel time over all pairs of nodes (what the mean of a node-indexed matrix was), from the location
    matrix weighted by how many nodes share each location."""
    places, count = _used_locations(inst)
    if len(places) == 0:
        return 0.0
    return float(count @ inst[0][np.ix_(places, places)] @ count) / float(count.sum()) ** 2


def node_max_cost(inst: K_.KernelInstance) -> float:
    """The largest cost between two nodes."""
    places, _ = _used_locations(inst)
    return float(inst[1][np.ix_(places, places)].max()) if len(places) else 0.0
