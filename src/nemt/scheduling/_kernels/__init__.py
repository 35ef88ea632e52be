"""Compiled (numba) core of the ALNS solver. Internal: use :func:`nemt.scheduling.solve`.

Node numbering inside the kernels, for R requests and K vehicles:

* ``0 .. R-1``          pickup of request r is node r
* ``R .. 2R-1``         drop-off of request r is node R + r
* ``2R + k``            start depot of vehicle k
* ``2R + K + k``        end depot of vehicle k

A route is a row of ``routes[K, M]`` holding ``rlen[k]`` nodes, from start depot to end depot.
``inst`` is the tuple built by :func:`nemt.scheduling.solver._kernel_instance`:
``(tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc)``. The travel-time and cost
matrices ``tt`` and ``cost`` are the instance's own, over *locations*; ``loc[node]`` is the location of a node, so
the time from node ``a`` to node ``b`` is ``tt[loc[a], loc[b]]``. Many nodes share a location (a ZIP centroid, a
clinic, a depot), so the matrices do not grow with the number of requests: a day of 5,000 requests and 400
vehicles has 10,800 nodes, whose node-indexed float64 matrices would take 0.9 GB each.

Route feasibility (``schedule``) computes the *least* schedule: all DARP timing constraints of a fixed
sequence are difference constraints. Travel (``B_j >= B_i + d_i + t_ij``), ride time
(``B_pick >= B_drop - d_pick - L``), route duration (``B_start >= B_end - T``) and opening of windows are
all lower bounds, closing of windows are upper bounds. The pointwise-least solution of the lower-bound
system (a longest-path fixpoint, computed by forward sweeps that restart at a pickup whenever its
drop-off forces it later) is feasible iff any schedule is, so the test is exact — unlike a forward
time slack heuristic — and costs a few linear sweeps on the short routes of DARP benchmarks
(cf. Tang, Kong, Lau & Ip 2010; Haugland & Ho 2010; Gschwind & Irnich 2015 for the same fixpoint view).

The search is the adaptive large neighbourhood search of Ropke & Pisinger (2006, *Transp. Sci.*
40:455-472) as specialised to the DARP by Ropke, Cordeau & Laporte (2007, *Networks* 49:258-272) and
Gschwind & Drexl (2019, *Transp. Sci.* 53:480-491): random / worst / Shaw-related removal, greedy and

The kernels live in submodules: :mod:`.types` (array types, constants), :mod:`.routes` (feasibility,
cost, insertion), :mod:`.removal` (removal operators), :mod:`.reinsertion` (regret insertion, relocate) and
:mod:`.search` (construction, the ALNS loop). This package re-exports them all.
"""

from __future__ import annotations

from . import cache  # noqa: F401  (first: importing it drops a stale compiled cache before any kernel loads it)
from .reinsertion import relocate_search, repair
from .removal import destroy, node_positions, pick_randomized, removal_saving
from .routes import (
    best_insertion,
    best_insertion_any,
    build_insert,
    insert_request,
    refresh_all,
    refresh_route,
    remove_request,
    route_cost,
    schedule,
    schedule_all,
)
from .search import alns_chunk, choose, construct, seed_rng
from .types import (
    D_RANDOM,
    D_ROUTE,
    D_SHAW,
    D_WORST,
    EPS,
    INF,
    NUM_DESTROY,
    NUM_REPAIR,
    REGRET_LEVELS,
    FloatArray,
    IntArray,
    KernelInstance,
)

__all__ = [
    "D_RANDOM",
    "D_ROUTE",
    "D_SHAW",
    "D_WORST",
    "EPS",
    "INF",
    "NUM_DESTROY",
    "NUM_REPAIR",
    "REGRET_LEVELS",
    "FloatArray",
    "IntArray",
    "KernelInstance",
    "alns_chunk",
    "best_insertion",
    "best_insertion_any",
    "build_insert",
    "choose",
    "construct",
    "destroy",
    "insert_request",
    "node_positions",
    "pick_randomized",
    "refresh_all",
    "refresh_route",
    "relocate_search",
    "removal_saving",
    "remove_request",
    "repair",
    "route_cost",
    "schedule",
    "schedule_all",
    "seed_rng",
]
