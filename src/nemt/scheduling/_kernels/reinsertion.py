"""Regret-k insertion (repair) and the relocate local search (compiled kernels)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .routes import best_insertion, insert_request, refresh_route, remove_request
from .types import INF, FloatArray, IntArray, KernelInstance

#: Up to this regret level a request's cheapest costs are picked out of its row one by one instead of sorting it.
SMALL_REGRET = 8


@njit(cache=True)
def _regret_score(ins_cost: FloatArray, a: int, K: int, regret: int, row: FloatArray) -> tuple[float, float, int]:
    """Request ``a``'s regret score, cheapest insertion cost and its vehicle (-1: none feasible) from its row of
    ``ins_cost``: the sum over the next ``regret - 1`` cheapest vehicles of the difference to the cheapest (each
    capped, so that a request with fewer feasible vehicles scores high and goes first); greedy (``regret`` 1): the
    cost itself, negated."""
    c1 = INF
    k1 = -1
    for k in range(K):
        if ins_cost[a, k] < c1:
            c1 = ins_cost[a, k]
            k1 = k
    if k1 < 0:
        return -INF, INF, -1
    if regret <= 1:
        return -c1, c1, k1
    big = 1e7
    n = min(regret, K)
    if n <= SMALL_REGRET:
        # the n cheapest costs in ascending order, kept in row[:n] by insertion (no sort of the whole row)
        filled = 0
        for k in range(K):
            c = ins_cost[a, k]
            if filled == n and c >= row[n - 1]:
                continue
            h = filled if filled < n else n - 1
            while h > 0 and row[h - 1] > c:
                row[h] = row[h - 1]
                h -= 1
            row[h] = c
            if filled < n:
                filled += 1
    else:
        for k in range(K):
            row[k] = ins_cost[a, k]
        row.sort()
    score = 0.0
    for h in range(1, regret):
        ch = row[h] if h < K else INF
        if ch > big:
            ch = big
        score += ch - c1
    return score, c1, k1


@njit(cache=True)
def repair(
    bank: IntArray, nbank: int, routes: IntArray, rlen: IntArray, assign: IntArray, sched: FloatArray,
    loads: IntArray, rcost: FloatArray, inst: KernelInstance, regret: int, noise: float, tmp: IntArray,
    B: FloatArray, lb: FloatArray, ppos: IntArray,
) -> int:
    """Insert the requests in ``bank[:nbank]`` by regret-``regret`` insertion (1 = greedy).

    Ropke & Pisinger (2006) §3.2: repeatedly insert the request with the largest regret
    (sum over the next ``regret - 1`` best routes of the cost difference to its best route);
    requests with fewer feasible routes get a large regret so they go first.
    Returns the number of requests left uninserted (moved to the front of ``bank``).
    """
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    m = nbank
    M = routes.shape[1]
    # candidate buffers for best_insertion: at most one entry per (i, j) pair
    cd = np.empty(M * M // 2 + M)
    ci = np.empty(M * M // 2 + M, dtype=np.int64)
    cj = np.empty(M * M // 2 + M, dtype=np.int64)
    ins_cost = np.full((m, K), INF)
    ins_i = np.full((m, K), -1, dtype=np.int64)
    ins_j = np.full((m, K), -1, dtype=np.int64)
    for a in range(m):
        for k in range(K):
            c, i, j = best_insertion(bank[a], k, routes, rlen, sched, loads, inst, noise, tmp, B, lb, ppos, cd, ci, cj)
            ins_cost[a, k] = c
            ins_i[a, k] = i
            ins_j[a, k] = j
    active = np.ones(m, dtype=np.bool_)
    row = np.empty(K)
    # Each request's best vehicle, cheapest cost and regret score, kept between steps: after an insertion only
    # the requests whose cost on the changed route moved are scored again (the scores are what a full rescan of
    # every row at every step would give, so the choices are the same, at a fraction of the work on a large day).
    score = np.empty(m)
    best_c = np.empty(m)
    best_k = np.empty(m, dtype=np.int64)
    for a in range(m):
        score[a], best_c[a], best_k[a] = _regret_score(ins_cost, a, K, regret, row)
    for _step in range(m):
        chosen = -1
        chosen_k = -1
        chosen_score = -INF
        chosen_c1 = INF
        for a in range(m):
            if not active[a] or best_k[a] < 0:
                continue
            if score[a] > chosen_score or (score[a] == chosen_score and best_c[a] < chosen_c1):
                chosen = a
                chosen_k = best_k[a]
                chosen_score = score[a]
                chosen_c1 = best_c[a]
        if chosen < 0:
            break
        r = bank[chosen]
        k = chosen_k
        insert_request(r, k, ins_i[chosen, k], ins_j[chosen, k], routes, rlen, R, tmp)
        refresh_route(k, routes, rlen, sched, loads, rcost, inst, lb, ppos)
        assign[r] = k
        active[chosen] = False
        for a in range(m):
            # A request that fitted nowhere on the route fits nowhere once a stop is added to it: an insertion only
            # delays the stops after it and adds load (with travel times that keep the triangle inequality).
            if active[a] and ins_cost[a, k] < INF:
                c, i, j = best_insertion(
                    bank[a], k, routes, rlen, sched, loads, inst, noise, tmp, B, lb, ppos, cd, ci, cj
                )
                ins_i[a, k] = i
                ins_j[a, k] = j
                if c != ins_cost[a, k]:
                    ins_cost[a, k] = c
                    score[a], best_c[a], best_k[a] = _regret_score(ins_cost, a, K, regret, row)
    left = 0
    for a in range(m):
        if active[a]:
            bank[left] = bank[a]
            left += 1
    return left


@njit(cache=True)
def relocate_search(
    routes: IntArray, rlen: IntArray, assign: IntArray, sched: FloatArray, loads: IntArray, rcost: FloatArray,
    inst: KernelInstance, tmp: IntArray, B: FloatArray, lb: FloatArray, ppos: IntArray, cd: FloatArray,
    ci: IntArray, cj: IntArray, saved: IntArray, max_passes: int,
) -> None:
    """Local search: move single requests to their best position in any route while that saves cost.

    The *relocate* neighbourhood of DARP local searches (Braekers, Caris & Janssens 2014, *Transp.
    Res. B* 67:166-186; Parragh, Doerner & Hartl 2010 VNS), evaluated with the exact insertion of
    :func:`best_insertion`. Requests are visited in random order; first improvement.
    """
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    for _pass in range(max_passes):
        improved = False
        order = np.random.permutation(R)
        for t in range(R):
            r = order[t]
            k0 = assign[r]
            if k0 < 0:
                continue
            n0 = rlen[k0]
            saved[:n0] = routes[k0, :n0]
            before = rcost[k0]
            remove_request(r, k0, routes, rlen, R)
            ok = refresh_route(k0, routes, rlen, sched, loads, rcost, inst, lb, ppos)
            saving = before - rcost[k0]
            best = INF
            bk = -1
            bi = -1
            bj = -1
            if ok:
                for k in range(K):
                    c, i, j = best_insertion(r, k, routes, rlen, sched, loads, inst, 0.0, tmp, B, lb, ppos, cd, ci, cj)
                    if c < best:
                        best = c
                        bk = k
                        bi = i
                        bj = j
            if ok and bk >= 0 and best < saving - 1e-7:
                insert_request(r, bk, bi, bj, routes, rlen, R, tmp)
                refresh_route(bk, routes, rlen, sched, loads, rcost, inst, lb, ppos)
                assign[r] = bk
                improved = True
            else:
                routes[k0, :n0] = saved[:n0]
                rlen[k0] = n0
                refresh_route(k0, routes, rlen, sched, loads, rcost, inst, lb, ppos)
        if not improved:
            break
