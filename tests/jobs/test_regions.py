"""A day split into regions by vehicle group, each region solved alone, stitched and repaired across the seams: the
whole day verified by the independent checker, every request served once or listed unserved."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from benchmarks.insertion import _day
from nemt import geo
from nemt.jobs.regions import (
    Region,
    search_times,
    served_by_none,
    solve_region,
    split,
    split_clusters,
    stitch,
    whole_day,
)
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



def _stretcher_day() -> Instance:
    """Two places 500 minutes apart on a line, each with ten seated requests, two stretcher requests, five seated
    vans and one stretcher van: the stretcher vans carry only stretchers, and no van of seats carries one."""
    where = [0.0, 0.0 + 20.0, 500.0, 500.0 + 20.0]  # pick-up, drop-off at each place
    tt = np.abs(np.subtract.outer(where, where))
    requests = []
    for place in (0, 2):
        requests += [Request(f"seat-{place}-{n}", place, place + 1, TimeWindow(0, 600), TimeWindow(0, 900), 5, 5,
                             (1, 0), 240) for n in range(10)]
        requests += [Request(f"stretcher-{place}-{n}", place, place + 1, TimeWindow(0, 600), TimeWindow(0, 900), 5,
                             5, (0, 1), 240, required_credentials=frozenset({"stretcher"})) for n in range(2)]
    fleet = [Vehicle(f"van-{place}-{n}", place, place, TimeWindow(0, 1000), (4, 0), 1000)
             for place in (0, 2) for n in range(5)]
    fleet += [Vehicle(f"stretcher-{place}", place, place, TimeWindow(0, 1000), (0, 1), 1000,
                      credentials=frozenset({"stretcher"})) for place in (0, 2)]
    return Instance("stretchers", requests, fleet, tt, space_types=("seat", "stretcher"))


def test_a_small_family_of_vehicles_sharing_no_request_is_planned_statewide():
    instance = _stretcher_day()
    stretchers = [r for r, q in enumerate(instance.requests) if q.load == (0, 1)]
    regions, nobody = split_clusters(instance, 2, seed=1)
    assert not nobody
    by_label = {region.label: region for region in regions}
    assert sorted(by_label) == ["c1", "c2", "s1"]
    assert sorted(by_label["s1"].requests) == stretchers  # both places' stretcher trips, and both stretcher vans
    assert [instance.vehicles[v].id for v in by_label["s1"].vehicles] == ["stretcher-0", "stretcher-2"]
    assert all(instance.requests[r].load == (1, 0) for label in ("c1", "c2") for r in by_label[label].requests)
    day = stitch(instance, regions, [solve_region(instance, region, time_limit=0.3, seed=1) for region in regions])
    assert check_solution(instance, day).feasible
    # cut by geography instead, each cluster keeps the stretcher van of its own place
    cut, _nobody = split_clusters(instance, 2, seed=1, pool_small=False)
    assert sorted(region.label for region in cut) == ["c1", "c2"]
    assert all(sum(instance.vehicles[v].capacity == (0, 1) for v in region.vehicles) == 1 for region in cut)


def test_a_family_as_large_as_a_cluster_is_cut_by_geography_as_the_rest():
    instance = _stretcher_day()
    seated = [q for q in instance.requests if q.load == (1, 0)]
    stretchers = [replace(q, id=q.id + "-s", load=(0, 1), required_credentials=frozenset({"stretcher"}))
                  for q in seated]  # 20 stretcher trips and 20 seated: each family half the day, a cluster's worth
    instance = Instance(instance.name, [*seated, *stretchers], instance.vehicles, instance.travel_time,
                        space_types=instance.space_types)
    regions, _nobody = split_clusters(instance, 2, seed=1)
    assert sorted(region.label for region in regions) == ["c1", "c2"]


def test_the_days_search_time_is_shared_among_the_regions_by_size():
    regions = [Region("metro", [], list(range(90))), Region("town", [], list(range(9))), Region("farm", [], [0]),
               Region("depot only", [0], [])]
    # 4 regions x 10 s: 40 s in all; the metro's 90 % capped at half (two workers end together), the least 2 s
    assert search_times(regions, 10.0) == [20.0, pytest.approx(3.6), 2.0, 2.0]
    assert search_times(regions, 10.0, most=15.0)[0] == 15.0
    assert search_times(regions[:1], 10.0) == [10.0]
    assert search_times(regions, 1.0)[1:] == [1.0, 1.0, 1.0]  # a short search time is the least, too
