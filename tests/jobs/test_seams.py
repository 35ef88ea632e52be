"""The repair of a stitched day across the seams (``nemt.jobs.seams``): a request the regions left unserved is put
on any vehicle of the day, served by ejecting riders that can ride elsewhere (a chain of them if need be), or by
re-solving the vehicles around it — a trial that does not serve more is undone whole — and the routes it changed are
polished for fewer miles. Every result verified by the independent checker.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nemt.jobs.seams import repair
from nemt.scheduling import Instance, Request, Route, Solution, Stop, StopKind, TimeWindow, Vehicle, check_solution
from nemt.scheduling.checker import ViolationKind

# One place to one clinic, 30 minutes; every vehicle has one seat. Everyone asks to be picked up at 9:00 (540).
TT = np.array([[0.0, 30.0], [30.0, 0.0]])
WHEELCHAIR, CAR_SEAT = frozenset({"wheelchair"}), frozenset({"car-seat"})
ON_DUTY = TimeWindow(480, 720)


def _request(name: str, needs: frozenset[str] = frozenset()) -> Request:
    return Request(name, 0, 1, TimeWindow(540, 545), TimeWindow(540, 600), 0, 0, (1,), 30, needs)


def _vehicle(name: str, has: frozenset[str] = frozenset(), shift: TimeWindow = ON_DUTY) -> Vehicle:
    return Vehicle(name, 0, 0, shift, (1,), 240, has)


def _carrying(k: int, r: int) -> Route:
    return Route(k, [Stop(StopKind.START, -1, 0, 510), Stop(StopKind.PICKUP, r, 0, 540),
                     Stop(StopKind.DROPOFF, r, 1, 570), Stop(StopKind.END, -1, 0, 600)])


def _riders(plan: Solution) -> dict[int, set[int]]:
    return {route.vehicle: {s.request for s in route.stops if s.request >= 0} for route in plan.routes}


def test_a_request_no_vehicle_has_room_for_is_served_by_ejecting_a_rider_who_can_ride_elsewhere():
    # A wheelchair van carries a walking member at 9:00; a member in a wheelchair asks for 9:00 too; a sedan is free.
    instance = Instance("swap", [_request("walking"), _request("rolling", WHEELCHAIR)],
                        [_vehicle("van", WHEELCHAIR), _vehicle("sedan")], TT, space_types=("seat",))
    day = Solution(60.0, [_carrying(0, 0)], [1], feasible=False)

    assert repair(instance, day, eject_seconds=0, resolve_seconds=0).unserved == [1]  # no place as things stand
    placed: dict[str, int] = {}
    repaired = repair(instance, day, resolve_seconds=0, placed=placed)
    assert repaired.unserved == [] and _riders(repaired) == {0: {1}, 1: {0}}
    assert placed == {"inserted": 0, "ejected": 1, "re_solved": 0}
    report = check_solution(instance, repaired)
    assert report.feasible, report.messages[:3]

    # With the sedan off duty at 9:00 the walking member has nowhere else to ride: each trial is undone, whole.
    instance.vehicles[1] = _vehicle("sedan", shift=TimeWindow(720, 900))
    undone = repair(instance, day)
    assert undone.unserved == [1] and _riders(undone) == {0: {0}}
    assert check_solution(instance, undone).only(ViolationKind.UNSERVED)


def test_a_request_that_needs_two_riders_moved_is_served_by_a_chain_of_ejections_or_by_re_solving():
    # The wheelchair van carries a child (car seat), the one sedan with a car seat carries an adult, a second sedan
    # (no car seat) is free. The wheelchair member fits only if the child moves to the first sedan and the adult
    # to the second: no single move does it.
    instance = Instance("chain", [_request("child", CAR_SEAT), _request("adult"), _request("rolling", WHEELCHAIR)],
                        [_vehicle("van", WHEELCHAIR | CAR_SEAT), _vehicle("sedan", CAR_SEAT), _vehicle("sedan-2")],
                        TT, space_types=("seat",))
    day = Solution(120.0, [_carrying(0, 0), _carrying(1, 1)], [2], feasible=False)

    assert repair(instance, day, resolve_seconds=0, depth=1).unserved == [2]  # one ejection deep is not enough
    for steps, by in (({}, {"inserted": 0, "ejected": 1, "re_solved": 0}),
                      ({"eject_seconds": 0}, {"inserted": 0, "ejected": 0, "re_solved": 1})):
        placed: dict[str, int] = {}
        repaired = repair(instance, day, placed=placed, **steps)
        assert repaired.unserved == [] and placed == by
        assert _riders(repaired) == {0: {2}, 1: {0}, 2: {1}}
        report = check_solution(instance, repaired)
        assert report.feasible, report.messages[:3]


def test_a_re_solve_that_serves_no_more_keeps_the_routes_as_they_were():
    # As above, but the second sedan's shift ends before 9:00: three riders at 9:00 for two vehicles that can
    # take them; the re-solve finds nothing better, and the day is as it came.
    instance = Instance("full", [_request("child", CAR_SEAT), _request("adult"), _request("rolling", WHEELCHAIR)],
                        [_vehicle("van", WHEELCHAIR | CAR_SEAT), _vehicle("sedan", CAR_SEAT),
                         _vehicle("sedan-2", shift=TimeWindow(300, 480))], TT, space_types=("seat",))
    day = Solution(120.0, [_carrying(0, 0), _carrying(1, 1)], [2], feasible=False)
    repaired = repair(instance, day)
    assert repaired.unserved == [2] and _riders(repaired) == {0: {0}, 1: {1}}
    assert check_solution(instance, repaired).only(ViolationKind.UNSERVED)


def test_requests_no_vehicle_serves_even_alone_are_offered_last_and_never_swapped():
    instance = Instance("alone", [_request("walking"), replace(_request("late"), pickup_window=TimeWindow(2000, 2010),
                                                               dropoff_window=TimeWindow(2000, 2100))],
                        [_vehicle("sedan")], TT, space_types=("seat",))
    day = Solution(60.0, [_carrying(0, 0)], [1], feasible=False)
    repaired = repair(instance, day, last={1})
    assert repaired.unserved == [1] and _riders(repaired) == {0: {0}}


def test_the_polish_keeps_a_search_on_the_routes_only_when_it_serves_the_same_riders_for_fewer_miles():
    # Two members at 9:00 from one place to one clinic, each on a van of their own; one van has two seats and can
    # take both: the search on the two vans' routes finds the run of 60 minutes instead of two of 60 each.
    from nemt.jobs.seams import _search_on
    from nemt.scheduling.live import LiveRoutes, order_of

    instance = Instance("two", [_request("a"), _request("b")],
                        [replace(_vehicle("bus"), capacity=(2,)), _vehicle("van")], TT, space_types=("seat",))
    day = Solution(240.0, [_carrying(0, 0), _carrying(1, 1)], [], feasible=True)
    routes = LiveRoutes(instance, order_of(day))
    assert routes.miles_of([0, 1]) == 120.0
    assert _search_on(instance, routes, [0, 1], [], float("inf"), seed=1) == (set(), [])  # no more served: as it was
    assert _riders(routes.solution()) == {0: {0}, 1: {1}}
    assert _search_on(instance, routes, [0, 1], [], float("inf"), seed=1, cheaper=True) == (set(), [])
    assert routes.miles_of([0, 1]) == 60.0 and _riders(routes.solution()) == {0: {0, 1}}
    assert check_solution(instance, routes.solution()).feasible
