"""``solve(instance, time_limit, seed)``: adaptive large neighbourhood search for the DARP.

The design follows the DARP literature (details and measurements in ``docs/scheduling.md``):

* Ropke & Pisinger (2006), *Transp. Sci.* 40:455-472 - ALNS framework: random, worst and Shaw removal,
  greedy and regret-k insertion with noise, adaptive weights, simulated-annealing acceptance.
* Ropke, Cordeau & Laporte (2007), *Networks* 49:258-272 and Gschwind & Drexl (2019), *Transp. Sci.*
  53:480-491 - the same ALNS applied to the DARP with exact ride-time feasibility of insertions.
* Cordeau & Laporte (2003), *Transp. Res. B* 37:579-594 - the DARP model and scheduling constraints.

The hot loops (feasibility, insertion, removal, one ALNS iteration) are compiled with numba in
:mod:`nemt.scheduling._kernels`; this module converts the model to arrays, drives the search for the
time limit and converts the best routes back into a :class:`~nemt.scheduling.model.Solution`.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _kernels as K_
from .model import Instance, Route, Solution, Stop, StopKind
from .route_pool import RoutePool, vehicle_groups


@dataclass(frozen=True)
class SolverParams:
    """Tunable parameters; defaults measured on the benchmark (see docs/scheduling.md)."""

    #: removed requests per iteration: uniformly in [q_min, q_max], q_max = max(q_min, q_max_fraction * n)
    q_min: int = 2
    q_max_fraction: float = 0.25
    q_max_cap: int = 25
    #: insertion noise amplitude, as a fraction of the largest travel cost (Ropke & Pisinger: 0.025)
    noise: float = 0.025
    p_worst: float = 3.0
    p_shaw: float = 6.0
    #: start temperature: a solution this much worse than the first is accepted with probability 1/2
    start_worse: float = 0.01
    #: final temperature as a fraction of the start temperature
    end_temperature_ratio: float = 0.05
    reaction: float = 0.1
    segment: int = 100
    score_best: float = 33.0
    score_better: float = 9.0
    score_accepted: float = 13.0
    #: Shaw relatedness weights: distance, time, load, different vehicle
    shaw_weights: tuple[float, float, float, float] = (1.0, 1.0, 0.5, 0.5)
    #: annealing cycles; each restarts from the best solution at the start temperature
    annealing_cycles: int = 3
    #: relocate local search on repaired candidates (passes; 0 = off) within this window above the current cost
    local_search_passes: int = 0
    local_search_window: float = 0.02
    #: set-partitioning recombination of pooled routes at these fractions of the time limit
    sp_at: tuple[float, ...] = (0.25, 0.5, 0.75, 0.93)
    #: time limit of each set-partitioning solve, as a fraction of the time limit
    sp_time_fraction: float = 0.05
    #: rows of the kernel's route buffer between harvests
    pool_buffer: int = 20000


def _kernel_instance(instance: Instance) -> K_.KernelInstance:
    """Arrays in the kernels' node numbering (see :mod:`nemt.scheduling._kernels`)."""
    reqs, vehs = instance.requests, instance.vehicles
    R, K = len(reqs), len(vehs)
    S = len(instance.space_types)
    N = 2 * R + 2 * K
    loc = np.empty(N, dtype=np.int64)
    e = np.empty(N)
    late = np.empty(N)
    svc = np.zeros(N)
    dem = np.zeros((N, S), dtype=np.int64)
    for r, q in enumerate(reqs):
        loc[r], loc[R + r] = q.pickup_location, q.dropoff_location
        e[r], late[r] = q.pickup_window.earliest, q.pickup_window.latest
        e[R + r], late[R + r] = q.dropoff_window.earliest, q.dropoff_window.latest
        svc[r], svc[R + r] = q.pickup_service, q.dropoff_service
        dem[r] = q.load
        dem[R + r] = [-x for x in q.load]
    for k, v in enumerate(vehs):
        loc[2 * R + k], loc[2 * R + K + k] = v.start_location, v.end_location
        e[2 * R + k] = e[2 * R + K + k] = v.shift.earliest
        late[2 * R + k] = late[2 * R + K + k] = v.shift.latest
    tt = np.ascontiguousarray(instance.travel_time[np.ix_(loc, loc)])
    cost = np.ascontiguousarray(instance.cost[np.ix_(loc, loc)])
    max_ride = np.array([q.max_ride_time for q in reqs], dtype=np.float64)
    compat = np.array([[1 if v.can_serve(q) else 0 for v in vehs] for q in reqs], dtype=np.uint8).reshape(R, K)
    cap = np.array([v.capacity for v in vehs], dtype=np.int64).reshape(K, S)
    max_dur = np.array([v.max_route_duration for v in vehs], dtype=np.float64)
    return (tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S)


