"""The sentences of a decision are plain words (issue 16, "Messages"): distances and durations rounded as people say
them, no vocabulary code inside a sentence, the exceptions named, the one section of the mode in question cited,
the verification form's signature put where the manual puts it, and who arranges the ride with its reason. The codes
stay in the JSON (``reason_codes``); the acceptance contract checks those."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest

from nemt.domain.decisions import decide
from nemt.domain.decisions.words import duration, miles
from nemt.domain.rides import NEEDS, PLANS, CoverageSpan
from nemt.policy import load_policy
from tests.decisions.builders import EST, co_request, ct_request, with_destination, with_member, with_trip

CO, CT = load_policy("CO"), load_policy("CT")
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
MANUAL = "Health First Colorado NEMT Billing Manual — "


def _reason(decision, code):
    [reason] = [r for r in decision.reasons if r.code == code]
    return reason


def _no_codes(text: str) -> None:
    """No vocabulary code (a plan, a need, a hyphenated mode) inside a sentence."""
    for code in (*PLANS, *NEEDS, "wheelchair-van", "mobility-ambulatory", "air-ambulance", "hospital-discharge",
                 "critical-unplanned"):
        assert code not in text, f"{code!r} in {text!r}"
    assert not re.search(r"\d+\.\d{3,}", text), f"an unrounded number in {text!r}"


def test_numbers_are_rounded_as_people_say_them():
    assert miles(253.13741900547583) == "253 miles"
    assert miles(25.4, beyond=25) == "25.4 miles"  # not "25 miles, beyond the 25-mile radius"
    assert miles(3.04) == "3 miles" and miles(1.0) == "1 mile" and miles(12.5) == "12 miles"
    assert duration(dt.timedelta(hours=47, minutes=59, seconds=59)) == "47 h 59 min"
    assert duration(dt.timedelta(hours=48)) == "48 h" and duration(dt.timedelta(minutes=35)) == "35 min"


def test_a_far_destination_says_its_miles_in_words_and_names_every_exception():
    far = with_destination(co_request(), miles_from_home=253.13741900547583, closest_qualified_provider_miles=4.0)
    decision = decide(far, CO, NOW)
    message = _reason(decision, "not-closest-provider").message
    assert "253 miles from home" in message and "25-mile radius" in message
    assert "will not accept the member" in message and "complex medical conditions" in message
    assert "moved within the last three months" in message
    assert "no exception applies" not in message
    _no_codes(message)


def test_the_verification_form_is_the_nemt_drivers_or_providers_to_get_signed():
    far = with_trip(with_destination(co_request(), miles_from_home=40.0, closest_qualified_provider_miles=None))
    message = _reason(decide(far, CO, NOW), "verification-form-required").message
    assert "NEMT driver's or provider's job" in message
    assert "Drivers cannot require members to obtain the signatures".lower() in message.lower()
    assert "must be signed by the member's provider" not in message


def test_plans_and_needs_are_words_not_codes():
    lapsed = with_member(co_request(), coverage=(CoverageSpan("OAP-state-only", dt.date(2020, 1, 1), None),))
    decision = decide(lapsed, CO, NOW)
    assert "Health First Colorado (Medicaid State Plan)" in _reason(decision, "member-not-eligible").message
    assert "Old Age Pension state-only" in _reason(decision, "benefit-plan-excluded").message
    taxi = decide(with_trip(co_request(), requested_mode="wheelchair-van"), CO, NOW)
    message = _reason(taxi, "certification-required").message
    assert "wheelchair van ride" in message and "cannot use less costly modes of transportation" in message
    assert "confined to a wheelchair" in message
    for reason in (*decision.reasons, *taxi.reasons):
        _no_codes(reason.message)


@pytest.mark.parametrize(("mode", "section"), [("wheelchair-van", "Wheelchair Van"), ("taxi", "Taxicab"),
                                               ("train", "Train"), ("stretcher-van", "Stretcher Van")])
def test_certification_required_cites_the_section_of_the_mode_in_question(mode, section):
    decision = decide(with_trip(co_request(), requested_mode=mode), CO, NOW)
    assert _reason(decision, "certification-required").citation == MANUAL + section


def test_prior_authorization_cites_the_mode_or_the_out_of_state_section():
    air = with_member(with_trip(co_request(), requested_mode="air-ambulance"),
                      documented_needs={"cannot-use-less-costly-modes", "air-ambulance-required"})
    reason = _reason(decide(air, CO, NOW), "prior-authorization-required")
    assert reason.citation == MANUAL + "Air Ambulance" and reason.message.startswith("Air ambulance travel")
    away = with_destination(co_request(), state="NM", zip="87401", county="San Juan")
    reason = _reason(decide(away, CO, NOW), "prior-authorization-required")
    assert reason.citation == MANUAL + "Train, Air and Out-of-State Travel"
    assert reason.message.startswith("Out-of-state travel")


def test_a_late_connecticut_request_says_the_notice_needed_and_the_number_to_call():
    # Friday 10:01 to Tuesday 10:00: 47 h 59 min counted (acceptance README's example), Veyo's period.
    late = dt.datetime(2018, 1, 19, 10, 1, tzinfo=EST)
    request = with_trip(ct_request(), appointment_at=dt.datetime(2018, 1, 23, 10, 0, tzinfo=EST))
    decision = decide(replace(request, requested_at=late), CT, NOW)
    message = _reason(decision, "insufficient-notice").message
    assert "47 h 59 min" in message and "47.98" not in message
    assert "48 hours of notice (two full weekdays)" in message and "weekends and holidays" in message
    assert "call Veyo at 1-855-478-7350" in message
    # In December 2017 the number is LogistiCare's.
    december = with_trip(ct_request(), appointment_at=dt.datetime(2017, 12, 12, 10, 0, tzinfo=EST))
    december = replace(december, requested_at=dt.datetime(2017, 12, 11, 10, 0, tzinfo=EST))
    decision = decide(december, CT, NOW)
    assert "call LogistiCare at 1-888-248-9895" in _reason(decision, "insufficient-notice").message
    assert decision.arranged_by == "LogistiCare" and "1-888-248-9895" in decision.arranged_by_reason


def test_who_arranges_the_ride_comes_with_its_reason():
    denver = decide(co_request(), CO, NOW)
    assert denver.arranged_by == "sde" and "Denver County" in denver.arranged_by_reason
    assert "broker's counties" in denver.arranged_by_reason
    mesa = decide(with_member(co_request(), home=co_request().member.home.__class__(
        zip="81501", county="Mesa", state="CO")), CO, NOW)
    assert mesa.arranged_by == "provider" and "outside the broker's counties" in mesa.arranged_by_reason
    discharge = co_request(urgent_reason="hospital-discharge")
    discharge = replace(discharge, requested_by="medical-facility")
    facility = decide(discharge, CO, NOW)
    assert facility.arranged_by == "medical-facility" and "January 1, 2019" in facility.arranged_by_reason
    veyo = decide(ct_request(), CT, NOW)
    assert veyo.arranged_by == "Veyo" and "call Veyo at 1-855-478-7350" in veyo.arranged_by_reason
    assert decide(ct_request(), CT, NOW).as_dict()["arranged_by_reason"] == veyo.arranged_by_reason


def test_every_acceptance_message_is_free_of_codes_and_long_numbers(acceptance_dir):
    import json

    from nemt.contracts.decide import parse_ride_request

    for path in sorted((acceptance_dir / "decisions").glob("*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        request = parse_ride_request(json.dumps(case["input"]))
        decision = decide(request, load_policy(request.program), NOW)
        assert decision.arranged_by_reason, case["id"]
        for reason in decision.reasons:
            _no_codes(reason.message)
            assert "{" not in reason.message, (case["id"], reason.message)


def test_urgent_reason_in_words():
    urgent = dt.datetime(2018, 2, 7, 8, 0, tzinfo=EST)
    request = with_trip(ct_request(), urgent_reason="hospital-discharge")
    request = replace(request, requested_at=urgent - dt.timedelta(hours=1))
    request = with_trip(request, appointment_at=urgent)
    message = _reason(decide(request, CT, NOW), "urgent").message
    assert "(hospital discharge)" in message
