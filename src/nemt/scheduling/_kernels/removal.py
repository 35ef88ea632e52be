"""Removal operators of the ALNS: random, worst, Shaw-related and route removal (compiled kernels)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .routes import remove_request
from .types import D_RANDOM, D_ROUTE, D_WORST, FloatArray, IntArray, KernelInstance


@njit(cache=True)
def node_positions(routes: IntArray, rlen: IntArray, K: int, pos: IntArray) -> None:
    for k in range(K):
        for q in range(rlen[k]):
            pos[routes[k, q]] = q


@njit(cache=True)
def removal_saving(
    r: int, k: int, routes: IntArray, rlen: IntArray, pos: IntArray, cost: FloatArray, R: int, loc: IntArray
) -> float:
    route = routes[k]
    ip = pos[r]
    idl = pos[R + r]
    a = loc[route[ip - 1]]  # the matrices are over locations: loc maps a node to its location
    y = loc[route[idl + 1]]
    p = loc[r]
    d = loc[R + r]
    if idl == ip + 1:
        return float(cost[a, p] + cost[p, d] + cost[d, y] - cost[a, y])
    b = loc[route[ip + 1]]
    x = loc[route[idl - 1]]
    return float(cost[a, p] + cost[p, b] - cost[a, b] + cost[x, d] + cost[d, y] - cost[x, y])


@njit(cache=True)
def pick_randomized(order: IntArray, count: int, p: float) -> int:
    """Index into order[:count] (sorted best first) biased to the front: floor(y^p * count)."""
    idx = int(np.random.random() ** p * count)
    if idx >= count:
        idx = count - 1
    return idx


@njit(cache=True)
def destroy(
    op: int, q: int, routes: IntArray, rlen: IntArray, assign: IntArray, sched: FloatArray, bank: IntArray,
    nbank: int, inst: KernelInstance, pos: IntArray, node_time: FloatArray, shaw_w: FloatArray, p_worst: float,
    p_shaw: float, xy_scale: float,
) -> int:
    """Remove q served requests with operator ``op``; returns the new bank size."""
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    served = np.empty(R, dtype=np.int64)
    ns = 0
    for r in range(R):
        if assign[r] >= 0:
            served[ns] = r
            ns += 1
    if ns == 0:
        return nbank
    if q > ns:
        q = ns
    node_positions(routes, rlen, K, pos)
    for k in range(K):
        for p_ in range(rlen[k]):
            node_time[routes[k, p_]] = sched[k, p_]
    chosen = np.empty(q, dtype=np.int64)
    nc = 0
    if op == D_RANDOM:
        for t in range(q):
            idx = np.random.randint(t, ns)
            tmpv = served[t]
            served[t] = served[idx]
            served[idx] = tmpv
            chosen[nc] = served[t]
            nc += 1
    elif op == D_WORST:
        key = np.empty(ns)
        for t in range(ns):
            r = served[t]
            key[t] = -removal_saving(r, assign[r], routes, rlen, pos, cost, R, loc)
        order = np.argsort(key)
        lst = served[order]
        count = ns
        for _t in range(q):
            idx = pick_randomized(lst, count, p_worst)
            chosen[nc] = lst[idx]
            nc += 1
            for u in range(idx, count - 1):
                lst[u] = lst[u + 1]
            count -= 1
    elif op == D_ROUTE:
        # remove whole routes (random order) until q requests are out: lets the repair re-balance vehicles
        korder = np.random.permutation(K)
        for kk in range(K):
            k = korder[kk]
            for t in range(ns):
                r = served[t]
                if assign[r] == k and nc < q:
                    chosen[nc] = r
                    nc += 1
            if nc >= q:
                break
    else:
        # Shaw (1998) relatedness as used for the DARP: distance of pickups and drop-offs, service times,
        # loads, and being on the same vehicle. Seeds from a random removed request.
        first = served[np.random.randint(0, ns)]
        chosen[0] = first
        nc = 1
        is_chosen = np.zeros(R, dtype=np.bool_)
        is_chosen[first] = True
        rel = np.empty(ns)
        while nc < q:
            seed = chosen[np.random.randint(0, nc)]
            cand = np.empty(ns - nc, dtype=np.int64)
            m = 0
            for t in range(ns):
                r = served[t]
                if is_chosen[r]:
                    continue
                dist = (tt[loc[seed], loc[r]] + tt[loc[R + seed], loc[R + r]]) / xy_scale
                dt = (abs(node_time[seed] - node_time[r]) + abs(node_time[R + seed] - node_time[R + r])) / 60.0
                dq = 0.0
                for s in range(S):
                    dq += abs(dem[seed, s] - dem[r, s])
                same = 0.0 if assign[seed] == assign[r] else 1.0
                rel[m] = shaw_w[0] * dist + shaw_w[1] * dt + shaw_w[2] * dq + shaw_w[3] * same
                cand[m] = r
                m += 1
            order = np.argsort(rel[:m])
            idx = pick_randomized(order, m, p_shaw)
            r = cand[order[idx]]
            chosen[nc] = r
            nc += 1
            is_chosen[r] = True
    for t in range(nc):
        r = chosen[t]
        remove_request(r, assign[r], routes, rlen, R)
        assign[r] = -1
        bank[nbank] = r
        nbank += 1
    return nbank
