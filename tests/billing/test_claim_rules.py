"""Each claim rule at its boundaries (Health First Colorado NEMT Billing Manual sections named per test)."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt.billing.claim_rules import build_claims
from nemt.billing.trip_log import AdditionalPassenger, Stop, TransportedPerson

from .billing_factories import DAY, NPI_B, entry, escort, leg, member


def lines(batch):
    return sorted((line.hcpcs, line.modifiers, line.units) for c in batch.claims for line in c.lines)


def edits(batch):
    return {(e.code, e.ref) for e in batch.edits}


# --- 25 Mile or Longer Trips: 52 vs 53 units on A0425 and S0209 -------------------------------------------------
@pytest.mark.parametrize("mode, level", [("wheelchair-van", None), ("ground-ambulance", "BLS"),
                                         ("mobility-ambulatory", None)])
def test_52_units_is_not_reviewed(policy, mode, level):
    batch = build_claims([leg(mode=mode, service_level=level, loaded_miles=52)], [], policy)
    assert edits(batch) == set()


@pytest.mark.parametrize("mode, level, code", [("wheelchair-van", None, "S0209"), ("ground-ambulance", "BLS", "A0425"),
                                               ("mobility-ambulatory", None, "A0425")])
def test_53_units_needs_attachment_and_is_still_claimed(policy, mode, level, code):
    batch = build_claims([leg(mode=mode, service_level=level, loaded_miles=53, attachment_25mi=True)], [], policy)
    assert edits(batch) == {("mileage-over-52-units-needs-attachment", "L1")}
    assert (code, (), 53) in lines(batch)
    batch = build_claims([leg(mode=mode, service_level=level, loaded_miles=53, attachment_25mi=False)], [], policy)
    assert edits(batch) == {("mileage-over-52-units-needs-attachment", "L1"), ("attachment-missing-denied", "L1")}


def test_stretcher_mileage_is_not_reviewed(policy):
    batch = build_claims([leg(mode="stretcher-van", loaded_miles=200)], [], policy)
    assert ("T2049", (), 200) in lines(batch) and edits(batch) == set()


@pytest.mark.parametrize("change", [
    {"driver": None}, {"vehicle_id": None}, {"identity_verified": False}, {"trip_confirmed_by": None},
    {"pickup": Stop("1200 Example Ave, Denver, CO 80205", None)},
    {"dropoff": Stop("", dt.time(9, 0))},
])
def test_attachment_insufficient_when_a_trip_log_field_is_missing(policy, change):
    batch = build_claims([leg(loaded_miles=60, attachment_25mi=True, **change)], [], policy)
    assert edits(batch) == {("mileage-over-52-units-needs-attachment", "L1"), ("attachment-insufficient-denied", "L1")}
    message = next(e.message for e in batch.edits if e.code == "attachment-insufficient-denied")
    assert "Test Person" not in message and "Z100001" not in message


def test_threshold_comes_from_policy(policy):
    from nemt.policy import Policy

    data = {**policy.data, "mileage_review": {**policy.data["mileage_review"], "max_units_without_review": 10}}
    strict = Policy(policy.code, policy.path, data)
    assert ("mileage-over-52-units-needs-attachment", "L1") in edits(build_claims([leg(loaded_miles=11)], [], strict))


# --- Multiple Trips in the Same Day: 76 vs 77 -----------------------------------------------------------------------
def test_second_trip_same_provider_76(policy):
    batch = build_claims([leg("L2", pickup=Stop("a", dt.time(12, 0))), leg("L1")], [], policy)
    assert lines(batch) == sorted([("A0130", (), 1), ("S0209", (), 10), ("A0130", ("76",), 1), ("S0209", ("76",), 10)])
    later = {line.ref for c in batch.claims for line in c.lines if line.modifiers}
    assert later == {"L2"}  # ordered by pick-up time, not input order


def test_second_trip_other_provider_77_and_third_compared_with_first(policy):
    batch = build_claims([
        leg("L1"), leg("L2", pickup=Stop("a", dt.time(12, 0)), rendering_provider_npi=NPI_B),
        leg("L3", pickup=Stop("a", dt.time(15, 0))),
    ], [], policy)
    mods = {line.ref: line.modifiers for c in batch.claims for line in c.lines if line.hcpcs == "A0130"}
    assert mods == {"L1": (), "L2": ("77",), "L3": ("76",)}


def test_repeat_modifier_follows_table_modifiers(policy):
    batch = build_claims([
        leg("L1", mode="public-transit", service_level="fixed-route-regional"),
        leg("L2", mode="public-transit", service_level="fixed-route-regional", pickup=Stop("a", dt.time(13, 0))),
    ], [], policy)
    assert lines(batch) == [("A0110", ("SC", "SE", "TN"), 1), ("A0110", ("SC", "SE", "TN", "76"), 1)]


def test_trips_on_other_days_or_of_other_members_carry_no_repeat_modifier(policy):
    batch = build_claims([leg("L1"), leg("L2", date_of_service=DAY + dt.timedelta(days=1)),
                          leg("L3", member=member("Z100002"))], [], policy)
    assert all(not line.modifiers for c in batch.claims for line in c.lines)


# --- Escorts: Ancillary Services: Escort; Exclusions ----------------------------------------------------------------
def _on(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)


def test_escort_of_17_year_old_is_billed_t2001(policy):
    seventeen = member(birth_date=_on(DAY, 17) + dt.timedelta(days=1))
    batch = build_claims([leg(member=seventeen, escorts=(escort(),))], [], policy)
    assert ("T2001", (), 1) in lines(batch) and edits(batch) == set()


def test_escort_of_member_turning_18_that_day_is_an_extra_passenger(policy):
    batch = build_claims([leg(member=member(birth_date=_on(DAY, 18)), escorts=(escort(),))], [], policy)
    assert "T2001" not in {line[0] for line in lines(batch)}
    assert edits(batch) == {("extra-passenger-not-billable", "L1")}


def test_escort_of_at_risk_adult_is_billed_one_unit_per_escort(policy):
    batch = build_claims([leg(member=member(at_risk_adult=True), escorts=(escort("A"), escort("B")))], [], policy)
    assert ("T2001", (), 2) in lines(batch) and edits(batch) == set()


def test_escort_line_takes_the_repeat_modifier(policy):
    kid = member(birth_date=dt.date(2016, 1, 1))
    batch = build_claims([leg("L1", member=kid, escorts=(escort(),)),
                          leg("L2", member=kid, escorts=(escort(),), pickup=Stop("a", dt.time(13, 0)))], [], policy)
    assert ("T2001", ("76",), 1) in lines(batch)


def test_additional_passenger_edit_and_no_line(policy):
    child = AdditionalPassenger("P", 5, "member-child")
    batch = build_claims([leg(mode="taxi", additional_passengers=(child,))], [], policy)
    assert lines(batch) == [("A0100", (), 1)]
    assert edits(batch) == {("extra-passenger-not-billable", "L1")}


def test_personal_vehicle_mileage_ignores_escorts_and_passengers(policy):
    batch = build_claims([leg(mode="personal-vehicle-mileage", service_level="individual", escorts=(escort(),),
                              additional_passengers=(AdditionalPassenger("P", 30, "other"),),
                              member=member(birth_date=dt.date(2015, 1, 1)))], [], policy)
    assert lines(batch) == [("A0090", (), 10)] and edits(batch) == set()


# --- Shared rides: Exclusions (last paragraph); Procedure Coding (A0120 + TK riders) --------------------------------
def test_shared_ride_billed_once_with_riders(policy):
    legs = [leg(f"S{i}", member=member(f"Z20000{i}"), mode="mobility-ambulatory", shared_ride_group="G1")
            for i in range(1, 4)]
    batch = build_claims(legs, [], policy)
    assert [c.member_id for c in batch.claims] == ["Z200001"]
    assert lines(batch) == [("A0120", ("TK",), 3), ("A0425", (), 10)]
    assert edits(batch) == {("shared-ride-billed-under-one-id", "S2"), ("shared-ride-billed-under-one-id", "S3")}


def test_same_group_id_on_another_date_is_another_vehicle_trip(policy):
    legs = [leg("S1", mode="mobility-ambulatory", shared_ride_group="G1"),
            leg("S2", member=member("Z200002"), mode="mobility-ambulatory", shared_ride_group="G1",
                date_of_service=DAY + dt.timedelta(days=1))]
    batch = build_claims(legs, [], policy)
    assert len(batch.claims) == 2 and edits(batch) == set()
    assert lines(batch) == [("A0120", ("TK",), 1), ("A0120", ("TK",), 1), ("A0425", (), 10), ("A0425", (), 10)]


def test_single_mobility_rider_is_one_unit(policy):
    assert ("A0120", ("TK",), 1) in lines(build_claims([leg(mode="mobility-ambulatory")], [], policy))


# --- Exclusions: each one, in order ---------------------------------------------------------------------------------
@pytest.mark.parametrize("change, code", [
    ({"status": "cancelled", "member_in_vehicle": False}, "not-billable-cancellation"),
    ({"status": "no-show", "member_in_vehicle": False}, "not-billable-no-show"),
    ({"member_in_vehicle": False}, "member-not-in-vehicle"),
    ({"mode": "taxi", "metered": True}, "metered-taxi-not-billable"),
])
def test_each_exclusion_gives_its_edit_and_no_lines(policy, change, code):
    batch = build_claims([leg(wait_minutes=10, escorts=(escort(),), **change)], [], policy)
    assert batch.claims == () and edits(batch) == {(code, "L1")}
    assert "Exclusions" in batch.edits[0].citation


def test_metered_flag_on_a_non_taxi_mode_is_billed(policy):
    assert lines(build_claims([leg(metered=True)], [], policy)) == [("A0130", (), 1), ("S0209", (), 10)]


def test_waiting_time_edit_keeps_the_lines(policy):
    batch = build_claims([leg(wait_minutes=1)], [], policy)
    assert edits(batch) == {("waiting-time-not-billable", "L1")} and len(lines(batch)) == 2
    assert edits(build_claims([leg(wait_minutes=0)], [], policy)) == set()


def test_zero_loaded_miles_gives_no_mileage_line(policy):
    assert lines(build_claims([leg(loaded_miles=0)], [], policy)) == [("A0130", (), 1)]


def test_air_and_rail_have_no_mileage_line_and_air_is_pos_42(policy):
    batch = build_claims([leg("F1", mode="air-ambulance", service_level="rotary-wing", loaded_miles=90),
                          leg("F2", mode="train", member=member("Z100002"), loaded_miles=300)], [], policy)
    assert {(c.member_id, c.place_of_service) for c in batch.claims} == {("Z100001", "42"), ("Z100002", "41")}
    assert lines(batch) == [("A0140", (), 1), ("A0431", (), 1)]


# --- Caregiver trips: Transportation for the Direct Benefit of Children Under 21, Billing Instructions ---------------
def test_caregiver_with_own_id_is_billed_under_it(policy):
    batch = build_claims([leg(transported_person=TransportedPerson("Parent", "Z999999"))], [], policy)
    assert [c.member_id for c in batch.claims] == ["Z999999"]


def test_caregiver_without_id_is_billed_under_the_child(policy):
    batch = build_claims([leg(transported_person=TransportedPerson("Parent", None))], [], policy)
    assert [c.member_id for c in batch.claims] == ["Z100001"]


# --- Meals/lodging: one unit per day each, per member or escort -----------------------------------------------------
def test_meals_lodging_unit_limit_per_person_per_day(policy):
    at_risk = member(at_risk_adult=True)  # an at-risk adult: the escort's meals are covered too
    entries = [
        entry("M1", member=at_risk), entry("M2", member=at_risk),  # member meals twice the same day -> over the limit
        entry("M3", member=at_risk, kind="lodging"),  # another kind: billed
        entry("M4", member=at_risk, person="escort", escort_name="Esc One"),
        entry("M5", member=at_risk, person="escort", escort_name="Esc Two"),
        entry("M6", member=at_risk, person="escort", escort_name="Esc One"),  # same escort again the same day
        entry("M7", member=at_risk, date_of_service=DAY + dt.timedelta(days=1)),  # next day: billed
        entry("M8", member=member("Z100002")),  # another member: billed
    ]
    batch = build_claims([], entries, policy)
    assert edits(batch) == {("ancillary-unit-limit", "M2"), ("ancillary-unit-limit", "M6")}
    assert lines(batch) == sorted([("A0190", (), 1), ("A0180", (), 1), ("A0210", (), 1), ("A0210", (), 1),
                                   ("A0190", (), 1), ("A0190", (), 1)])
    assert {c.place_of_service for c in batch.claims} == {"41"}


@pytest.mark.parametrize(("birth_date", "at_risk", "covered"), [
    (dt.date(1960, 1, 1), False, False),  # an adult who is not at risk: the escort's stay is not covered
    (dt.date(1960, 1, 1), True, True),  # an at-risk adult
    (DAY.replace(year=DAY.year - 18) + dt.timedelta(days=1), False, True),  # 17 on the date of service: a child
    (DAY.replace(year=DAY.year - 18), False, False),  # the 18th birthday: an adult
])
def test_escort_meals_and_lodging_only_for_a_child_or_an_at_risk_adult(policy, birth_date, at_risk, covered):
    who = member(birth_date=birth_date, at_risk_adult=at_risk)
    entries = [entry("E1", member=who, person="escort", escort_name="Esc One", kind="lodging"),
               entry("E2", member=who, person="escort", escort_name="Esc One", kind="meals"),
               entry("E3", member=who, kind="lodging")]  # the member's own lodging is covered either way
    batch = build_claims([], entries, policy)
    if covered:
        assert edits(batch) == set()
        assert lines(batch) == sorted([("A0200", (), 1), ("A0210", (), 1), ("A0180", (), 1)])
    else:
        assert edits(batch) == {("escort-ancillary-not-covered", "E1"), ("escort-ancillary-not-covered", "E2")}
        assert lines(batch) == [("A0180", (), 1)]
        assert all("child or an at-risk adult" in e.message for e in batch.edits)


def test_uncharged_escort_entry_is_reported_as_not_charged(policy):
    batch = build_claims([], [entry("E1", person="escort", escort_name="Esc One", charged=False)], policy)
    assert edits(batch) == {("meals-lodging-not-charged", "E1")}


def test_uncharged_entry_is_not_billed_and_does_not_use_the_unit(policy):
    batch = build_claims([], [entry("M1", charged=False), entry("M2")], policy)
    assert edits(batch) == {("meals-lodging-not-charged", "M1")}
    assert lines(batch) == [("A0190", (), 1)]


def test_meals_go_on_the_members_land_claim_with_the_trip(policy):
    batch = build_claims([leg()], [entry()], policy)
    assert len(batch.claims) == 1 and len(batch.claims[0].lines) == 3


def test_lines_never_span_dates(policy):
    batch = build_claims([leg(), leg("L2", date_of_service=DAY + dt.timedelta(days=3))], [entry()], policy)
    assert all(line.from_date == line.to_date == line.date_of_service for c in batch.claims for line in c.lines)


def test_every_edit_has_message_and_citation(policy):
    batch = build_claims([leg(status="cancelled"), leg("L2", wait_minutes=5)], [entry(charged=False)], policy)
    for edit in batch.edits:
        assert edit.message and edit.citation.startswith("Health First Colorado NEMT Billing Manual — ")


# --- Timely Filing (operational days from the policy) ---------------------------------------------------------------
def test_timely_filing_deadline(policy):
    from nemt.billing.claim_rules import timely_filing_deadline

    days = policy.get("timely_filing.days")
    assert timely_filing_deadline(DAY, policy) == DAY + dt.timedelta(days=days)
