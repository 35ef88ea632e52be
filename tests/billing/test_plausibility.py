"""The plausibility rules at trip-log entry (nemt.domain.plausibility, issue 15), one by one: each fails exactly when
its facts say the ride could not have happened as logged, and a rule whose facts are unknown passes."""

from __future__ import annotations

import datetime as dt

from nemt.domain.plausibility import LegFacts, Neighbour, Position, check
from nemt.domain.trip_log import LegLog
from nemt.geo.points import Point
from nemt.policy import load_policy

POLICY = load_policy("CO")
T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def m(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def log(arrived=0, picked=5, dropped=40, miles=10, **extra) -> LegLog:
    def when(minutes):
        return None if minutes is None else m(minutes)

    return LegLog(arrived_at=when(arrived), picked_up_at=when(picked), dropped_off_at=when(dropped),
                  loaded_miles=miles, **extra)


def rules(facts: LegFacts) -> list[str]:
    return [f.rule for f in check(facts, POLICY)]


def test_a_plausible_log_passes_and_unknown_facts_pass():
    assert rules(LegFacts("a", log(), route_miles=10, route_minutes=25)) == []
    assert rules(LegFacts("a", log(picked=None, dropped=None, miles=None))) == []


def test_event_order_refuses():
    [finding] = check(LegFacts("a", log(arrived=10, picked=5)), POLICY)
    assert finding.rule == "event-order" and finding.refuses and "before the arrival" in finding.message


def test_early_pickup_is_held_for_review():
    assert rules(LegFacts("a", log(picked=5), window_opens=m(25))) == []
    [finding] = check(LegFacts("a", log(picked=5), window_opens=m(26)), POLICY)
    assert finding.rule == "early-pickup" and not finding.refuses


def test_loaded_minutes_refuse_a_ride_shorter_than_the_road_allows():
    assert rules(LegFacts("a", log(picked=5, dropped=18), route_minutes=26)) == []
    [finding] = check(LegFacts("a", log(picked=5, dropped=5), route_minutes=26), POLICY)
    assert finding.rule == "loaded-minutes" and finding.refuses and "aboard 0 minutes" in finding.message


def test_loaded_miles_against_the_shortest_route_the_odometer_and_the_positions():
    assert rules(LegFacts("a", log(miles=13), route_miles=10)) == []  # 10 * 1.15 + 2 = 13.5
    assert rules(LegFacts("a", log(miles=14), route_miles=10)) == ["loaded-miles"]
    assert rules(LegFacts("a", log(miles=10), odometer={"picked-up": 100, "dropped-off": 109.5})) == []
    assert rules(LegFacts("a", log(miles=12), odometer={"picked-up": 100, "dropped-off": 109.5})) == [
        "odometer-miles"]
    assert rules(LegFacts("a", log(), odometer={"picked-up": 100, "dropped-off": 90})) == ["odometer-miles"]
    near = {"picked-up": Position(39.75, -104.99), "dropped-off": Position(39.80, -104.99)}  # ~3.5 miles apart
    assert rules(LegFacts("a", log(miles=8), positions=near)) == []
    assert rules(LegFacts("a", log(miles=30), positions=near)) == ["gps-miles"]


def test_the_loaded_miles_rules_cite_the_program_mileage_rule_else_the_operational_table():
    [finding] = check(LegFacts("a", log(miles=14), route_miles=10), POLICY)
    assert finding.cite == ("Health First Colorado NEMT Billing Manual — Mobility/Ambulatory Vehicles; Wheelchair Van; "
                            "Taxicab; Stretcher Van")
    ct = load_policy("CT")
    [finding] = check(LegFacts("a", log(miles=14), route_miles=10), ct)
    assert finding.cite == ct.cite("plausibility") and ct.get("plausibility.source") == "operational"
    [finding] = check(LegFacts("a", log(arrived=10, picked=5)), POLICY)
    assert finding.cite == POLICY.cite("plausibility")


def test_a_position_far_from_its_stop_is_held():
    stops = {"picked-up": Point(39.75, -104.99)}
    assert rules(LegFacts("a", log(), positions={"picked-up": Position(39.76, -104.99)}, stops=stops)) == []
    assert rules(LegFacts("a", log(), positions={"picked-up": Position(38.25, -104.6)}, stops=stops)) == [
        "gps-place"]


def test_overlaps_of_a_driver_or_a_vehicle_and_the_vehicles_places():
    other_vehicle = Neighbour("b", m(10), m(30), driver_id=1, vehicle_id=8, people=1)
    assert rules(LegFacts("a", log(), driver_id=1, vehicle_id=7, neighbours=(other_vehicle,))) == ["driver-overlap"]
    other_driver = Neighbour("b", m(10), m(30), driver_id=2, vehicle_id=7, people=1)
    assert rules(LegFacts("a", log(), driver_id=1, vehicle_id=7, neighbours=(other_driver,))) == ["vehicle-overlap"]
    later = Neighbour("b", m(40), m(60), driver_id=2, vehicle_id=8, people=1)
    assert rules(LegFacts("a", log(), driver_id=1, vehicle_id=7, neighbours=(later,))) == []
    shared = tuple(Neighbour(f"s{i}", m(10 + i), m(30), driver_id=1, vehicle_id=7, people=2) for i in range(2))
    assert rules(LegFacts("a", log(), driver_id=1, vehicle_id=7, places=5, neighbours=shared)) == []
    assert rules(LegFacts("a", log(), driver_id=1, vehicle_id=7, places=4, neighbours=shared)) == ["capacity"]
