"""The checker must accept a feasible solution and catch each kind of violation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nemt.scheduling import Route, Solution, Stop, StopKind, TimeWindow, check_solution
from nemt.scheduling.checker import Violation, ViolationKind
from nemt.scheduling.model import Instance

from .conftest import tiny_solution


def _with_stops(stops, cost=None, vehicle=0) -> Solution:
    sol = tiny_solution()
    return Solution(cost=sol.cost if cost is None else cost, routes=[Route(vehicle, stops)])


def _retimed(stops, times):
    return [replace(s, service_start=t) for s, t in zip(stops, times, strict=True)]


def test_accepts_feasible(tiny: Instance, tiny_sol: Solution) -> None:
    result = check_solution(tiny, tiny_sol)
    assert result.feasible, result.violations
    assert result.cost == pytest.approx(80.0)


def _violations(instance: Instance, solution: Solution) -> str:
    result = check_solution(instance, solution)
    assert not result.feasible
    return "\n".join(result.messages)


def _kinds(instance: Instance, solution: Solution) -> set[ViolationKind]:
    return {v.kind for v in check_solution(instance, solution).violations}


def test_time_window(tiny: Instance, tiny_sol: Solution) -> None:
    stops = tiny_sol.routes[0].stops
    late = _retimed(stops, [20, 30, 41, 52, 63, 104])  # drop-off of r1 at 63 > 60
    assert "outside" in _violations(tiny, _with_stops(late))


def test_inconsistent_times(tiny: Instance, tiny_sol: Solution) -> None:
    stops = tiny_sol.routes[0].stops
    rushed = _retimed(stops, [0, 10, 15, 32, 43, 84])  # 10 + 1 + 10 > 15
    assert "before arrival" in _violations(tiny, _with_stops(rushed))


def test_precedence(tiny: Instance, tiny_sol: Solution) -> None:
    s = tiny_sol.routes[0].stops
    swapped = [s[0], s[3], s[2], s[1], s[4], s[5]]
    swapped = _retimed(swapped, [0, 30, 41, 62, 83, 124])
    assert "before (or without) its pickup" in _violations(tiny, _with_stops(swapped, cost=120.0))


def test_pairing_same_vehicle(tiny: Instance) -> None:
    s = tiny_solution().routes[0].stops
    # v0 picks r0 up, v1 drops it off; r1 done by v0
    r_a = Route(0, [s[0], s[1], s[2], replace(s[4], service_start=43.0), replace(s[5], service_start=84.0)])
    r_b = Route(1, [Stop(StopKind.START, -1, 0, 0.0), Stop(StopKind.DROPOFF, 0, 3, 30.0),
                    Stop(StopKind.END, -1, 0, 61.0)])
    text = _violations(tiny, Solution(cost=140.0, routes=[r_a, r_b]))
    assert "different vehicles" in text


def test_capacity_per_space_type(tiny: Instance) -> None:
    # vehicle 1 has no wheelchair position; r0 needs one. Use v1 for r0 alone.
    r0 = [Stop(StopKind.START, -1, 0, 0.0), Stop(StopKind.PICKUP, 0, 1, 10.0), Stop(StopKind.DROPOFF, 0, 3, 31.0),
          Stop(StopKind.END, -1, 0, 62.0)]
    r1 = [Stop(StopKind.START, -1, 0, 0.0), Stop(StopKind.PICKUP, 1, 2, 20.0), Stop(StopKind.DROPOFF, 1, 4, 41.0),
          Stop(StopKind.END, -1, 0, 82.0)]
    text = _violations(tiny, Solution(cost=140.0, routes=[Route(1, r0), Route(0, r1)]))
    assert "wheelchair load 1 exceeds capacity 0" in text


def test_credentials(tiny: Instance) -> None:
    r1 = [Stop(StopKind.START, -1, 0, 0.0), Stop(StopKind.PICKUP, 1, 2, 20.0), Stop(StopKind.DROPOFF, 1, 4, 41.0),
          Stop(StopKind.END, -1, 0, 82.0)]
    r0 = [Stop(StopKind.START, -1, 0, 0.0), Stop(StopKind.PICKUP, 0, 1, 10.0), Stop(StopKind.DROPOFF, 0, 3, 31.0),
          Stop(StopKind.END, -1, 0, 62.0)]
    text = _violations(tiny, Solution(cost=140.0, routes=[Route(0, r0), Route(1, r1)]))
    assert "lacks credentials" in text


def test_ride_time(tiny: Instance, tiny_sol: Solution) -> None:
    stops = tiny_sol.routes[0].stops
    slow = _retimed(stops, [0, 10, 21, 52, 53, 94])  # r0 rides 52 - 11 = 41 > 40
    assert "ride time" in _violations(tiny, _with_stops(slow))


def test_route_duration(tiny: Instance, tiny_sol: Solution) -> None:
    stops = tiny_sol.routes[0].stops
    long = _retimed(stops, [0, 10, 21, 32, 43, 160])  # 160 > 150
    assert "duration" in _violations(tiny, _with_stops(long))


def test_shift(tiny: Instance, tiny_sol: Solution) -> None:
    stops = tiny_sol.routes[0].stops
    after = _retimed(stops, [100, 110, 121, 132, 143, 184])
    vehicles = [replace(tiny.vehicles[0], shift=TimeWindow(0, 180)), tiny.vehicles[1]]
    inst = Instance(tiny.name, tiny.requests, vehicles, tiny.travel_time)
    assert "after the shift ends" in _violations(inst, _with_stops(after))


def test_unserved_and_served_twice(tiny: Instance, tiny_sol: Solution) -> None:
    s = tiny_sol.routes[0].stops
    only_r0 = [s[0], s[1], replace(s[3], service_start=31.0), replace(s[5], service_start=62.0)]
    assert "request r1 is not served" in _violations(tiny, _with_stops(only_r0, cost=60.0))
    again = Route(1, [s[0], replace(s[1]), replace(s[3], service_start=31.0), replace(s[5], service_start=62.0)])
    twice = Solution(cost=140.0, routes=[tiny_sol.routes[0], again])
    text = _violations(tiny, twice)
    assert "picked up more than once" in text


def test_wrong_depot_and_cost(tiny: Instance, tiny_sol: Solution) -> None:
    assert "differs from recomputed cost" in _violations(tiny, _with_stops(tiny_sol.routes[0].stops, cost=79.0))
    s = tiny_sol.routes[0].stops
    no_end = s[:-1]
    assert "end depot" in _violations(tiny, _with_stops(no_end, cost=40.0))


def test_violations_are_typed_values(tiny: Instance, tiny_sol: Solution) -> None:
    """Each violation carries its kind, where it is and by how much; its message is built from those."""
    stops = tiny_sol.routes[0].stops
    result = check_solution(tiny, _with_stops(_retimed(stops, [0, 10, 21, 52, 53, 94])))
    ride = next(v for v in result.violations if v.kind is ViolationKind.RIDE_TIME)
    assert (ride.request, ride.route, ride.vehicle, ride.amount, ride.limit) == ("r0", 0, 0, 41.0, 40.0)
    assert ride.message == "request r0: ride time 41.0000 exceeds 40" == str(ride)
    assert result.messages == [v.message for v in result.violations]
    window = Violation(ViolationKind.TIME_WINDOW, 0, 0, "r1", 4, 63.0, 60.0, 0.0, "dropoff")
    assert window.message == "request r1 dropoff: service starts at 63.0000 outside [0, 60]"


def test_kinds_of_violations(tiny: Instance, tiny_sol: Solution) -> None:
    s = tiny_sol.routes[0].stops
    only_r0 = [s[0], s[1], replace(s[3], service_start=31.0), replace(s[5], service_start=62.0)]
    unserved = check_solution(tiny, _with_stops(only_r0, cost=60.0))
    assert _kinds(tiny, _with_stops(only_r0, cost=60.0)) == {ViolationKind.UNSERVED}
    assert unserved.only(ViolationKind.UNSERVED) and not unserved.feasible
    late = _retimed(s, [20, 30, 41, 52, 63, 104])
    assert ViolationKind.TIME_WINDOW in _kinds(tiny, _with_stops(late))
    assert _kinds(tiny, _with_stops(s, cost=79.0)) == {ViolationKind.COST}
    swapped = _retimed([s[0], s[3], s[2], s[1], s[4], s[5]], [0, 30, 41, 62, 83, 124])
    assert ViolationKind.PRECEDENCE in _kinds(tiny, _with_stops(swapped, cost=120.0))
    long = _retimed(s, [0, 10, 21, 32, 43, 160])
    assert ViolationKind.ROUTE_DURATION in _kinds(tiny, _with_stops(long))