def solve(instance: Instance, time_limit: float = 10.0, seed: int = 0, params: SolverParams | None = None) -> Solution:
    """Solve ``instance`` within ``time_limit`` seconds (wall clock) with random ``seed``.

    Returns the best solution found. ``Solution.unserved`` lists requests no vehicle could take
    (``feasible`` is then False). The first call in a process also pays numba's load/compile time
    (cached on disk after the first run), which is not counted against ``time_limit``.
    """
    params = params or SolverParams()
    inst = _kernel_instance(instance)
    R, K = inst[10], inst[11]
    S = inst[12]
    M = 2 * R + 2
    K_.seed_rng(int(seed) % (2**32))

    routes = np.zeros((K, M), dtype=np.int64)
    rlen = np.zeros(K, dtype=np.int64)
    assign = np.full(R, -1, dtype=np.int64)
    bank = np.zeros(R, dtype=np.int64)
    sched = np.zeros((2 * K, M))  # schedules and forward time slacks
    loads = np.zeros((K, M, S), dtype=np.int64)
    rcost = np.zeros(K)
    tmp = np.empty(M, dtype=np.int64)
    B = np.empty(M)
    lb = np.empty(M)
    ppos = np.zeros(max(R, 1), dtype=np.int64)
    _warm_up(inst)  # numba load/compile happens here, outside the time limit
    start = time.perf_counter()
    nbank = K_.construct(routes, rlen, assign, bank, sched, loads, rcost, inst, tmp, B, lb, ppos)

    max_cost = float(inst[1].max()) if R else 1.0
    penalty = 10.0 * max(max_cost, 1.0) + 1.0  # larger than any insertion cost: serving beats not serving
    routing = float(rcost.sum())
    scal = np.array([routing + penalty * nbank, routing + penalty * nbank, nbank, nbank, penalty])
    best = (routes.copy(), rlen.copy(), assign.copy(), bank.copy())
    w_destroy = np.ones(K_.NUM_DESTROY)
    w_repair = np.ones(K_.NUM_REPAIR)
    counters = np.zeros(2 + 2 * K_.NUM_DESTROY + 2 * K_.NUM_REPAIR)
    q_min = min(params.q_min, R)
    q_max = max(q_min, min(params.q_max_cap, int(params.q_max_fraction * R)))
    xy_scale = max(float(np.mean(inst[0])), 1e-9)
    kparams = np.array([q_min, q_max, params.noise * max_cost, params.p_worst, params.p_shaw, xy_scale,
                        params.reaction, params.segment, params.score_best, params.score_better, params.score_accepted,
                        params.local_search_passes, params.local_search_window])
    shaw_w = np.array(params.shaw_weights, dtype=np.float64)

    t0 = params.start_worse * max(routing, 1.0) / math.log(2.0)
    t_end = t0 * params.end_temperature_ratio
    build_time = time.perf_counter() - start

    cycles = max(1, params.annealing_cycles)
    cycle_length = max(time_limit, 1e-9) / cycles

    def temperature(elapsed: float) -> float:
        # geometric cooling within each cycle; every cycle after the first starts again from the best
        # solution (a restart/reheat scheme, cf. the restarts of Braekers et al. 2014's annealing)
        frac = min(max((elapsed % cycle_length) / cycle_length, 0.0), 1.0)
        return float(t0 * (t_end / t0) ** frac)

    groups = vehicle_groups(instance)
    pool = RoutePool(R, groups)
    pool_nodes = np.zeros((params.pool_buffer, M), dtype=np.int64)
    pool_len = np.zeros(params.pool_buffer, dtype=np.int64)
    pool_cost = np.zeros(params.pool_buffer)
    pool_fill = np.zeros(1, dtype=np.int64)
    for k in range(K):
        if rlen[k] > 2:
            pool.add(routes[k, : rlen[k]], rcost[k])
    sp_pending = sorted(params.sp_at)
    sp_log = []

    chunk = 10
    current_cycle = 0
    trace = [(0.0, float(scal[1]))]  # (seconds, best objective) whenever the best improves
    if R >= 1:
        while True:
            elapsed = time.perf_counter() - start
            remaining = time_limit - elapsed
            if remaining <= 0:
                break
            cycle = int(elapsed / cycle_length)
            if cycle > current_cycle:
                current_cycle = cycle
                for arr, src in zip((routes, rlen, assign, bank), best, strict=True):
                    arr[...] = src
                scal[0], scal[2] = scal[1], scal[3]
            tic = time.perf_counter()
            K_.alns_chunk(inst, chunk, temperature(elapsed), temperature(elapsed + 0.2),
                          routes, rlen, assign, bank, best[0], best[1], best[2], best[3],
                          scal, w_destroy, w_repair, kparams, shaw_w, counters,
                          pool_nodes, pool_len, pool_cost, pool_fill)
            spent = time.perf_counter() - tic
            if scal[1] < trace[-1][1]:
                trace.append((time.perf_counter() - start, float(scal[1])))
            pool.harvest(pool_nodes, pool_len, pool_cost, int(pool_fill[0]))
            pool_fill[0] = 0
            now = time.perf_counter() - start
            if sp_pending and now >= sp_pending[0] * time_limit:
                sp_pending = [x for x in sp_pending if x * time_limit > now]
                sp_limit = min(params.sp_time_fraction * time_limit, time_limit - now)
                tic_sp = time.perf_counter()
                incumbent = [pool.key_of(best[0][k, : best[1][k]]) for k in range(K) if best[1][k] > 2]
                found = pool.solve(sp_limit, float(scal[1]), incumbent)
                sp_seconds = round(time.perf_counter() - tic_sp, 2)
                sp_log.append(
                    (round(now, 2), len(pool), pool.last_stats, sp_seconds, None if found is None else found[0])
                )
                if found is not None and found[0] < scal[1] - 1e-7 and int(scal[3]) == 0:  # improved
                    _load_routes(found[1], R, K, routes, rlen, assign)
                    for arr, src in zip(best, (routes, rlen, assign, bank), strict=True):
                        arr[...] = src
                    scal[0] = scal[1] = found[0]
                    scal[2] = scal[3] = 0  # the cover serves every request
                    trace.append((time.perf_counter() - start, float(scal[1])))
                continue
            # aim for chunks of ~0.2 s so the time limit is respected closely
            per_iter = spent / chunk
            rate_guess = 0.2 / max(per_iter, 1e-6)
            chunk = int(max(1, min(rate_guess, (time_limit - (time.perf_counter() - start)) / max(per_iter, 1e-6))))
    best_routes, best_rlen, best_assign, best_bank = best
    nb = int(scal[3])
    solution = _to_solution(instance, inst, best_routes, best_rlen, best_bank[:nb])
    solution.runtime = time.perf_counter() - start
    solution.iterations = int(counters[0])
    solution.stats = {
        "construction_seconds": build_time,
        "improvements": int(counters[1]),
        "trace": trace,
        "set_partitioning": sp_log,
        "destroy_weights": w_destroy.tolist(),
        "repair_weights": w_repair.tolist(),
    }
    return solution


