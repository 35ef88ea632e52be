"""The compiled feasibility test is exact: it agrees with an LP on perturbed routes, and the pruned
insertion search finds the same optimum as trying every position pair."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.optimize import linprog

from nemt.scheduling import _kernels as K_
from nemt.scheduling import read_cordeau
from nemt.scheduling.solver import _kernel_instance


def _state(darp_dir: Path, name: str):
    inst = _kernel_instance(read_cordeau(darp_dir / "cordeau2006" / f"{name}.txt"))
    R, K, S = inst[10], inst[11], inst[12]
    M = 2 * R + 2
    st = dict(
        routes=np.zeros((K, M), np.int64), rlen=np.zeros(K, np.int64), assign=np.full(R, -1, np.int64),
        bank=np.zeros(R, np.int64), sched=np.zeros((2 * K, M)), loads=np.zeros((K, M, S), np.int64),
        rcost=np.zeros(K), tmp=np.empty(M, np.int64), B=np.empty(M), lb=np.empty(M), ppos=np.zeros(R, np.int64),
    )
    K_.seed_rng(5)
    K_.construct(st["routes"], st["rlen"], st["assign"], st["bank"], st["sched"], st["loads"], st["rcost"], inst,
                 st["tmp"], st["B"], st["lb"], st["ppos"])
    return inst, st


def _lp_feasible(inst, route, k) -> bool:
    tt, cost, earliest, latest, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    n = len(route)
    A, b = [], []
    for p in range(n - 1):
        row = np.zeros(n)
        row[p], row[p + 1] = 1, -1
        A.append(row)
        b.append(-(svc[route[p]] + tt[loc[route[p]], loc[route[p + 1]]]))
    pos = {v: i for i, v in enumerate(route)}
    for v in route:
        if R <= v < 2 * R:
            row = np.zeros(n)
            row[pos[v]], row[pos[v - R]] = 1, -1
            A.append(row)
            b.append(max_ride[v - R] + svc[v - R])
    row = np.zeros(n)
    row[n - 1], row[0] = 1, -1
    A.append(row)
    b.append(max_dur[k])
    res = linprog(np.zeros(n), A_ub=np.array(A), b_ub=np.array(b), bounds=[(earliest[v], latest[v]) for v in route],
                  method="highs")
    return res.status == 0


def test_schedule_agrees_with_lp(darp_dir: Path) -> None:
    inst, st = _state(darp_dir, "b2-16")
    R = inst[10]
    rng = np.random.default_rng(0)
    agree = feasible = 0
    for k in range(inst[11]):
        base = list(st["routes"][k, : st["rlen"][k]])
        for _ in range(60):
            route = list(base)
            p = int(rng.integers(1, len(route) - 2))
            q = min(len(route) - 2, p + int(rng.integers(1, 4)))
            route[p], route[q] = route[q], route[p]
            pos = {v: i for i, v in enumerate(route)}
            if any(v < R and pos[v] > pos[R + v] for v in route):
                continue
            arr = np.array(route, np.int64)
            ours = K_.schedule(arr, len(arr), k, inst, st["B"], st["lb"], st["ppos"])
            exact = _lp_feasible(inst, route, k)
            assert ours == exact, route
            agree += 1
            feasible += exact
    assert agree > 20 and feasible > 0


def test_best_insertion_matches_brute_force(darp_dir: Path) -> None:
    inst, st = _state(darp_dir, "a3-24")
    tt, cost, earliest, latest, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = inst
    routes, rlen = st["routes"], st["rlen"]
    removed = [0, 5, 13, 20]
    for r in removed:
        K_.remove_request(r, st["assign"][r], routes, rlen, R)
    K_.refresh_all(routes, rlen, st["sched"], st["loads"], st["rcost"], inst, st["lb"], st["ppos"])
    M = routes.shape[1]
    cd, ci, cj = np.empty(M * M), np.empty(M * M, np.int64), np.empty(M * M, np.int64)
    tmp, B, lb, ppos = st["tmp"], st["B"], st["lb"], st["ppos"]
    for r in removed:
        for k in range(K):
            got, _, _ = K_.best_insertion(r, k, routes, rlen, st["sched"], st["loads"], inst, 0.0, tmp, B, lb, ppos,
                                          cd, ci, cj)
            n = rlen[k]
            best = np.inf
            for i in range(n - 1):
                for j in range(i, n - 1):
                    m = K_.build_insert(routes[k], n, i, j, r, R + r, tmp)
                    if K_.schedule(tmp, m, k, inst, B, lb, ppos) and np.cumsum(dem[tmp[:m], 0]).max() <= cap[k, 0]:
                        best = min(best, K_.route_cost(tmp, m, cost, loc) - K_.route_cost(routes[k], n, cost, loc))
            if np.isinf(best):
                assert got >= 1e17
            else:
                assert abs(got - best) < 1e-9
