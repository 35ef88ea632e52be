"""The closest miss checks each candidate run against an instance of that vehicle and the run's requests alone; what
it finds must be what the checker says of the same run within the whole day (the way it was computed before: every
candidate checked as a one-route solution of the whole instance)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nemt.scheduling import Route, Solution, StopKind, TimeWindow, read_cordeau, solve
from nemt.scheduling.checker import check_solution
from nemt.scheduling.explain import _ELSEWHERE, _badness, _positions, closest_miss, timed_route
from nemt.scheduling.live import LiveRoutes, order_of


def _whole_day_miss(instance, order, r, vehicles):
    """The closest miss computed against the whole instance, every vehicle tried (the reference)."""
    best = (float("inf"), None, [])
    for k in vehicles:
        stops = [s for s in order.get(k, []) if s[0] != r]
        for i, j in _positions(instance, k, stops, r):
            trial = [*stops[:i], (r, StopKind.PICKUP), *stops[i:j], (r, StopKind.DROPOFF), *stops[j:]]
            report = check_solution(instance, Solution(0.0, [Route(k, timed_route(instance, k, trial))]))
            found = [v for v in report.violations if v.kind not in _ELSEWHERE]
            score = sum(_badness(v) for v in found)
            if score < best[0]:
                best = (score, k, found)
            if not found:
                return k, []
    return best[1], best[2]


@pytest.mark.parametrize("name", ["a2-24", "b4-32"])
def test_the_closest_miss_is_the_whole_days(darp_dir, name):
    instance = read_cordeau(darp_dir / "cordeau2006" / f"{name}.txt")
    # Tight windows and a vehicle without the credential, so that misses of every kind occur.
    tight = [replace(q, pickup_window=TimeWindow(q.pickup_window.earliest, q.pickup_window.earliest + 5.0),
                     required_credentials=frozenset({"lift"}) if n % 3 == 0 else frozenset())
             for n, q in enumerate(instance.requests)]
    vehicles = [replace(v, credentials=frozenset({"lift"}) if k % 2 else frozenset())
                for k, v in enumerate(instance.vehicles)]
    instance = replace(instance, requests=tight, vehicles=vehicles)
    solution = solve(instance, time_limit=0.5, seed=1)
    order = order_of(solution)
    kinds = set()
    for r in range(len(instance.requests)):
        base = LiveRoutes(instance, order)
        base.remove(r)
        without = order_of(base.solution())
        for vehicles_tried in ([k] for k in range(len(instance.vehicles))):
            miss = closest_miss(instance, without, r, vehicles_tried)
            assert (miss.vehicle, miss.violations) == _whole_day_miss(instance, without, r, vehicles_tried)
        everyone = range(len(instance.vehicles))
        miss = closest_miss(instance, without, r)
        reference = _whole_day_miss(instance, without, r, everyone)
        assert (miss.vehicle, miss.violations) == reference  # vehicles skipped could not have come closer
        kinds |= {v.kind for v in miss.violations}
        for k in everyone:  # a vehicle's own misses, whole-day or not
            kinds |= {v.kind for v in closest_miss(instance, without, r, [k]).violations}
    assert len(kinds) >= 2, kinds  # credential and window misses both seen