def _warm_up(inst: K_.KernelInstance) -> None:
    """Compile (or load from numba's on-disk cache) the kernels with this instance's types."""
    R, K = inst[10], inst[11]
    M = 2 * R + 2
    z = np.zeros
    K_.alns_chunk(inst, 0, 1.0, 1.0, z((K, M), np.int64), z(K, np.int64), z(R, np.int64), z(R, np.int64),
                  z((K, M), np.int64), z(K, np.int64), z(R, np.int64), z(R, np.int64),
                  z(5), np.ones(K_.NUM_DESTROY), np.ones(K_.NUM_REPAIR), z(13) + 1, z(4),
                  z(2 + 2 * K_.NUM_DESTROY + 2 * K_.NUM_REPAIR),
                  z((1, M), np.int64), z(1, np.int64), z(1), z(1, np.int64))


def _load_routes(
    chosen: Sequence[tuple[int, tuple[int, ...]]], R: int, K: int, routes: K_.IntArray, rlen: K_.IntArray,
    assign: K_.IntArray,
) -> None:
    """Write set-partitioning routes [(vehicle, inner nodes)] into the kernel arrays."""
    for k in range(K):
        routes[k, 0] = 2 * R + k
        routes[k, 1] = 2 * R + K + k
        rlen[k] = 2
    for vehicle, inner in chosen:
        n = len(inner)
        routes[vehicle, 0] = 2 * R + vehicle
        routes[vehicle, 1 : n + 1] = inner
        routes[vehicle, n + 1] = 2 * R + K + vehicle
        rlen[vehicle] = n + 2
        for node in inner:
            if node < R:
                assign[node] = vehicle


def _to_solution(
    instance: Instance, inst: K_.KernelInstance, routes: K_.IntArray, rlen: K_.IntArray,
    unserved: Sequence[int] | K_.IntArray,
) -> Solution:
    R, K = inst[10], inst[11]
    M = routes.shape[1]
    B = np.empty(M)
    lb = np.empty(M)
    ppos = np.zeros(max(R, 1), dtype=np.int64)
    out: list[Route] = []
    total = 0.0
    feasible = len(unserved) == 0
    for k in range(K):
        n = int(rlen[k])
        if n <= 2:
            continue
        row = routes[k]
        if not K_.schedule(row, n, k, inst, B, lb, ppos):
            feasible = False
        stops = []
        for p in range(n):
            node = int(row[p])
            if node < R:
                stops.append(Stop(StopKind.PICKUP, node, instance.requests[node].pickup_location, float(B[p])))
            elif node < 2 * R:
                r = node - R
                stops.append(Stop(StopKind.DROPOFF, r, instance.requests[r].dropoff_location, float(B[p])))
            elif node < 2 * R + K:
                stops.append(Stop(StopKind.START, -1, instance.vehicles[k].start_location, float(B[p])))
            else:
                stops.append(Stop(StopKind.END, -1, instance.vehicles[k].end_location, float(B[p])))
        for a, b in itertools.pairwise(stops):
            total += float(instance.cost[a.location, b.location])
        out.append(Route(vehicle=k, stops=stops))
    return Solution(cost=total, routes=out, unserved=sorted(int(r) for r in unserved), feasible=feasible)
