"""The kernels read the instance's matrices over locations (``tt[loc[a], loc[b]]``), not a matrix expanded to one row
per node; the conversion reuses the columns of requests it has seen; a live day holds what has been driven in the
kernel arrays; and :class:`LiveRoutes` grows its arrays with its routes. Each gives the answers of before."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from nemt.scheduling import Instance, Request, Solution, StopKind, TimeWindow, Vehicle, check_solution, read_cordeau
from nemt.scheduling import kernel_arrays as KA
from nemt.scheduling.checker import ViolationKind
from nemt.scheduling.live import LiveRoutes, order_of
from nemt.scheduling.solver import _kernel_instance, solve


def _node_arrays(instance: Instance) -> dict[str, np.ndarray]:
    """The arrays in node numbering as they were built before: matrices expanded to one row and column per node."""
    reqs, vehs = instance.requests, instance.vehicles
    R, K = len(reqs), len(vehs)
    loc = [q.pickup_location for q in reqs] + [q.dropoff_location for q in reqs]
    loc += [v.start_location for v in vehs] + [v.end_location for v in vehs]
    e = [q.pickup_window.earliest for q in reqs] + [q.dropoff_window.earliest for q in reqs]
    late = [q.pickup_window.latest for q in reqs] + [q.dropoff_window.latest for q in reqs]
    e += [v.shift.earliest for v in vehs] * 2
    late += [v.shift.latest for v in vehs] * 2
    svc = [q.pickup_service for q in reqs] + [q.dropoff_service for q in reqs] + [0.0] * (2 * K)
    dem = [list(q.load) for q in reqs] + [[-x for x in q.load] for q in reqs] + [[0] * len(instance.space_types)] * (
        2 * K)
    return {"tt": instance.travel_time[np.ix_(loc, loc)], "cost": instance.cost[np.ix_(loc, loc)], "e": np.array(e),
            "late": np.array(late), "svc": np.array(svc), "dem": np.array(dem),
            "max_ride": np.array([q.max_ride_time for q in reqs]),
            "compat": np.array([[1 if v.can_serve(q) else 0 for v in vehs] for q in reqs]).reshape(R, K),
            "cap": np.array([v.capacity for v in vehs]), "max_dur": np.array([v.max_route_duration for v in vehs])}


def _shared_places_day(requests: int = 60, vehicles: int = 6, seed: int = 1) -> Instance:
    """A day whose requests share a few places (ZIP centroids, clinics), with costs unlike times, several credentials,
    and more locations in the matrices than the day uses."""
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 30, size=(12, 2))
    minutes = np.abs(points[:, None, :] - points[None, :, :]).sum(axis=2) + 3.0 * (1 - np.eye(12))
    miles = 0.7 * minutes + rng.uniform(0, 1, size=(12, 12))
    reqs = []
    for n in range(requests):
        a, b = (int(x) for x in rng.choice(10, size=2, replace=False))
        t = float(rng.uniform(420, 960))
        needs = frozenset({"mode:wheelchair-van"}) if n % 4 == 0 else frozenset()
        load = (0, 1, 0) if n % 4 == 0 else (int(rng.integers(1, 3)), 0, 0)
        reqs.append(Request(f"r{n}", a, b, TimeWindow(t - 60, t), TimeWindow(t - 30, t + 90), 5.0, 3.0, load,
                            60.0, needs))
    fleet = [Vehicle(f"v{k}", 10 + k % 2, 10 + k % 2, TimeWindow(300.0, 1260.0), (4, 1 if k % 2 else 0, 0), 720.0,
                     frozenset({"mode:wheelchair-van"}) if k % 2 else frozenset()) for k in range(vehicles)]
    return Instance("shared-places", reqs, fleet, minutes, cost=miles)


@pytest.fixture(scope="module")
def cordeau(darp_dir) -> Instance:
    return read_cordeau(darp_dir / "cordeau2006" / "a3-24.txt")


@pytest.mark.parametrize("which", ["cordeau", "shared"])
def test_location_matrices_read_through_loc_give_the_node_times_and_costs_of_before(which, cordeau) -> None:
    instance = cordeau if which == "cordeau" else _shared_places_day()
    KA.forget()
    tt, cost, e, late, svc, dem, max_ride, compat, cap, max_dur, R, K, S, loc = _kernel_instance(instance)
    before = _node_arrays(instance)
    assert (R, K, S) == (len(instance.requests), len(instance.vehicles), len(instance.space_types))
    assert np.array_equal(tt[np.ix_(loc, loc)], before["tt"]) and np.array_equal(cost[np.ix_(loc, loc)], before["cost"])
    for name, got in {"e": e, "late": late, "svc": svc, "dem": dem, "max_ride": max_ride, "compat": compat,
                      "cap": cap, "max_dur": max_dur}.items():
        assert np.array_equal(got, before[name]), name
    assert tt is instance.travel_time or not instance.travel_time.flags.writeable  # the instance's own, not a copy
    # the search's scales: the mean time and the largest cost over pairs of nodes
    assert KA.node_mean_time(_kernel_instance(instance)) == pytest.approx(float(before["tt"].mean()), rel=1e-12)
    assert KA.node_max_cost(_kernel_instance(instance)) == float(before["cost"].max())


def test_a_day_matrix_stays_as_small_as_its_places() -> None:
    instance = _shared_places_day(requests=400, vehicles=30)
    inst = _kernel_instance(instance)
    assert inst[0].shape == (12, 12) and len(inst[13]) == 2 * 400 + 2 * 30


def test_a_conversion_reusing_the_columns_of_requests_seen_is_the_conversion_from_scratch() -> None:
    day = _shared_places_day()
    KA.forget()
    _kernel_instance(day)  # remembered
    rng = random.Random(3)
    reqs = list(day.requests)
    reqs[7] = replace(reqs[7], pickup_window=TimeWindow(400.0, 400.0))  # a stop held at its time
    reqs[20] = replace(reqs[20], load=(0, 1, 0), required_credentials=frozenset({"mode:wheelchair-van"}))
    reqs.append(replace(reqs[rng.randrange(len(reqs))], id="urgent"))  # an urgent request added
    changed = replace(day, requests=reqs)
    reused = _kernel_instance(changed)
    KA.forget()
    fresh = _kernel_instance(changed)
    for a, b in zip(reused, fresh, strict=True):
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
    fewer = replace(day, requests=day.requests[:30])  # and a shorter day
    assert all(np.array_equal(a, b) for a, b in zip(_kernel_instance(fewer)[2:10], (KA.forget(), _kernel_instance(
        fewer))[1][2:10], strict=True))


def test_a_location_outside_the_matrices_is_refused_by_name() -> None:
    day = _shared_places_day()
    bad = replace(day, requests=[replace(day.requests[0], dropoff_location=12), *day.requests[1:]])
    with pytest.raises(ValueError, match="location"):
        _kernel_instance(bad)


def _pinned(instance: Instance, plan: Solution, now: float) -> Instance:
    """``instance`` with every stop ``plan`` served by ``now`` given the window [t, t] and each started vehicle its
    start as the opening of its shift: how a live day held what was driven before, request by request."""
    requests, vehicles = list(instance.requests), list(instance.vehicles)
    for route in plan.routes:
        for stop in route.stops:
            if stop.service_start > now or stop.kind is StopKind.END:
                break
            at = TimeWindow(stop.service_start, stop.service_start)
            if stop.kind is StopKind.START:
                v = vehicles[route.vehicle]
                vehicles[route.vehicle] = replace(v, shift=TimeWindow(stop.service_start, v.shift.latest))
            elif stop.kind is StopKind.PICKUP:
                requests[stop.request] = replace(requests[stop.request], pickup_window=at)
            else:
                requests[stop.request] = replace(requests[stop.request], dropoff_window=at)
    return replace(instance, requests=requests, vehicles=vehicles)


def test_holding_what_was_driven_in_the_kernels_is_pinning_it_in_the_instance(cordeau) -> None:
    plan = solve(cordeau, time_limit=0.5, seed=2)
    starts = sorted(s.service_start for r in plan.routes for s in r.stops if s.kind is StopKind.PICKUP)
    for now in starts[len(starts) // 3 :: max(1, len(starts) // 4)]:
        urgent = replace(cordeau.requests[0], id="urgent",
                         pickup_window=TimeWindow(now + 10, now + 40), dropoff_window=TimeWindow(now + 10, 1440.0))
        grown = replace(cordeau, requests=[*cordeau.requests, urgent])
        held = LiveRoutes(grown, driven=plan, now=now)
        pinned = LiveRoutes(_pinned(grown, plan, now), order_of(plan))
        assert np.array_equal(held.inst[2], pinned.inst[2]) and np.array_equal(held.inst[3], pinned.inst[3])
        r = len(grown.requests) - 1
        assert held.insert(r) == pinned.insert(r)
        mine, theirs = held.solution(), pinned.solution()
        assert mine.routes == theirs.routes and mine.cost == theirs.cost and mine.unserved == theirs.unserved
        assert check_solution(grown, mine).only(ViolationKind.UNSERVED)


def test_routes_nothing_changed_keep_their_stops_and_the_rest_are_built_again(cordeau) -> None:
    plan = solve(cordeau, time_limit=0.5, seed=2)
    same = LiveRoutes(cordeau, driven=plan).solution()
    assert same.routes == plan.routes and same.cost == pytest.approx(plan.cost, abs=1e-9)
    assert all(a.stops[1] is b.stops[1] for a, b in zip(same.routes, plan.routes, strict=True))
    routes = LiveRoutes(cordeau, driven=plan)
    r = plan.routes[0].requests()[0]
    k = routes.remove(r)
    assert routes.insert(r, None) is not None and k is not None
    again = routes.solution()
    rebuilt = LiveRoutes(cordeau, order_of(again)).solution()  # every route built from the kernels' schedule
    assert again.routes == rebuilt.routes and again.cost == rebuilt.cost
    assert check_solution(cordeau, again).feasible


def test_live_routes_grow_their_arrays_with_their_routes(cordeau) -> None:
    routes = LiveRoutes(cordeau, {})
    start = routes.width
    placed = [routes.insert(r) for r in range(len(cordeau.requests))]
    solution = routes.solution()
    longest = max(len(route.stops) for route in solution.routes)
    assert routes.width >= longest + 2 > start and routes.width <= 2 * len(cordeau.requests) + 4
    assert sum(p is not None for p in placed) == len(cordeau.requests) - len(solution.unserved)
    assert check_solution(cordeau, solution).only(ViolationKind.UNSERVED)  # nothing broken, some maybe unserved


def test_a_plan_read_once_loads_the_routes_its_order_does(cordeau) -> None:
    plan = solve(cordeau, time_limit=0.5, seed=4)
    tight = replace(cordeau, vehicles=[replace(v, max_route_duration=60.0) if k == plan.routes[0].vehicle else v
                                       for k, v in enumerate(cordeau.vehicles)])  # one route no longer fits whole
    for instance in (cordeau, tight):
        read = LiveRoutes(instance, driven=plan)
        given = LiveRoutes(instance, order_of(plan))
        assert np.array_equal(read.rlen, given.rlen) and read.dropped == given.dropped
        for k in range(read.K):
            assert np.array_equal(read.routes[k, : read.rlen[k]], given.routes[k, : given.rlen[k]])
    assert LiveRoutes(tight, driven=plan).dropped  # the route that no longer fits kept what it could


def test_a_route_at_other_times_than_its_least_schedule_is_built_again(cordeau) -> None:
    from nemt.scheduling import Route, Stop

    plan = solve(cordeau, time_limit=0.5, seed=2)
    late = Route(plan.routes[0].vehicle, [Stop(s.kind, s.request, s.location, s.service_start + 0.5)
                                          for s in plan.routes[0].stops])
    shifted = replace(plan, routes=[late, *plan.routes[1:]])
    again = LiveRoutes(cordeau, driven=shifted).solution()
    assert again.routes == LiveRoutes(cordeau, order_of(plan)).solution().routes == plan.routes
    assert again.routes[0].stops[1] is not late.stops[1] and again.routes[1].stops[1] is plan.routes[1].stops[1]
