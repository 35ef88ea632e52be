"""Insertion into and removal from a whole solution (the seams' repair of ``nemt.jobs.regions``) — every result
verified by the independent checker. Members on board through a re-plan: ``test_live.py``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nemt.scheduling import StopKind, TimeWindow, check_solution, read_cordeau, solve
from nemt.scheduling.realtime import insert_request, remove_request


@pytest.fixture(scope="module")
def live(darp_dir):
    instance = read_cordeau(darp_dir / "cordeau2006" / "a2-16.txt")
    solution = solve(instance, time_limit=1.0, seed=3)
    assert check_solution(instance, solution).feasible
    return instance, solution


def test_remove_then_insert_back_is_verified(live):
    instance, solution = live
    request = instance.requests[5]
    smaller, without = remove_request(instance, solution, 5)
    assert len(smaller.requests) == len(instance.requests) - 1
    assert check_solution(smaller, without).feasible
    assert without.cost <= solution.cost + 1e-6  # triangle inequality: taking a request out never costs more
    result = insert_request(smaller, without, request)
    assert result.vehicle is not None
    report = check_solution(result.instance, result.solution)
    assert report.feasible, report.violations
    assert result.solution.cost == pytest.approx(without.cost + result.added_cost)


def test_insertion_never_moves_served_stops(live):
    instance, solution = live
    smaller, without = remove_request(instance, solution, 12)
    now = 200.0
    urgent = replace(instance.requests[12], pickup_window=TimeWindow(now, now + 30),
                     dropoff_window=TimeWindow(now, 1440))
    result = insert_request(smaller, without, urgent, now=now)
    before = {(r.vehicle, s.kind, s.request): s.service_start for r in without.routes for s in r.stops
              if s.service_start <= now and s.kind is not StopKind.END}
    after = {(r.vehicle, s.kind, s.request): s.service_start for r in result.solution.routes for s in r.stops}
    for key, t in before.items():
        assert after[key] == pytest.approx(t)
    if result.vehicle is not None:
        assert check_solution(result.instance, result.solution).feasible


def test_impossible_request_is_left_unserved(live):
    instance, solution = live
    impossible = replace(instance.requests[0], id="impossible", pickup_window=TimeWindow(0, 0),
                         dropoff_window=TimeWindow(0, 0))
    result = insert_request(instance, solution, impossible)
    assert result.vehicle is None and result.request in result.solution.unserved
    assert result.solution.cost == pytest.approx(solution.cost)
