"""Unit tests of ``decide`` with plain values, around every boundary of the rules (acceptance README, "How a decision
is reached", the reason-code tables, the mode ladder, the 25-mile rule and the additional-passenger table)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from nemt.domain.decisions import REASONS, decide, select_mode
from nemt.domain.rides import AdditionalPassenger, Caregiver, CoverageSpan, Escort
from nemt.policy import load_policy
from tests.conftest import REPO

from .builders import (
    CO_APPOINTMENT,
    EST,
    MDT,
    aged,
    co_request,
    ct_request,
    policy_with,
    with_destination,
    with_member,
    with_trip,
)

CO = load_policy("CO")
CT = load_policy("CT")
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
BASE = "cannot-use-less-costly-modes"
PARENT = Escort(name="Test Escort", age=40, role="parent")


def run(request, policy=None):
    policy = policy or (CO if request.program == "CO" else CT)
    return decide(request, policy, NOW)


def codes(request, policy=None) -> set[str]:
    return set(run(request, policy).reason_codes)


# -- baseline and outcome ----------------------------------------------------------------------------------------


def test_baselines_are_approved_without_reasons():
    for request, arranger in ((co_request(), "sde"), (ct_request(), "Veyo")):
        decision = run(request)
        assert (decision.outcome, decision.mode, decision.arranged_by) == ("approved", "public-transit", arranger)
        assert decision.reason_codes == []


def test_every_rule_is_evaluated_after_a_denial():
    request = with_member(co_request(purpose="hcbs", requested_mode="taxi"), has_other_transportation=True)
    request = with_destination(request, service_covered=False, provider_enrolled=False)
    decision = run(request)
    assert decision.outcome == "denied" and decision.mode is None
    assert {"other-transportation-available", "service-not-covered", "provider-not-enrolled", "hcbs-use-nmt",
            "certification-required"} <= set(decision.reason_codes)
    assert len(decision.reason_codes) == len(set(decision.reason_codes))


def test_pending_keeps_the_mode_and_deny_wins_over_pending():
    pending = run(co_request(requested_mode="taxi"))
    assert (pending.outcome, pending.mode) == ("pending", "taxi")
    denied = run(with_member(co_request(requested_mode="taxi"), has_other_transportation=True))
    assert (denied.outcome, denied.mode) == ("denied", None)


def test_now_is_recorded_not_used():
    request = co_request()
    assert decide(request, CO, NOW).decided_at == NOW
    assert decide(request, CO, NOW).reason_codes == decide(request, CO, NOW + dt.timedelta(days=900)).reason_codes


def test_policy_of_another_program_is_refused():
    with pytest.raises(ValueError):
        decide(co_request(), CT, NOW)


# -- eligibility --------------------------------------------------------------------------------------------------

DOS = CO_APPOINTMENT.date()
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize("start, end, eligible", [
    (DOS, None, True),             # coverage starts on the date of service
    (DOS + DAY, None, False),      # starts the day after
    (DOS - 400 * DAY, DOS, True),  # ends on the date of service (inclusive)
    (DOS - 400 * DAY, DOS - DAY, False),  # ended the day before
])
def test_coverage_span_is_inclusive(start, end, eligible):
    request = with_member(co_request(), coverage=(CoverageSpan("medicaid-state-plan", start, end),))
    assert ("member-not-eligible" not in codes(request)) is eligible


def test_date_of_service_is_local_to_the_program():
    # 2025-03-13 05:00 UTC is still March 12 in Denver: coverage ending March 12 covers it.
    request = with_trip(co_request(), appointment_at=dt.datetime(2025, 3, 13, 5, 0, tzinfo=dt.UTC))
    request = with_member(request, coverage=(CoverageSpan("medicaid-state-plan", DOS - 9 * DAY, DOS),))
    assert "member-not-eligible" not in codes(request)
    assert run(request).date_of_service == DOS


@pytest.mark.parametrize("plans, expected, absent", [
    (["QMB-only"], {"member-not-eligible", "benefit-plan-excluded"}, set()),
    (["QMB-only", "medicaid-state-plan"], set(), {"member-not-eligible", "benefit-plan-excluded"}),
    (["CHP+"], {"member-not-eligible", "benefit-plan-excluded"}, set()),
    (["SLMB-only"], {"member-not-eligible", "benefit-plan-excluded"}, set()),
    (["QI-1"], {"member-not-eligible", "benefit-plan-excluded"}, set()),
    (["OAP-state-only"], {"member-not-eligible", "benefit-plan-excluded"}, set()),
    (["HUSKY"], {"member-not-eligible"}, {"benefit-plan-excluded"}),  # another program's plan
    ([], {"member-not-eligible"}, {"benefit-plan-excluded"}),
])
def test_benefit_plans(plans, expected, absent):
    spans = tuple(CoverageSpan(p, dt.date(2020, 1, 1), None) for p in plans)
    found = codes(with_member(co_request(), coverage=spans))
    assert expected <= found and not (absent & found)


def test_excluded_plan_outside_the_date_does_not_count():
    spans = (CoverageSpan("QMB-only", dt.date(2010, 1, 1), dt.date(2011, 1, 1)),)
    found = codes(with_member(co_request(), coverage=spans))
    assert "member-not-eligible" in found and "benefit-plan-excluded" not in found


# -- Colorado denials -----------------------------------------------------------------------------------------------


def test_simple_denials():
    assert "other-transportation-available" in codes(with_member(co_request(), has_other_transportation=True))
    assert "service-not-covered" in codes(with_destination(co_request(), service_covered=False))
    assert "provider-not-enrolled" in codes(with_destination(co_request(), provider_enrolled=False))
    assert "hcbs-use-nmt" in codes(co_request(purpose="hcbs"))


def test_pharmacy_mail_order():
    assert "pharmacy-mail-order-available" in codes(co_request(purpose="pharmacy-prescription",
                                                               mail_order_available=True))
    assert run(co_request(purpose="pharmacy-prescription", mail_order_available=False)).outcome == "approved"
    assert run(co_request(purpose="pharmacy-other", mail_order_available=True)).outcome == "approved"


@pytest.mark.parametrize("residence, program_service, has_vehicle, denied", [
    ("nursing-facility", True, True, True),
    ("group-home", True, True, True),
    ("nursing-facility", True, False, False),   # "unless the facility does not have an available vehicle"
    ("nursing-facility", False, True, False),   # not a service of the facility's program
    ("home", True, None, False),
])
def test_facility_transport_responsibility(residence, program_service, has_vehicle, denied):
    request = with_member(co_request(facility_program_service=program_service), residence=residence,
                          facility_has_vehicle=has_vehicle)
    assert ("facility-transport-responsibility" in codes(request)) is denied


@pytest.mark.parametrize("school_funded, iep, denied",
                         [(True, False, True), (True, True, False), (False, False, False)])
def test_school_funded_day_treatment(school_funded, iep, denied):
    request = co_request(purpose="day-treatment", school_funded_day_treatment=school_funded,
                         iep_specialized_transportation=iep)
    assert ("school-funded-day-treatment" in codes(request)) is denied


# -- 25-mile rule ---------------------------------------------------------------------------------------------------


def far(miles, closest=10.0, accepts=True, **trip):
    return with_destination(co_request(**trip), miles_from_home=miles, closest_qualified_provider_miles=closest,
                            closest_provider_accepts_member=accepts)


def test_exactly_25_miles_is_inside_the_radius():
    decision = run(far(25.0))
    assert decision.outcome == "approved"
    assert not {"not-closest-provider", "closest-provider-exception", "verification-form-required"} & set(
        decision.reason_codes)


def test_just_over_25_miles_is_outside():
    decision = run(far(25.01))
    assert decision.outcome == "denied"
    assert {"not-closest-provider", "verification-form-required"} <= set(decision.reason_codes)


def test_no_qualified_provider_within_25_miles_allows_the_nearest():
    found = codes(far(80.0, closest=None))
    assert not {"not-closest-provider", "closest-provider-exception"} & found
    assert "verification-form-required" in found


@pytest.mark.parametrize("change", [
    lambda r: with_destination(r, closest_provider_accepts_member=False),
    lambda r: with_member(r, documented_needs={"complex-medical-condition"}),
    lambda r: with_destination(with_member(r, moved_within_3_months=True), established_provider_previous_locale=True),
])
def test_closest_provider_exceptions(change):
    decision = run(change(far(40.0)))
    assert "closest-provider-exception" in decision.reason_codes
    assert "not-closest-provider" not in decision.reason_codes
    assert decision.outcome == "approved"


def test_a_move_without_the_established_provider_is_no_exception():
    assert "not-closest-provider" in codes(with_member(far(40.0), moved_within_3_months=True))


@pytest.mark.parametrize("days_before, recurring, code", [
    (0, True, "verification-form-on-file"),
    (90, True, "verification-form-on-file"),
    (91, True, "verification-form-required"),
    (10, False, "verification-form-required"),   # the 90-day validity is for recurring appointments
    (-1, True, "verification-form-required"),    # signed after the date of service
])
def test_verification_form_validity(days_before, recurring, code):
    request = far(30.0, closest=None, recurring=recurring,
                  verification_form_25mi_signed_on=DOS - dt.timedelta(days=days_before))
    decision = run(request)
    assert code in decision.reason_codes
    assert decision.outcome == "approved"  # the form never holds the ride


@pytest.mark.parametrize("day, expected", [(dt.date(2024, 4, 30), False), (dt.date(2024, 5, 1), True)])
def test_verification_form_effective_date(day, expected):
    request = far(30.0, closest=None, appointment_at=dt.datetime.combine(day, dt.time(10), tzinfo=MDT))
    assert ("verification-form-required" in codes(request)) is expected


# -- out of state ---------------------------------------------------------------------------------------------------


def test_out_of_state_needs_prior_authorization_unless_border_town():
    out = with_destination(co_request(), state="UT")
    decision = run(out)
    assert decision.outcome == "pending"
    assert {"out-of-state", "prior-authorization-required"} <= set(decision.reason_codes)
    border = run(with_destination(out, border_town=True))
    assert border.outcome == "approved" and not {"out-of-state", "prior-authorization-required"} & set(
        border.reason_codes)


# -- mode ladder ----------------------------------------------------------------------------------------------------

LADDER = [
    # requested, needs, mode, outcome, codes that must appear
    ("public-transit", set(), "public-transit", "approved", set()),
    ("personal-vehicle-mileage", set(), "personal-vehicle-mileage", "approved", set()),
    ("taxi", set(), "taxi", "pending", {"certification-required"}),
    ("taxi", {BASE}, "taxi", "approved", set()),
    ("mobility-ambulatory", set(), "mobility-ambulatory", "pending", {"certification-required"}),
    ("mobility-ambulatory", {BASE}, "mobility-ambulatory", "approved", set()),
    ("wheelchair-van", {BASE, "wheelchair-confined"}, "wheelchair-van", "approved", set()),
    ("wheelchair-van", {BASE}, "mobility-ambulatory", "approved", {"mode-downgraded"}),
    ("wheelchair-van", {"wheelchair-confined"}, "wheelchair-van", "pending", {"certification-required"}),
    ("stretcher-van", {BASE, "prone-or-supine"}, "stretcher-van", "approved", set()),
    ("stretcher-van", {BASE, "wheelchair-confined"}, "wheelchair-van", "approved", {"mode-downgraded"}),
    ("stretcher-van", {BASE}, "mobility-ambulatory", "approved", {"mode-downgraded"}),
    ("ground-ambulance", {BASE, "ambulance-required"}, "ground-ambulance", "approved", set()),
    ("ground-ambulance", {BASE, "prone-or-supine"}, "stretcher-van", "approved", {"mode-downgraded"}),
    ("ground-ambulance", {BASE, "wheelchair-confined"}, "wheelchair-van", "approved", {"mode-downgraded"}),
    ("ground-ambulance", {BASE}, "mobility-ambulatory", "approved", {"mode-downgraded"}),
    ("ground-ambulance", {"ambulance-required"}, "ground-ambulance", "pending", {"certification-required"}),
    ("air-ambulance", {BASE, "air-ambulance-required"}, "air-ambulance", "pending", {"prior-authorization-required"}),
    ("air-ambulance", {BASE}, "air-ambulance", "pending", {"certification-required"}),
    ("air-ambulance", {"air-ambulance-required"}, "air-ambulance", "pending", {"certification-required"}),
    ("commercial-air", {BASE, "commercial-air-required"}, "commercial-air", "pending",
     {"prior-authorization-required"}),
    ("commercial-air", {BASE}, "commercial-air", "pending", {"certification-required"}),
    ("train", {BASE, "train-required"}, "train", "pending", {"prior-authorization-required"}),
    ("train", {BASE, "air-ambulance-required"}, "train", "pending", {"certification-required"}),
]


@pytest.mark.parametrize("requested, needs, mode, outcome, expected", LADDER)
def test_colorado_mode_ladder(requested, needs, mode, outcome, expected):
    decision = run(with_member(co_request(requested_mode=requested), documented_needs=needs))
    assert (decision.mode, decision.outcome) == (mode, outcome)
    assert expected <= set(decision.reason_codes)
    assert ("mode-downgraded" in decision.reason_codes) is (mode != requested)
    if "certification-required" in expected:
        assert "prior-authorization-required" not in decision.reason_codes


def test_mode_ladder_reads_the_policy():
    # Without wheelchair-van's downgrade in the policy, the missing certification holds the ride instead.
    policy = policy_with("CO", "modes.wheelchair-van.downgrade_to", None)
    choice = select_mode("wheelchair-van", {BASE}, policy)
    assert choice.mode == "wheelchair-van" and [f.code for f in choice.findings] == ["certification-required"]


# -- escorts, minors, passengers --------------------------------------------------------------------------------------


def test_under_13_without_escort_is_denied_even_with_a_release():
    request = aged(co_request(unaccompanied_minor_release=True), 13, days_short=1)  # still 12
    assert run(request).outcome == "denied" and "escort-required" in codes(request)


def test_13th_birthday_counts_as_13():
    request = aged(co_request(unaccompanied_minor_release=True), 13)
    decision = run(request)
    assert decision.outcome == "approved" and "escort-required" not in decision.reason_codes


def test_13_without_release_waits_for_it():
    decision = run(aged(co_request(), 13))
    assert decision.outcome == "pending" and "minor-release-required" in decision.reason_codes


@pytest.mark.parametrize("years, days_short, pending", [(18, 1, True), (18, 0, False)])
def test_17_needs_a_release_18_does_not(years, days_short, pending):
    decision = run(aged(co_request(), years, days_short))
    assert ("minor-release-required" in decision.reason_codes) is pending


def test_day_treatment_child_under_13_may_travel_with_a_release():
    request = aged(co_request(purpose="day-treatment", unaccompanied_minor_release=True), 9)
    assert "escort-required" not in codes(request)
    assert "escort-required" in codes(aged(co_request(purpose="day-treatment"), 9))


def test_child_with_escort():
    request = aged(with_member(co_request(escorts=(PARENT,)), documented_needs={"escort-required"}), 8)
    decision = run(request)
    assert decision.outcome == "approved"
    assert "escort-approved" in decision.reason_codes and "escort-required" not in decision.reason_codes


@pytest.mark.parametrize("years, days_short, at_risk, certified, approved", [
    (18, 1, False, True, True),   # 17: a child
    (18, 0, False, True, False),  # 18 and not at risk
    (30, 0, True, True, True),    # at-risk adult
    (10, 0, False, False, False),  # no written certification
])
def test_escort_coverage(years, days_short, at_risk, certified, approved):
    request = with_member(co_request(escorts=(PARENT,)), at_risk_adult=at_risk,
                          documented_needs={"escort-required"} if certified else set())
    decision = run(aged(request, years, days_short))
    assert ("escort-approved" in decision.reason_codes) is approved
    assert ("escort-not-covered" in decision.reason_codes) is (not approved)
    assert decision.outcome == "approved"  # an uncovered escort does not affect the ride


@pytest.mark.parametrize("needs, second_approved", [
    ({"escort-required", "second-escort"}, True),
    ({"escort-required"}, False),
    ({"second-escort"}, False),
])
def test_second_escort(needs, second_approved):
    request = aged(with_member(co_request(escorts=(PARENT, PARENT)), documented_needs=needs), 10)
    found = codes(request)
    assert ("second-escort-approved" in found) is second_approved
    assert ("second-escort-not-covered" in found) is (not second_approved)


def test_escort_return_trip_for_residential_treatment():
    returning = Escort(name="Test Escort", age=40, role="parent", returns_without_member=True)
    base = aged(with_member(co_request(purpose="residential-treatment", escorts=(returning,)),
                            documented_needs={"escort-required"}), 15)
    assert "escort-return-trip" in codes(base)
    assert "escort-return-trip" not in codes(with_trip(base, escorts=(PARENT,)))
    assert "escort-return-trip" not in codes(with_trip(base, purpose="medical"))
    assert "escort-return-trip" not in codes(with_member(base, documented_needs=set()))


def test_overnight_meals_and_lodging():
    child = aged(with_member(co_request(overnight=True, escorts=(PARENT,)), documented_needs={"escort-required"}), 8)
    assert {"ancillary-meals-lodging", "escort-meals-lodging"} <= codes(child)
    adult = co_request(overnight=True, escorts=(PARENT,))
    found = codes(adult)
    assert "ancillary-meals-lodging" in found and "escort-meals-lodging" not in found
    assert not {"ancillary-meals-lodging", "escort-meals-lodging"} & codes(co_request())


@pytest.mark.parametrize("relation, reason, age, with_escort, allowed", [
    ("member-child", "no-childcare", 4, False, True),
    ("member-child", "other", 4, False, False),
    ("member-at-risk-adult", "no-at-risk-adult-care", 18, False, True),
    ("member-at-risk-adult", "no-at-risk-adult-care", 17, False, False),
    ("member-sibling", "no-childcare", 6, True, True),
    ("member-sibling", "no-childcare", 6, False, False),
    ("escort-child", "no-childcare", 3, True, True),
    ("escort-child", "no-childcare", 3, False, False),
    ("escort-at-risk-adult", "no-at-risk-adult-care", 50, True, True),
    ("escort-at-risk-adult", "no-at-risk-adult-care", 50, False, False),
    ("escort-at-risk-adult", "no-at-risk-adult-care", 17, True, False),
    ("other", "no-childcare", 30, True, False),
])
def test_additional_passengers(relation, reason, age, with_escort, allowed):
    passenger = AdditionalPassenger(name="Test Passenger", age=age, relation=relation, reason=reason)
    request = co_request(additional_passengers=(passenger,), escorts=(PARENT,) if with_escort else ())
    found = codes(request)
    assert ("additional-passenger-allowed" in found) is allowed
    assert ("additional-passenger-not-covered" in found) is (not allowed)
    assert run(request).outcome == "approved"


def test_mixed_passengers_give_both_codes():
    ok = AdditionalPassenger(name="A", age=4, relation="member-child", reason="no-childcare")
    no = AdditionalPassenger(name="B", age=30, relation="other", reason="other")
    assert {"additional-passenger-allowed", "additional-passenger-not-covered"} <= codes(
        co_request(additional_passengers=(ok, no)))


# -- caregiver trips --------------------------------------------------------------------------------------------------

CAREGIVER = Caregiver(name="Test Parent", role="parent", medicaid_id=None)


def caregiver_trip(years, days_short=0, ordered=True):
    request = co_request(purpose="caregiver-for-child", caregiver=CAREGIVER)
    request = with_member(request, documented_needs={"caregiver-participation-ordered"} if ordered else set())
    return aged(request, years, days_short)


def test_caregiver_trip_age_20_is_covered():
    decision = run(caregiver_trip(21, days_short=1))
    assert decision.outcome == "approved" and "caregiver-trip-for-child" in decision.reason_codes


def test_caregiver_trip_age_21_is_denied():
    decision = run(caregiver_trip(21))
    assert decision.outcome == "denied" and "caregiver-trip-not-covered" in decision.reason_codes


def test_caregiver_trip_without_order_waits():
    decision = run(caregiver_trip(1, ordered=False))
    assert decision.outcome == "pending" and "caregiver-order-required" in decision.reason_codes


def test_caregiver_trip_skips_the_childs_travel_rules():
    # An infant alone would need an escort; on a caregiver trip the child does not travel.
    passenger = AdditionalPassenger(name="P", age=30, relation="other", reason="other")
    request = with_trip(caregiver_trip(0), overnight=True, additional_passengers=(passenger,))
    found = codes(request)
    assert not {"escort-required", "minor-release-required", "ancillary-meals-lodging",
                "additional-passenger-not-covered"} & found
    assert run(request).outcome == "approved"


def test_caregiver_rules_do_not_apply_to_other_purposes():
    assert not {"caregiver-trip-for-child", "caregiver-order-required", "caregiver-trip-not-covered"} & codes(
        co_request())


# -- urgent and who arranges ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes, urgent", [(60, False), (61, True)])
def test_missed_pickup_becomes_urgent_after_60_minutes(minutes, urgent):
    request = co_request(urgent_reason="missed-pickup-over-1-hour")
    request = with_trip(request, missed_pickup_scheduled_at=request.requested_at - dt.timedelta(minutes=minutes))
    request = replace(request, requested_by="medical-facility")
    decision = run(request)
    assert ("urgent" in decision.reason_codes) is urgent
    assert decision.arranged_by == ("medical-facility" if urgent else "sde")


@pytest.mark.parametrize("reason", ["hospital-discharge", "critical-unplanned"])
def test_urgent_reasons(reason):
    assert "urgent" in codes(co_request(urgent_reason=reason))


@pytest.mark.parametrize("appointment, arranger", [
    (dt.datetime(2018, 12, 31, 15, 0, tzinfo=MDT), "provider"),
    (dt.datetime(2019, 1, 1, 5, 0, tzinfo=dt.UTC), "provider"),  # still December 31 in Denver
    (dt.datetime(2019, 1, 1, 9, 0, tzinfo=MDT), "medical-facility"),
])
def test_facility_booking_starts_2019_01_01(appointment, arranger):
    request = co_request(urgent_reason="hospital-discharge", appointment_at=appointment)
    request = replace(with_member(request, home=replace(request.member.home, county="Pueblo"),
                                  coverage=(CoverageSpan("medicaid-state-plan", dt.date(2015, 1, 1), None),)),
                      requested_by="medical-facility", requested_at=appointment - dt.timedelta(hours=2))
    assert run(request).arranged_by == arranger


def test_facility_arranges_only_its_own_urgent_requests():
    request = co_request(urgent_reason="hospital-discharge")
    assert run(request).arranged_by == "sde"  # asked by the member
    assert run(replace(co_request(), requested_by="medical-facility")).arranged_by == "sde"  # not urgent


@pytest.mark.parametrize("county, arranger", [
    ("Denver", "sde"), ("Broomfield", "sde"), ("Weld", "sde"), ("El Paso", "provider"), ("Montezuma", "provider"),
])
def test_arranged_by_home_county(county, arranger):
    request = co_request()
    request = with_member(request, home=replace(request.member.home, county=county))
    assert run(request).arranged_by == arranger
    denied = with_member(request, has_other_transportation=True)
    assert run(denied).arranged_by == arranger  # set for denials too


# -- Connecticut ------------------------------------------------------------------------------------------------------


def test_connecticut_applies_only_its_own_rules():
    request = ct_request(requested_mode="wheelchair-van", purpose="hcbs", escorts=(), overnight=True)
    request = with_destination(request, provider_enrolled=False, miles_from_home=38.0,
                               closest_qualified_provider_miles=4.0, state="MA")
    request = aged(request, 9)
    decision = run(request)
    assert (decision.outcome, decision.mode, decision.arranged_by) == ("approved", "wheelchair-van", "Veyo")
    assert decision.reason_codes == []


def test_connecticut_denials():
    assert "member-not-eligible" in codes(with_member(ct_request(), coverage=(
        CoverageSpan("medicaid-state-plan", dt.date(2010, 1, 1), None),)))
    assert "other-transportation-available" in codes(with_member(ct_request(), has_other_transportation=True))
    assert "service-not-covered" in codes(with_destination(ct_request(), service_covered=False))


def ct_timed(requested_at, appointment_at, urgent_reason=None):
    return replace(ct_request(appointment_at=appointment_at, urgent_reason=urgent_reason), requested_at=requested_at)


@pytest.mark.parametrize("requested_at, appointment_at, enough", [
    # across a weekend: Friday 14 h + Monday 24 h + Tuesday 10 h
    (dt.datetime(2018, 1, 19, 10, 0, tzinfo=EST), dt.datetime(2018, 1, 23, 10, 0, tzinfo=EST), True),
    (dt.datetime(2018, 1, 19, 10, 1, tzinfo=EST), dt.datetime(2018, 1, 23, 10, 0, tzinfo=EST), False),
    # across a weekend and Martin Luther King Jr. Day (Monday 2018-01-15)
    (dt.datetime(2018, 1, 12, 10, 0, tzinfo=EST), dt.datetime(2018, 1, 17, 10, 0, tzinfo=EST), True),
    (dt.datetime(2018, 1, 12, 10, 1, tzinfo=EST), dt.datetime(2018, 1, 17, 10, 0, tzinfo=EST), False),
    # across Good Friday (2018-03-30) and the weekend
    (dt.datetime(2018, 3, 29, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
     dt.datetime(2018, 4, 3, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4))), True),
    (dt.datetime(2018, 3, 29, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
     dt.datetime(2018, 4, 3, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4))), False),
])
def test_connecticut_48_counted_hours(requested_at, appointment_at, enough):
    decision = run(ct_timed(requested_at, appointment_at))
    assert ("insufficient-notice" not in decision.reason_codes) is enough
    assert decision.outcome == ("approved" if enough else "denied")


REQUEST_TUESDAY = dt.datetime(2018, 3, 6, 8, 15, tzinfo=EST)


@pytest.mark.parametrize("appointment_at, urgent", [
    (dt.datetime(2018, 3, 6, 13, 30, tzinfo=EST), True),   # same day
    (dt.datetime(2018, 3, 7, 23, 0, tzinfo=EST), True),    # next day
    (dt.datetime(2018, 3, 8, 8, 0, tzinfo=EST), False),    # two days later, 47 h 45 min counted
])
def test_connecticut_urgent_same_or_next_day(appointment_at, urgent):
    decision = run(ct_timed(REQUEST_TUESDAY, appointment_at, "critical-unplanned"))
    assert ("urgent" in decision.reason_codes) is urgent
    assert ("insufficient-notice" in decision.reason_codes) is (not urgent)


def test_connecticut_calendar_days_are_new_york_days():
    # 04:30 UTC on March 7 is 23:30 on March 6 in New York: an appointment on March 7 is the next day.
    requested = dt.datetime(2018, 3, 7, 4, 30, tzinfo=dt.UTC)
    decision = run(ct_timed(requested, dt.datetime(2018, 3, 7, 23, 0, tzinfo=EST), "hospital-discharge"))
    assert "urgent" in decision.reason_codes
    late = run(ct_timed(requested, dt.datetime(2018, 3, 8, 9, 0, tzinfo=EST), "hospital-discharge"))
    assert "insufficient-notice" in late.reason_codes


def test_connecticut_short_notice_without_urgent_reason_is_denied():
    decision = run(ct_timed(REQUEST_TUESDAY, dt.datetime(2018, 3, 6, 13, 30, tzinfo=EST)))
    assert decision.outcome == "denied" and "insufficient-notice" in decision.reason_codes


def test_connecticut_urgent_is_not_reported_with_enough_notice():
    decision = run(ct_timed(dt.datetime(2018, 3, 1, 8, 0, tzinfo=EST), dt.datetime(2018, 3, 6, 8, 0, tzinfo=EST),
                            "critical-unplanned"))
    assert decision.reason_codes == []


@pytest.mark.parametrize("appointment_at, broker", [
    (dt.datetime(2017, 12, 31, 10, 0, tzinfo=EST), "LogistiCare"),
    (dt.datetime(2018, 1, 1, 4, 0, tzinfo=dt.UTC), "LogistiCare"),  # 23:00 on December 31 in New York
    (dt.datetime(2018, 1, 1, 9, 0, tzinfo=EST), "Veyo"),
    (dt.datetime(2020, 12, 31, 9, 0, tzinfo=EST), "Veyo"),
])
def test_connecticut_broker_by_appointment_date(appointment_at, broker):
    request = ct_timed(dt.datetime(2017, 12, 1, 9, 0, tzinfo=EST), appointment_at)
    assert run(request).arranged_by == broker


# -- rules read the policy --------------------------------------------------------------------------------------------


def test_thresholds_come_from_the_policy():
    assert "not-closest-provider" in codes(far(26.0))
    assert "not-closest-provider" not in codes(far(26.0), policy_with("CO", "distance.radius_miles", 30))
    assert "minor-release-required" in codes(aged(co_request(), 13))
    assert "escort-required" in codes(aged(co_request(), 13), policy_with("CO", "escort.unaccompanied_min_age", 14))
    assert "caregiver-trip-not-covered" in codes(caregiver_trip(20), policy_with("CO", "caregiver.max_child_age", 19))
    short = ct_timed(dt.datetime(2018, 1, 19, 10, 1, tzinfo=EST), dt.datetime(2018, 1, 23, 10, 0, tzinfo=EST))
    assert "insufficient-notice" not in codes(short, policy_with("CT", "notice.required_hours", 24))
    pueblo = policy_with("CO", "administration.broker_counties", ["Pueblo"])
    assert run(co_request(), pueblo).arranged_by == "provider"


# -- the reason table -------------------------------------------------------------------------------------------------


def test_reason_table_covers_the_33_codes():
    assert len(REASONS) == 33
    assert {spec.kind for spec in REASONS.values()} == {"deny", "pending", "info"}
    ct_codes = {code for code, spec in REASONS.items() if "CT" in spec.sections}
    assert ct_codes == {"member-not-eligible", "other-transportation-available", "service-not-covered",
                        "insufficient-notice", "urgent"}
    assert all("CO" in spec.sections for code, spec in REASONS.items() if code != "insufficient-notice")


def test_colorado_sections_are_headings_of_the_manual():
    manual = (REPO / "docs" / "sources" / "colorado-nemt-billing-manual.txt").read_text(encoding="utf-8")
    headings = {line.strip() for line in manual.splitlines()}
    for code, spec in REASONS.items():
        for section in spec.sections.get("CO", ()):
            for part in section.split(": "):  # "Ancillary Services: Escort" is a heading and its subheading
                assert part in headings, f"{code}: {part!r} is not a heading of the manual"


def test_reasons_carry_citations_and_no_member_data():
    request = aged(with_member(co_request(requested_mode="taxi", overnight=True, escorts=(PARENT, PARENT),
                                          urgent_reason="critical-unplanned"),
                               has_other_transportation=True, documented_needs={"escort-required"}), 9)
    request = with_destination(request, miles_from_home=40.0, closest_qualified_provider_miles=3.0, state="NM")
    decision = run(request)
    assert len(decision.reasons) >= 8
    for reason in decision.reasons:
        assert reason.citation.startswith("Health First Colorado NEMT Billing Manual — ")
        assert reason.kind == REASONS[reason.code].kind
        assert reason.message and "{" not in reason.message
        for secret in (request.member.name, request.member.medicaid_id, request.member.birth_date.isoformat()):
            assert secret not in reason.message
