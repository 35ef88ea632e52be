"""Construction and the ALNS iteration loop with adaptive weights and annealing (compiled kernels)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .reinsertion import relocate_search, repair
from .removal import destroy
from .routes import refresh_all, route_cost
from .types import NUM_DESTROY, NUM_REPAIR, REGRET_LEVELS, FloatArray, IntArray, KernelInstance


@njit(cache=True)
def choose(weights: FloatArray) -> int:
    total = weights.sum()
    x = np.random.random() * total
    acc = 0.0
    for i in range(len(weights)):
        acc += weights[i]
        if x < acc:
            return i
    return len(weights) - 1


@njit(cache=True)
def seed_rng(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True)
def construct(
    routes: IntArray, rlen: IntArray, assign: IntArray, bank: IntArray, sched: FloatArray, loads: IntArray,
    rcost: FloatArray, inst: KernelInstance, tmp: IntArray, B: FloatArray, lb: FloatArray, ppos: IntArray,
) -> int:
    """Initial solution: empty routes, then regret-2 insertion of every request."""
    R = inst[10]
    K = inst[11]
    for k in range(K):
        routes[k, 0] = 2 * R + k
        routes[k, 1] = 2 * R + K + k
        rlen[k] = 2
    for r in range(R):
        assign[r] = -1
        bank[r] = r
    refresh_all(routes, rlen, sched, loads, rcost, inst, lb, ppos)
    return repair(bank, R, routes, rlen, assign, sched, loads, rcost, inst, 2, 0.0, tmp, B, lb, ppos)


@njit(cache=True)
def alns_chunk(
    inst: KernelInstance, n_iter: int, temp_from: float, temp_to: float,
    cur_routes: IntArray, cur_rlen: IntArray, cur_assign: IntArray, cur_bank: IntArray,
    best_routes: IntArray, best_rlen: IntArray, best_assign: IntArray, best_bank: IntArray,
    scal: FloatArray, w_destroy: FloatArray, w_repair: FloatArray, params: FloatArray, shaw_w: FloatArray,
    counters: FloatArray, pool_nodes: IntArray, pool_len: IntArray, pool_cost: FloatArray, pool_fill: IntArray,
) -> int:
    """Run ``n_iter`` ALNS iterations; the temperature falls geometrically from temp_from to temp_to.

    ``scal`` = [current objective, best objective, current bank size, best bank size, penalty].
    ``params`` = [q_min, q_max, noise amplitude, p_worst, p_shaw, xy_scale, reaction, segment,
    score_best, score_better, score_accepted, local-search passes (0 = off), local-search window:
    only candidates within this fraction above the current objective get the local search].
    ``counters`` = [iterations, improvements of the best] plus the adaptive-weight score/use tallies.
    Every route that changes in an accepted solution is appended to the route pool
    (``pool_nodes``/``pool_len``/``pool_cost``, ``pool_fill[0]`` rows used) for the set-partitioning
    recombination done by the caller.
    """
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    M = cur_routes.shape[1]
    N = 2 * R + 2 * K
    routes = np.empty_like(cur_routes)
    rlen = np.empty_like(cur_rlen)
    assign = np.empty_like(cur_assign)
    bank = np.empty_like(cur_bank)
    sched = np.zeros((2 * K, M))  # rows 0..K-1 schedules, K..2K-1 forward time slacks
    loads = np.zeros((K, M, S), dtype=np.int64)
    rcost = np.zeros(K)
    tmp = np.empty(M, dtype=np.int64)
    B = np.empty(M)
    lb = np.empty(M)
    ppos = np.zeros(R, dtype=np.int64)
    pos = np.zeros(N, dtype=np.int64)
    node_time = np.zeros(N)
    cd = np.empty(M * M // 2 + M)
    ci = np.empty(M * M // 2 + M, dtype=np.int64)
    cj = np.empty(M * M // 2 + M, dtype=np.int64)
    saved = np.empty(M, dtype=np.int64)
    q_min = int(params[0])
    q_max = int(params[1])
    noise_amp = params[2]
    penalty = scal[4]
    segment = int(params[7])
    # score / use tallies live in counters[2:] : destroy scores, destroy uses, repair scores, repair uses
    off_ds = 2
    off_du = off_ds + NUM_DESTROY
    off_rs = off_du + NUM_DESTROY
    off_ru = off_rs + NUM_REPAIR
    ratio = 1.0
    if n_iter > 1 and temp_from > 0.0:
        ratio = (temp_to / temp_from) ** (1.0 / (n_iter - 1))
    temp = temp_from
    for _it in range(n_iter):
        routes[:, :] = cur_routes
        rlen[:] = cur_rlen
        assign[:] = cur_assign
        bank[:] = cur_bank
        nbank = int(scal[2])
        refresh_all(routes, rlen, sched, loads, rcost, inst, lb, ppos)
        d_op = choose(w_destroy)
        r_op = choose(w_repair)
        q = np.random.randint(q_min, q_max + 1)
        nbank = destroy(d_op, q, routes, rlen, assign, sched, bank, nbank, inst, pos, node_time,
                        shaw_w, params[3], params[4], params[5])
        ok = refresh_all(routes, rlen, sched, loads, rcost, inst, lb, ppos)
        level = r_op // 2 + 1
        noise = noise_amp if r_op % 2 == 1 else 0.0
        if level == REGRET_LEVELS:
            level = K  # the last level is regret-K (Ropke & Pisinger's regret-m)
        nbank = repair(bank, nbank, routes, rlen, assign, sched, loads, rcost, inst, level, noise, tmp, B, lb, ppos)
        if not ok:  # only possible without the triangle inequality: removal broke a route
            ok = refresh_all(routes, rlen, sched, loads, rcost, inst, lb, ppos)
        if ok and nbank == 0 and params[11] > 0 and rcost.sum() < scal[0] * (1.0 + params[12]):
            relocate_search(
                routes, rlen, assign, sched, loads, rcost, inst, tmp, B, lb, ppos, cd, ci, cj, saved, int(params[11])
            )
        obj = rcost.sum() + penalty * nbank
        score = 0.0
        if ok:
            if obj < scal[1] - 1e-7:
                score = params[8]
                scal[1] = obj
                scal[3] = nbank
                best_routes[:, :] = routes
                best_rlen[:] = rlen
                best_assign[:] = assign
                best_bank[:] = bank
                counters[1] += 1
            if obj < scal[0] - 1e-7:
                if score == 0.0:
                    score = params[9]
                accept = True
            elif obj <= scal[0] + 1e-7:
                accept = True  # equal cost: move on (plateau), no score
            else:
                accept = temp > 0.0 and np.random.random() < np.exp(-(obj - scal[0]) / temp)
                if accept:
                    score = params[10]
            if accept:
                for k in range(K):
                    if rlen[k] > 2 and (
                        rlen[k] != cur_rlen[k]
                        or abs(rcost[k] - route_cost(cur_routes[k], cur_rlen[k], cost, loc)) > 1e-9
                    ):
                        f = pool_fill[0]
                        if f < pool_len.shape[0]:
                            pool_nodes[f, : rlen[k]] = routes[k, : rlen[k]]
                            pool_len[f] = rlen[k]
                            pool_cost[f] = rcost[k]
                            pool_fill[0] = f + 1
                cur_routes[:, :] = routes
                cur_rlen[:] = rlen
                cur_assign[:] = assign
                cur_bank[:] = bank
                scal[0] = obj
                scal[2] = nbank
        counters[off_ds + d_op] += score
        counters[off_du + d_op] += 1
        counters[off_rs + r_op] += score
        counters[off_ru + r_op] += 1
        counters[0] += 1
        if int(counters[0]) % segment == 0:
            reaction = params[6]
            for o in range(NUM_DESTROY):
                if counters[off_du + o] > 0:
                    w_destroy[o] = (
                        (1 - reaction) * w_destroy[o] + reaction * counters[off_ds + o] / counters[off_du + o]
                    )
                if w_destroy[o] < 0.05:
                    w_destroy[o] = 0.05
                counters[off_ds + o] = 0
                counters[off_du + o] = 0
            for o in range(NUM_REPAIR):
                if counters[off_ru + o] > 0:
                    w_repair[o] = (1 - reaction) * w_repair[o] + reaction * counters[off_rs + o] / counters[off_ru + o]
                if w_repair[o] < 0.05:
                    w_repair[o] = 0.05
                counters[off_rs + o] = 0
                counters[off_ru + o] = 0
        temp *= ratio
    return 0
