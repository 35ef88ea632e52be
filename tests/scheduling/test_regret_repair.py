"""Regret insertion keeps each request's score between steps (only the rows the changed route moved are scored
again) and skips the requests that fit nowhere on that route: it must choose exactly as scoring every row again at
every step does — the textbook loop, kept here in Python as the reference — and the routes' arrays must be wide
enough for any feasible route (``route_capacity``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nemt.scheduling import Instance, read_cordeau
from nemt.scheduling import _kernels as K_
from nemt.scheduling.kernel_arrays import route_capacity
from nemt.scheduling.solver import _kernel_instance, solve

INF = K_.INF


def _empty_routes(inst: K_.KernelInstance, M: int) -> tuple[np.ndarray, ...]:
    R, K, S = inst[10], inst[11], inst[12]
    routes = np.zeros((K, M), dtype=np.int64)
    rlen = np.full(K, 2, dtype=np.int64)
    for k in range(K):
        routes[k, 0], routes[k, 1] = 2 * R + k, 2 * R + K + k
    return (routes, rlen, np.full(R, -1, dtype=np.int64), np.zeros((2 * K, M)), np.zeros((K, M, S), dtype=np.int64),
            np.zeros(K))


def _reference(inst: K_.KernelInstance, regret: int, M: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Ropke & Pisinger's regret-k insertion as written before: every row scored again (sorted) at every step."""
    R, K = inst[10], inst[11]
    routes, rlen, assign, sched, loads, rcost = _empty_routes(inst, M)
    tmp, B, lb, ppos = np.empty(M, dtype=np.int64), np.empty(M), np.empty(M), np.zeros(R, dtype=np.int64)
    cd, ci, cj = np.empty(M * M // 2 + M), np.empty(M * M // 2 + M, dtype=np.int64), np.empty(M * M // 2 + M,
                                                                                             dtype=np.int64)
    K_.refresh_all(routes, rlen, sched, loads, rcost, inst, lb, ppos)

    def best(r: int, k: int) -> tuple[float, int, int]:
        return K_.best_insertion(r, k, routes, rlen, sched, loads, inst, 0.0, tmp, B, lb, ppos, cd, ci, cj)

    table = {(r, k): best(r, k) for r in range(R) for k in range(K)}
    active = list(range(R))
    while active:
        chosen, chosen_score, chosen_c1 = None, -INF, INF
        for r in active:
            costs = [table[r, k][0] for k in range(K)]
            c1 = min(costs)
            if c1 >= INF:
                continue
            k1 = costs.index(c1)
            ordered = sorted(costs)
            score = -c1 if regret <= 1 else sum(min(ordered[h] if h < K else INF, 1e7) - c1 for h in range(1, regret))
            if score > chosen_score or (score == chosen_score and c1 < chosen_c1):
                chosen, chosen_score, chosen_c1 = (r, k1), score, c1
        if chosen is None:
            break
        r, k = chosen
        _c, i, j = table[r, k]
        K_.insert_request(r, k, i, j, routes, rlen, R, tmp)
        K_.refresh_route(k, routes, rlen, sched, loads, rcost, inst, lb, ppos)
        assign[r] = k
        active.remove(r)
        for a in active:
            table[a, k] = best(a, k)
    return routes, rlen, len(active)


def _repair(inst: K_.KernelInstance, regret: int, M: int) -> tuple[np.ndarray, np.ndarray, int]:
    R = inst[10]
    routes, rlen, assign, sched, loads, rcost = _empty_routes(inst, M)
    lb, ppos = np.empty(M), np.zeros(R, dtype=np.int64)
    K_.refresh_all(routes, rlen, sched, loads, rcost, inst, lb, ppos)
    left = K_.repair(np.arange(R, dtype=np.int64), R, routes, rlen, assign, sched, loads, rcost, inst, regret, 0.0,
                     np.empty(M, dtype=np.int64), np.empty(M), lb, ppos)
    return routes, rlen, int(left)


@pytest.fixture(scope="module")
def tight(darp_dir) -> Instance:
    """a4-40 with fewer vehicles than it needs: some requests fit nowhere, and routes fill up."""
    instance = read_cordeau(darp_dir / "cordeau2006" / "a4-40.txt")
    return replace(instance, vehicles=instance.vehicles[:2])


@pytest.mark.parametrize("name", ["a4-40", "b4-48", "tight"])
@pytest.mark.parametrize("regret", [1, 2, 3, 0])
def test_regret_insertion_chooses_as_scoring_every_row_at_every_step(darp_dir, tight, name, regret) -> None:
    instance = tight if name == "tight" else read_cordeau(darp_dir / "cordeau2006" / f"{name}.txt")
    inst = _kernel_instance(instance)
    regret = regret or inst[11]  # 0: regret-K, the search's last level
    M = route_capacity(inst)
    routes, rlen, left = _repair(inst, regret, M)
    want_routes, want_rlen, want_left = _reference(inst, regret, M)
    assert left == want_left
    assert rlen.tolist() == want_rlen.tolist()
    for k in range(inst[11]):
        assert routes[k, : rlen[k]].tolist() == want_routes[k, : want_rlen[k]].tolist()
    if name == "tight":
        assert left > 0  # the case of requests that fit nowhere was exercised


def test_route_arrays_are_as_wide_as_a_feasible_route_can_be_long(darp_dir) -> None:
    instance = read_cordeau(darp_dir / "ropke2007" / "a8-96.txt")
    inst = _kernel_instance(instance)
    M = route_capacity(inst)
    assert M <= 2 * inst[10] + 2
    slow = replace(instance, requests=[replace(q, pickup_service=30.0, dropoff_service=30.0)
                                       for q in instance.requests])
    assert route_capacity(_kernel_instance(slow)) < M  # longer stops, fewer of them fit: narrower arrays
    plan = solve(instance, time_limit=2.0, seed=3)
    assert plan.feasible
    assert max(len(route.stops) for route in plan.routes) + 2 <= M


def test_stops_that_take_no_time_leave_the_routes_as_wide_as_every_request(darp_dir) -> None:
    instance = read_cordeau(darp_dir / "cordeau2006" / "a4-40.txt")
    free = replace(instance, requests=[replace(q, pickup_service=0.0) for q in instance.requests])
    inst = _kernel_instance(free)
    assert route_capacity(inst) == 2 * inst[10] + 2
