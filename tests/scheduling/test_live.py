"""The live day: what remains at "now" (nothing before now plus the lead time, members on board kept, vehicles from
where they are), changes tested with the solver's exact test, re-plans that keep legs unless a margin is met, and
refusals in words built from the checker's typed violations."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nemt.scheduling import StopKind, TimeWindow, check_solution, read_cordeau, solve
from nemt.scheduling.checker import ViolationKind
from nemt.scheduling.explain import closest_miss, describe, span
from nemt.scheduling.live import DayState, LiveRoutes, OnBoard, live_instance, order_of, with_lead
from nemt.scheduling.replan import replan

from .conftest import tiny_instance, tiny_solution


@pytest.fixture(scope="module")
def day(darp_dir):
    instance = read_cordeau(darp_dir / "cordeau2006" / "a2-16.txt")
    solution = solve(instance, time_limit=1.0, seed=3)
    assert check_solution(instance, solution).feasible
    return instance, solution


def _clock(minutes: float) -> str:
    return f"{int(minutes // 60):02d}:{int(minutes % 60):02d}"


def test_the_checker_refuses_a_stop_before_now(tiny, tiny_sol):
    assert check_solution(tiny, tiny_sol, not_before=0.0).feasible
    report = check_solution(tiny, tiny_sol, not_before=15.0)
    before = [v for v in report.violations if v.kind is ViolationKind.BEFORE_NOW]
    assert [(v.stop, v.amount, v.limit) for v in before] == [(0, 0.0, 15.0), (1, 10.0, 15.0)]
    assert before[1].request == "r0" and before[1].detail == "pickup"


def test_a_plan_made_late_in_the_day_starts_no_pick_up_before_now_plus_the_lead(day):
    instance, _ = day
    now, lead = 300.0, 15.0
    live = live_instance(instance, DayState(now, lead))
    solution = solve(live, time_limit=0.5, seed=1)
    report = check_solution(live, solution, not_before=now)
    assert report.only(ViolationKind.UNSERVED), report.messages
    pickups = [s.service_start for r in solution.routes for s in r.stops if s.kind is StopKind.PICKUP]
    assert pickups and min(pickups) >= now + lead - 1e-6
    # Every leg left out is one whose pick-up window closes before now plus the lead: never made late.
    for q in solution.unserved:
        missed = closest_miss(live, {}, q)
        assert missed.violations, "a request left unserved must break something even alone on a vehicle"


def test_members_on_board_stay_on_their_vehicle_and_vehicles_start_where_they_are(day):
    instance, solution = day
    route = solution.routes[0]
    first_pickup = next(s for s in route.stops if s.kind is StopKind.PICKUP)
    k, q = route.vehicle, first_pickup.request
    now = first_pickup.service_start + 1
    state = DayState(now, 10.0, {q: OnBoard(k, first_pickup.service_start)}, {k: (first_pickup.location, now)})
    live = live_instance(instance, state)
    assert live.vehicles[k].start_location == first_pickup.location and live.vehicles[k].shift.earliest == now
    assert not live.vehicles[(k + 1) % len(live.vehicles)].can_serve(live.requests[q])
    fresh = solve(live, time_limit=0.5, seed=2)
    assert q not in fresh.unserved
    assert next(r.vehicle for r in fresh.routes for s in r.stops if s.request == q) == k
    assert check_solution(live, fresh, not_before=now).only(ViolationKind.UNSERVED)


def test_insertion_is_exact_and_options_list_only_vehicles_that_can_take_it(day):
    instance, solution = day
    live = live_instance(instance, DayState(0.0))
    routes = LiveRoutes(live, order_of(solution))
    assert not routes.dropped
    home = routes.remove(4)
    options = routes.options(4)
    assert options and [o.added for o in options] == sorted(o.added for o in options)
    for option in options:  # each vehicle offered really takes it: the checker agrees
        trial = LiveRoutes(live, order_of(routes.solution()))
        assert trial.insert(4, option.vehicle) is not None
        assert check_solution(live, trial.solution()).feasible
    offered = {o.vehicle for o in options}
    for k in set(range(len(live.vehicles))) - offered:
        assert LiveRoutes(live, order_of(routes.solution())).insert(4, k) is None
    assert home is not None


def test_a_replan_keeps_legs_where_they_are_unless_moving_saves_the_margin(day):
    instance, solution = day
    live = live_instance(instance, DayState(0.0))
    greedy = LiveRoutes(live, {})  # a poor current plan: each request at its cheapest place, one after the other
    for r in sorted(range(len(live.requests)), key=lambda q: (live.requests[q].pickup_window.latest, q)):
        assert greedy.insert(r) is not None
    poor = order_of(greedy.solution())
    kept = replan(live, poor, margin=1e9, time_limit=0.3, seed=1)
    assert not kept.fresh and kept.moved == {}
    assert check_solution(live, kept.solution).feasible
    assert kept.solution.cost == pytest.approx(greedy.solution().cost)
    fresh = replan(live, poor, margin=0.0, time_limit=0.5, seed=1)
    assert fresh.fresh and fresh.solution.cost < greedy.solution().cost
    assert check_solution(live, fresh.solution).feasible
    vehicle_now = {s.request: route.vehicle for route in fresh.solution.routes for s in route.stops}
    vehicle_before = {r: k for k, stops in poor.items() for r, _kind in stops}
    assert fresh.moved == {r: (k, vehicle_now[r]) for r, k in vehicle_before.items() if vehicle_now[r] != k}
    # A fresh plan that gives a moved leg to a new driver sooner than now plus the lead time is not taken.
    assert fresh.moved
    cautious = replan(live, poor, margin=0.0, time_limit=0.5, seed=1, earliest_moved=1e9)
    assert not cautious.fresh and cautious.moved == {}


def test_a_refusal_names_the_constraint_and_the_amount_in_words():
    instance = tiny_instance()
    # r1 needs "door-to-door": vehicle 1 lacks it; on vehicle 0 a 5-minute ride limit breaks.
    miss = closest_miss(instance, {}, 1, [1])
    assert [v.kind for v in miss.violations] == [ViolationKind.CREDENTIAL, ViolationKind.CREDENTIAL]
    words = describe(miss.violations[0], instance, who=lambda r: f"the member of {r}", clock=_clock)
    assert words == "the vehicle lacks door-to-door"
    short = replace(instance, requests=[instance.requests[0], replace(instance.requests[1], max_ride_time=5.0)])
    ride = closest_miss(short, {}, 1, [0]).violations
    assert [v.kind for v in ride] == [ViolationKind.RIDE_TIME]
    assert describe(ride[0], short, who=lambda r: f"the member of {r}", clock=_clock) == \
        "the member of r1 would ride 20 minutes; the limit is 5"
    late = replace(instance, requests=[instance.requests[0], replace(
        instance.requests[1], pickup_window=TimeWindow(0.0, 1.0))])
    window = closest_miss(late, {}, 1, [0]).violations
    assert [v.kind for v in window] == [ViolationKind.TIME_WINDOW]
    assert describe(window[0], late, who=lambda r: f"the member of {r}", clock=_clock) == \
        "pick-up of the member of r1 would be at 00:20, 19 min after the window closes (00:01)"


def test_capacity_refusal_names_the_space_type():
    instance = tiny_instance()  # vehicle 1 has one seat and no wheelchair position; r0 rides in a wheelchair
    miss = closest_miss(instance, {}, 0, [1])
    assert [v.kind for v in miss.violations] == [ViolationKind.CAPACITY]
    assert describe(miss.violations[0], instance, who=str, clock=_clock) == \
        "the vehicle would carry 1 wheelchair at once; it has room for 0"
    assert LiveRoutes(instance, {}).insert(0, 1) is None and LiveRoutes(instance, {}).insert(0, 0) is not None


def test_a_leg_new_to_a_driver_gets_the_lead_time(tiny):
    state = DayState(now=30.0, lead=15.0)
    live = live_instance(tiny, replace(state, assigned=frozenset({0, 1})))
    assert [q.pickup_window.earliest for q in live.requests] == [30.0, 30.0]  # known to their drivers: from now
    led = with_lead(live, 1, state)
    assert [q.pickup_window.earliest for q in led.requests] == [30.0, 45.0]
    assert live_instance(tiny, state).requests[0].pickup_window.earliest == 45.0  # on no run: now plus the lead


def test_spans_read_as_hours_and_minutes():
    assert (span(190), span(25), span(60), span(0.2)) == ("3 h 10 min", "25 min", "1 h", "1 min")


def test_the_current_runs_keep_only_what_still_fits():
    instance = tiny_instance()
    solution = tiny_solution()
    live = live_instance(instance, DayState(12.0, 0.0))  # r0's pick-up (planned at 10) is now impossible: window
    live = replace(live, requests=[replace(live.requests[0], pickup_window=TimeWindow(12.0, 11.0)),
                                   live.requests[1]])
    routes = LiveRoutes(live, order_of(solution))
    assert routes.dropped == [0] and routes.vehicle_of(1) == 0


@pytest.mark.parametrize("name", ["a2-24", "a4-32"])
def test_the_explanation_agrees_with_the_exact_test(darp_dir, name):
    """For every request taken off its run and offered to every vehicle, the closest miss finds no violation exactly
    when the solver's exact test finds a place — also on runs long enough that only places near the request's time
    are tried."""
    from nemt.scheduling.explain import _positions

    instance = read_cordeau(darp_dir / "cordeau2006" / f"{name}.txt")
    solution = solve(instance, time_limit=0.5, seed=1)
    pruned = 0
    for r in range(len(instance.requests)):
        base = LiveRoutes(instance, order_of(solution))
        base.remove(r)
        order = order_of(base.solution())
        for k in range(len(instance.vehicles)):
            fits = LiveRoutes(instance, order).insert(r, k) is not None
            assert fits == (not closest_miss(instance, order, r, [k]).violations), (r, k)
            n = len(order.get(k, []))
            pruned += len(_positions(instance, k, order.get(k, []), r)) < (n + 1) * (n + 2) // 2
    assert pruned > 0


def test_each_request_is_located_on_its_vehicle_after_every_kind_of_change(day):
    # vehicle_of keeps its index up to date route by route: after removals, insertions, restores, routes set anew and
    # the question options() asks (which takes a request off and puts it back), it answers as a fresh index would
    import random

    instance, solution = day
    routes = LiveRoutes(instance, order_of(solution))
    rng = random.Random(5)
    for step in range(60):
        r = rng.randrange(instance.num_requests)
        k = routes.vehicle_of(r)
        match step % 5:
            case 0 | 1:
                routes.remove(r) if k is not None else routes.insert(r)
            case 2:
                routes.options(r)
            case 3:
                if k is not None:  # a change undone
                    before = routes.route_of(k)
                    routes.remove(r)
                    routes.restore(k, before)
            case 4:
                if k is not None:
                    routes.set_stops(k, [])
        fresh = LiveRoutes(instance, order_of(routes.solution()))
        assert [routes.vehicle_of(q) for q in range(instance.num_requests)] == \
            [fresh.vehicle_of(q) for q in range(instance.num_requests)]
