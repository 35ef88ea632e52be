"""Route feasibility, cost and the exact cheapest insertion of one request (compiled kernels).

See :mod:`nemt.scheduling._kernels` for the node numbering and the least-schedule feasibility test.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

from .types import EPS, INF, FloatArray, IntArray, KernelInstance


@njit(cache=True)
def schedule(
    route: IntArray, length: int, k: int, inst: KernelInstance, B: FloatArray, lb: FloatArray, ppos: IntArray
) -> bool:
    """Least feasible start-of-service times of ``route[:length]`` into ``B``; False if none exists."""
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    for p in range(length):
        lb[p] = e[route[p]]
    B[0] = lb[0]
    if B[0] > late[route[0]] + EPS:
        return False
    budget = 4 * length * length + 64  # guards against creeping positive cycles
    p = 1
    while True:
        while p < length:
            node = route[p]
            prev = route[p - 1]
            t = B[p - 1] + svc[prev] + tt[loc[prev], loc[node]]
            if t < lb[p]:
                t = lb[p]
            if t > late[node] + EPS:
                return False
            B[p] = t
            if node < R:
                ppos[node] = p
            elif node < 2 * R:
                r = node - R
                i = ppos[r]
                need = t - svc[r] - max_ride[r]  # latest ride constraint seen from the drop-off
                if B[i] < need - EPS:
                    if need > late[r] + EPS:
                        return False
                    lb[i] = need
                    B[i] = need
                    budget -= 1
                    if budget < 0:
                        return False
                    p = i + 1
                    continue
            p += 1
        need0 = B[length - 1] - max_dur[k]
        if B[0] < need0 - EPS:
            if need0 > late[route[0]] + EPS:
                return False
            lb[0] = need0
            B[0] = need0
            budget -= 1
            if budget < 0:
                return False
            p = 1
            continue
        return True


@njit(cache=True)
def route_cost(route: IntArray, length: int, cost: FloatArray, loc: IntArray) -> float:
    c = 0.0
    for p in range(length - 1):
        c += cost[loc[route[p]], loc[route[p + 1]]]
    return c


@njit(cache=True)
def refresh_route(
    k: int, routes: IntArray, rlen: IntArray, sched: FloatArray, loads: IntArray, rcost: FloatArray,
    inst: KernelInstance, lb: FloatArray, ppos: IntArray,
) -> bool:
    """Recompute schedule, cumulative loads and cost of route k. Returns feasibility."""
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    length = rlen[k]
    route = routes[k]
    ok = schedule(route, length, k, inst, sched[k], lb, ppos)
    for s in range(S):
        acc = 0
        for p in range(length):
            acc += dem[route[p], s]
            loads[k, p, s] = acc
            if acc > cap[k, s]:
                ok = False
    # forward time slack (Savelsbergh 1992): how far the start of service at p may move later
    # without breaking a later window, waiting absorbing part of the delay. Ignores ride limits, so it
    # gives a necessary condition only; used to prune insertion positions before the exact test.
    slack = sched[k + K]
    Bk = sched[k]
    slack[length - 1] = late[route[length - 1]] - Bk[length - 1]
    for p in range(length - 2, -1, -1):
        node = route[p]
        nxt = route[p + 1]
        wait = Bk[p + 1] - (Bk[p] + svc[node] + tt[loc[node], loc[nxt]])
        own = late[node] - Bk[p]
        s_next = slack[p + 1] + wait
        slack[p] = own if own < s_next else s_next
    # an unused vehicle (start depot -> end depot only) stays home and costs nothing
    rcost[k] = route_cost(route, length, cost, loc) if length > 2 else 0.0
    return ok


@njit(cache=True)
def build_insert(route: IntArray, length: int, i: int, j: int, pnode: int, dnode: int, out: IntArray) -> int:
    """``out`` = route with pnode inserted after position i and dnode after position j (j >= i)."""
    n = 0
    for q in range(length):
        out[n] = route[q]
        n += 1
        if q == i:
            out[n] = pnode
            n += 1
        if q == j:
            out[n] = dnode
            n += 1
    return n


@njit(cache=True)
def best_insertion(
    r: int, k: int, routes: IntArray, rlen: IntArray, sched: FloatArray, loads: IntArray, inst: KernelInstance,
    noise: float, tmp: IntArray, B: FloatArray, lb: FloatArray, ppos: IntArray, cd: FloatArray, ci: IntArray,
    cj: IntArray,
) -> tuple[float, int, int]:
    """Cheapest feasible insertion of request r into route k: (delta cost, i, j) or (INF, -1, -1).

    The pickup goes after position i and the drop-off after position j (j >= i) of the current route.
    Cheap necessary tests prune first: the route's least schedule ``sched`` can only move later by an
    insertion, so a pickup or drop-off unreachable in its window, a capacity overflow, a delay larger
    than the forward time slack, or a drop-off position already past its window/ride limit are skipped
    (the latter ends the j loop, as loads must stay low on the whole stretch and ``sched`` is
    non-decreasing along the route). The survivors go to the buffers ``cd, ci, cj`` and get the exact
    schedule test cheapest first, so usually one or two exact tests settle the best insertion.
    """
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    if compat[r, k] == 0:
        return INF, -1, -1
    route = routes[k]
    length = rlen[k]
    Bk = sched[k]
    slack = sched[k + K]
    pnode = r
    dnode = R + r
    lp = loc[pnode]  # the matrices are over locations: loc maps a node to its location
    ld = loc[dnode]
    latest_pick_end = late[pnode] + svc[pnode]
    if tt[lp, ld] > max_ride[r] + EPS:
        return INF, -1, -1
    nc = 0
    for i in range(length - 1):
        a = route[i]
        b = route[i + 1]
        la = loc[a]
        lb_ = loc[b]
        tp = Bk[i] + svc[a] + tt[la, lp]
        if tp < e[pnode]:
            tp = e[pnode]
        if tp > late[pnode] + EPS:
            continue
        fits = True
        for s in range(S):
            if loads[k, i, s] + dem[pnode, s] > cap[k, s]:
                fits = False
        if not fits:
            continue
        # delay that the pickup alone causes at the next stop (only relevant when j > i)
        pickup_alone_ok = tp + svc[pnode] + tt[lp, lb_] - Bk[i + 1] <= slack[i + 1] + EPS
        for j in range(i, length - 1):
            if j == i:
                td = tp + svc[pnode] + tt[lp, ld]
                if td < e[dnode]:
                    td = e[dnode]
                if td > late[dnode] + EPS:
                    continue
                if td + svc[dnode] + tt[ld, lb_] - Bk[i + 1] > slack[i + 1] + EPS:
                    continue
                delta = cost[la, lp] + cost[lp, ld] + cost[ld, lb_] - cost[la, lb_]
            else:
                if not pickup_alone_ok:
                    break
                over = False
                for s in range(S):
                    if loads[k, j, s] + dem[pnode, s] > cap[k, s]:
                        over = True
                if over:
                    break
                x = route[j]
                if Bk[j] > late[dnode] + EPS or Bk[j] - latest_pick_end > max_ride[r] + EPS:
                    break
                y = route[j + 1]
                lx = loc[x]
                ly = loc[y]
                td = Bk[j] + svc[x] + tt[lx, ld]
                if td < e[dnode]:
                    td = e[dnode]
                if td > late[dnode] + EPS or td + svc[dnode] + tt[ld, ly] - Bk[j + 1] > slack[j + 1] + EPS:
                    continue
                delta = cost[la, lp] + cost[lp, lb_] - cost[la, lb_] + cost[lx, ld] + cost[ld, ly] - cost[lx, ly]
            if noise > 0.0:
                delta += noise * (2.0 * np.random.random() - 1.0)
                if delta < 0.0:
                    delta = 0.0
            cd[nc] = delta
            ci[nc] = i
            cj[nc] = j
            nc += 1
    # exact test, cheapest candidate first
    for _ in range(nc):
        best = INF
        arg = -1
        for c in range(nc):
            if cd[c] < best:
                best = cd[c]
                arg = c
        if arg < 0:
            break
        n = build_insert(route, length, ci[arg], cj[arg], pnode, dnode, tmp)
        if schedule(tmp, n, k, inst, B, lb, ppos):
            return best, ci[arg], cj[arg]
        cd[arg] = INF
    return INF, -1, -1


@njit(cache=True)
def remove_request(r: int, k: int, routes: IntArray, rlen: IntArray, R: int) -> None:
    route = routes[k]
    n = 0
    for q in range(rlen[k]):
        node = route[q]
        if node != r and node != R + r:
            route[n] = node
            n += 1
    rlen[k] = n


@njit(cache=True)
def insert_request(r: int, k: int, i: int, j: int, routes: IntArray, rlen: IntArray, R: int, tmp: IntArray) -> None:
    n = build_insert(routes[k], rlen[k], i, j, r, R + r, tmp)
    for q in range(n):
        routes[k, q] = tmp[q]
    rlen[k] = n


@njit(cache=True)
def refresh_all(
    routes: IntArray, rlen: IntArray, sched: FloatArray, loads: IntArray, rcost: FloatArray, inst: KernelInstance,
    lb: FloatArray, ppos: IntArray,
) -> bool:
    K = inst[11]
    ok = True
    for k in range(K):
        if not refresh_route(k, routes, rlen, sched, loads, rcost, inst, lb, ppos):
            ok = False
    return ok


@njit(cache=True)
def schedule_all(
    routes: IntArray, rlen: IntArray, inst: KernelInstance, times: FloatArray, ok: npt.NDArray[np.bool_],
    lb: FloatArray, ppos: IntArray,
) -> float:
    """The least schedule of every used route (more than its two depots) into ``times[k]`` and its feasibility into
    ``ok[k]``; returns the routing cost of all of them, added up route by route and stop by stop in order."""
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    total = 0.0
    for k in range(K):
        n = rlen[k]
        ok[k] = True
        if n <= 2:
            continue
        ok[k] = schedule(routes[k], n, k, inst, times[k], lb, ppos)
        for p in range(n - 1):
            total += cost[loc[routes[k, p]], loc[routes[k, p + 1]]]
    return total


@njit(cache=True)
def best_insertion_any(
    r: int, routes: IntArray, rlen: IntArray, sched: FloatArray, loads: IntArray, rcost: FloatArray,
    fresh: npt.NDArray[np.bool_], ok: npt.NDArray[np.bool_], inst: KernelInstance, tmp: IntArray, B: FloatArray,
    lb: FloatArray, ppos: IntArray, cd: FloatArray, ci: IntArray, cj: IntArray,
) -> tuple[float, int, int, int]:
    """The cheapest feasible insertion of request r on any vehicle, in one call: (delta cost, i, j, vehicle) or
    (INF, -1, -1, -1). A route not ``fresh`` has its schedule, loads and feasibility (``ok``) refreshed first; a
    route already infeasible takes nothing. Ties go to the lowest vehicle index."""
    K = inst[11]
    best = INF
    bi = -1
    bj = -1
    bk = -1
    for k in range(K):
        if not fresh[k]:
            ok[k] = refresh_route(k, routes, rlen, sched, loads, rcost, inst, lb, ppos)
            fresh[k] = True
        if not ok[k]:
            continue
        delta, i, j = best_insertion(r, k, routes, rlen, sched, loads, inst, 0.0, tmp, B, lb, ppos, cd, ci, cj)
        if delta < best:
            best = delta
            bi = i
            bj = j
            bk = k
    return best, bi, bj, bk
