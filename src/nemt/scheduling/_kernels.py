"""Compiled (numba) core of the ALNS solver. Internal: use :func:`nemt.scheduling.solve`.

Node numbering inside the kernels, for R requests and K vehicles:

* ``0 .. R-1``          pickup of request r is node r
* ``R .. 2R-1``         drop-off of request r is node R + r
* ``2R + k``            start depot of vehicle k
* ``2R + K + k``        end depot of vehicle k

A route is a row of ``routes[K, M]`` holding ``rlen[k]`` nodes, from start depot to end depot.
``inst`` is the tuple built by :func:`nemt.scheduling.solver._kernel_instance`:
``(tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S)``.

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
regret-k insertion with noise, simulated-annealing acceptance, adaptive operator weights.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from numba import njit

# Argument types of the kernels, for the type checker (numba types the arguments from the values it is called with).
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
#: ``(tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S)``, see the module docstring.
KernelInstance: TypeAlias = tuple[
    FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, IntArray, FloatArray, npt.NDArray[np.uint8],
    IntArray, FloatArray, int, int, int,
]

EPS = 1e-9
INF = 1e18

# Removal operators
D_RANDOM, D_WORST, D_SHAW, D_ROUTE = 0, 1, 2, 3
NUM_DESTROY = 4
# Repair operators: regret level (1 = greedy) x noise on/off, index = 2 * (level - 1) + noise
REGRET_LEVELS = 4
NUM_REPAIR = 2 * REGRET_LEVELS


@njit(cache=True)
def schedule(
    route: IntArray, length: int, k: int, inst: KernelInstance, B: FloatArray, lb: FloatArray, ppos: IntArray
) -> bool:
    """Least feasible start-of-service times of ``route[:length]`` into ``B``; False if none exists."""
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S = inst
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
            t = B[p - 1] + svc[prev] + tt[prev, node]
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
def route_cost(route: IntArray, length: int, cost: FloatArray) -> float:
    c = 0.0
    for p in range(length - 1):
        c += cost[route[p], route[p + 1]]
    return c


@njit(cache=True)
def refresh_route(
    k: int, routes: IntArray, rlen: IntArray, sched: FloatArray, loads: IntArray, rcost: FloatArray,
    inst: KernelInstance, lb: FloatArray, ppos: IntArray,
) -> bool:
    """Recompute schedule, cumulative loads and cost of route k. Returns feasibility."""
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S = inst
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
        wait = Bk[p + 1] - (Bk[p] + svc[node] + tt[node, nxt])
        own = late[node] - Bk[p]
        s_next = slack[p + 1] + wait
        slack[p] = own if own < s_next else s_next
    # an unused vehicle (start depot -> end depot only) stays home and costs nothing
    rcost[k] = route_cost(route, length, cost) if length > 2 else 0.0
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
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S = inst
    if compat[r, k] == 0:
        return INF, -1, -1
    route = routes[k]
    length = rlen[k]
    Bk = sched[k]
    slack = sched[k + K]
    pnode = r
    dnode = R + r
    latest_pick_end = late[pnode] + svc[pnode]
    if tt[pnode, dnode] > max_ride[r] + EPS:
        return INF, -1, -1
    nc = 0
    for i in range(length - 1):
        a = route[i]
        b = route[i + 1]
        tp = Bk[i] + svc[a] + tt[a, pnode]
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
        pickup_alone_ok = tp + svc[pnode] + tt[pnode, b] - Bk[i + 1] <= slack[i + 1] + EPS
        for j in range(i, length - 1):
            if j == i:
                td = tp + svc[pnode] + tt[pnode, dnode]
                if td < e[dnode]:
                    td = e[dnode]
                if td > late[dnode] + EPS:
                    continue
                if td + svc[dnode] + tt[dnode, b] - Bk[i + 1] > slack[i + 1] + EPS:
                    continue
                delta = cost[a, pnode] + cost[pnode, dnode] + cost[dnode, b] - cost[a, b]
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
                td = Bk[j] + svc[x] + tt[x, dnode]
                if td < e[dnode]:
                    td = e[dnode]
                if td > late[dnode] + EPS or td + svc[dnode] + tt[dnode, y] - Bk[j + 1] > slack[j + 1] + EPS:
                    continue
                delta = cost[a, pnode] + cost[pnode, b] - cost[a, b] + cost[x, dnode] + cost[dnode, y] - cost[x, y]
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
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S = inst
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
    big = 1e7
    row = np.empty(K)
    for _step in range(m):
        chosen = -1
        chosen_k = -1
        chosen_score = -INF
        chosen_c1 = INF
        for a in range(m):
            if not active[a]:
                continue
            c1 = INF
            k1 = -1
            for k in range(K):
                if ins_cost[a, k] < c1:
                    c1 = ins_cost[a, k]
                    k1 = k
            if k1 < 0:
                continue
            if regret <= 1:
                score = -c1
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
            if score > chosen_score or (score == chosen_score and c1 < chosen_c1):
                chosen = a
                chosen_k = k1
                chosen_score = score
                chosen_c1 = c1
        if chosen < 0:
            break
        r = bank[chosen]
        k = chosen_k
        insert_request(r, k, ins_i[chosen, k], ins_j[chosen, k], routes, rlen, R, tmp)
        refresh_route(k, routes, rlen, sched, loads, rcost, inst, lb, ppos)
        assign[r] = k
        active[chosen] = False
        for a in range(m):
            if active[a]:
                c, i, j = best_insertion(
                    bank[a], k, routes, rlen, sched, loads, inst, noise, tmp, B, lb, ppos, cd, ci, cj
                )
                ins_cost[a, k] = c
                ins_i[a, k] = i
                ins_j[a, k] = j
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
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S = inst
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


@njit(cache=True)
def node_positions(routes: IntArray, rlen: IntArray, K: int, pos: IntArray) -> None:
    for k in range(K):
        for q in range(rlen[k]):
            pos[routes[k, q]] = q


@njit(cache=True)
def removal_saving(r: int, k: int, routes: IntArray, rlen: IntArray, pos: IntArray, cost: FloatArray, R: int) -> float:
    route = routes[k]
    ip = pos[r]
    idl = pos[R + r]
    a = route[ip - 1]
    y = route[idl + 1]
    if idl == ip + 1:
        return float(cost[a, r] + cost[r, R + r] + cost[R + r, y] - cost[a, y])
    b = route[ip + 1]
    x = route[idl - 1]
    return float(cost[a, r] + cost[r, b] - cost[a, b] + cost[x, R + r] + cost[R + r, y] - cost[x, y])


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
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S = inst
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
            key[t] = -removal_saving(r, assign[r], routes, rlen, pos, cost, R)
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
                dist = (tt[seed, r] + tt[R + seed, R + r]) / xy_scale
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
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S = inst
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
                        or abs(rcost[k] - route_cost(cur_routes[k], cur_rlen[k], cost)) > 1e-9
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
