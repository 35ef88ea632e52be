"""A day split into regions by vehicle group, each region solved alone, stitched and repaired across the seams: the
whole day verified by the independent checker, every request served once or listed unserved."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import numpy as np

from benchmarks.insertion import _day
from nemt import geo
from nemt.jobs.regions import served_by_none, solve_region, split, split_clusters, stitch, whole_day
from nemt.jobs.seams import repair
from nemt.scheduling import Instance, Request, StopKind, TimeWindow, Vehicle, check_solution
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


def _line_day(rides: dict[int, float], per_place: int = 10, vehicles_at: tuple[int, ...] = (0, 1)) -> Instance:
    """Places on a line (travel time: the distance in minutes): for each pick-up place of ``rides``, ``per_place``
    requests whose ride is that many minutes along the line; ten vehicles of one kind at each base of
    ``vehicles_at`` (places 0 and 1: a garage at each pick-up place)."""
    spots = sorted(rides)
    where = [float(x) for x in spots] + [float(x) + rides[x] for x in spots]
    tt = np.abs(np.subtract.outer(where, where))
    requests = [Request(f"r{i}-{n}", i, len(spots) + i, TimeWindow(0, 600), TimeWindow(0, 900), 5, 5, (1,), 240)
                for i, _x in enumerate(spots) for n in range(per_place)]
    fleet = [Vehicle(f"v{b}-{n}", b, b, TimeWindow(0, 1000), (4,), 1000) for b in vehicles_at for n in range(10)]
    return Instance("line", requests, fleet, tt, space_types=("seat",))


def test_each_cluster_gets_vehicles_by_the_work_of_its_requests_not_their_number():
    # Two places 500 minutes apart, ten requests each: rides of 5 minutes at one, of 120 at the other.
    instance = _line_day({0: 5.0, 500: 120.0})
    regions, nobody = split_clusters(instance, 2, seed=1)
    assert not nobody and len(regions) == 2
    short = next(region for region in regions if 0 in region.requests)
    long = next(region for region in regions if 10 in region.requests)
    assert sorted(short.requests) == list(range(10)) and sorted(long.requests) == list(range(10, 20))
    # Work: services 5 + 5, the ride, the approach (nil: the pick-ups are the centres) and the way back from the
    # drop-off: 20 minutes against 250 a request, so 1 and 19 of the 20 vehicles (by count it would be 10 and 10).
    assert (len(short.vehicles), len(long.vehicles)) == (1, 19)


def test_a_request_no_vehicle_can_serve_even_alone_is_set_aside_for_the_repair():
    instance = _line_day({0: 5.0, 500: 120.0})
    late = replace(instance.requests[3], pickup_window=TimeWindow(2000, 2010), dropoff_window=TimeWindow(2000, 2100))
    instance.requests[3] = late  # a pick-up after every shift has ended
    assert served_by_none(instance) == {3}
    for regions, nobody in (split_clusters(instance, 2, seed=1), whole_day(instance),
                            split(instance, [v.start_location for v in instance.vehicles])):
        assert nobody == [3] and all(3 not in region.requests for region in regions)
    regions, nobody = split_clusters(instance, 2, seed=1)
    day = stitch(instance, regions, [solve_region(instance, region, time_limit=0.3, seed=1) for region in regions],
                 nobody)
    repaired = repair(instance, day, last=set(nobody))
    assert repaired.unserved == [3]
    assert check_solution(instance, repaired).only(ViolationKind.UNSERVED)

