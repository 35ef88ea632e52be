"""A day split into regions by vehicle group, each region solved alone, stitched and repaired across the seams: the
whole day verified by the independent checker, every request served once or listed unserved."""

from __future__ import annotations

import random
from collections import Counter

from benchmarks.insertion import _day
from nemt import geo
from nemt.jobs.regions import repair, solve_region, split, stitch
from nemt.scheduling import StopKind, check_solution
from nemt.scheduling.checker import ViolationKind


def test_a_day_solved_by_regions_is_one_verified_plan():
    instance, _homes, _clinics = _day(random.Random(11), 80, geo.default_engine())
    by_base = [v.start_location for v in instance.vehicles]  # a region per base (a provider's garage)
    regions, nobody = split(instance, by_base)
    assert len(regions) > 1 and not nobody
    assert sorted(k for region in regions for k in region.vehicles) == list(range(len(instance.vehicles)))
    assert sorted(r for region in regions for r in region.requests) == list(range(len(instance.requests)))

    parts = [solve_region(instance, region, time_limit=0.5, seed=1) for region in regions]
    day = stitch(instance, regions, parts, nobody)
    whole = check_solution(instance, day)
    assert whole.only(ViolationKind.UNSERVED), whole.messages[:3]
    repaired = repair(instance, day)
    report = check_solution(instance, repaired)
    assert report.only(ViolationKind.UNSERVED), report.messages[:3]
    assert len(repaired.unserved) <= len(day.unserved)
    picked = Counter(s.request for route in repaired.routes for s in route.stops if s.kind is StopKind.PICKUP)
    assert all(n == 1 for n in picked.values())
    assert set(picked) | set(repaired.unserved) == set(range(len(instance.requests)))
    assert not set(picked) & set(repaired.unserved)


def test_repair_puts_a_request_left_at_a_seam_on_any_vehicle_of_the_day():
    from nemt.scheduling import Route, Solution, solve

    instance, _homes, _clinics = _day(random.Random(5), 30, geo.default_engine())
    plan = solve(instance, time_limit=0.5, seed=1)
    assert not plan.unserved
    left = 7  # as if its region had no room: taken off its route, listed unserved
    routes = [Route(route.vehicle, [s for s in route.stops if s.request != left]) for route in plan.routes]
    cut = Solution(plan.cost, routes, [left], feasible=False)
    repaired = repair(instance, cut)
    assert repaired.unserved == []
    report = check_solution(instance, repaired)
    assert report.feasible, report.messages[:3]
