"""Properties of ``decide`` over generated requests (Hypothesis): the outcome follows the kinds of the reasons, the
mode follows the ladder, Connecticut gets only its own codes."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from nemt.domain.decisions import REASONS, decide
from nemt.domain.rides import (
    FACILITY_RESIDENCES,
    MODES,
    NEEDS,
    PASSENGER_REASONS,
    PASSENGER_RELATIONS,
    PLANS,
    PURPOSES,
    AdditionalPassenger,
    Caregiver,
    CoverageSpan,
    Escort,
)
from nemt.policy import load_policy

from .builders import co_request, ct_request, with_destination, with_member, with_trip

POLICIES = {"CO": load_policy("CO"), "CT": load_policy("CT")}
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CT_CODES = {"member-not-eligible", "other-transportation-available", "service-not-covered", "insufficient-notice",
            "urgent"}


@st.composite
def requests(draw):
    program = draw(st.sampled_from(["CO", "CT"]))
    request = co_request() if program == "CO" else ct_request()
    dos = request.trip.appointment_at.date()
    age_days = draw(st.integers(min_value=0, max_value=90 * 365))
    escorts = tuple(Escort("E", 40, "parent", draw(st.booleans())) for _ in range(draw(st.integers(0, 3))))
    passengers = tuple(
        AdditionalPassenger("P", draw(st.integers(0, 90)), draw(st.sampled_from(PASSENGER_RELATIONS)),
                            draw(st.sampled_from(PASSENGER_REASONS)))
        for _ in range(draw(st.integers(0, 2))))
    purpose = draw(st.sampled_from(PURPOSES))
    request = with_trip(
        request,
        purpose=purpose,
        requested_mode=draw(st.sampled_from(MODES)),
        escorts=escorts,
        additional_passengers=passengers,
        urgent_reason=draw(st.none() | st.sampled_from(("hospital-discharge", "critical-unplanned"))),
        unaccompanied_minor_release=draw(st.booleans()),
        overnight=draw(st.booleans()),
        recurring=draw(st.booleans()),
        school_funded_day_treatment=draw(st.booleans()),
        mail_order_available=draw(st.booleans()),
        facility_program_service=draw(st.booleans()),
        caregiver=Caregiver("C", "parent", None) if purpose == "caregiver-for-child" else None,
        verification_form_25mi_signed_on=draw(st.none() | st.just(dos - dt.timedelta(days=draw(st.integers(-5, 120))))),
    )
    request = with_destination(
        request,
        miles_from_home=draw(st.floats(min_value=0, max_value=600, allow_nan=False)),
        closest_qualified_provider_miles=draw(st.none() | st.floats(min_value=0, max_value=25)),
        closest_provider_accepts_member=draw(st.booleans()),
        service_covered=draw(st.booleans()),
        provider_enrolled=draw(st.booleans()),
        state=draw(st.sampled_from([program, "UT", "NY"])),
        border_town=draw(st.booleans()),
    )
    residence = draw(st.sampled_from(("home", *FACILITY_RESIDENCES)))
    return with_member(
        request,
        birth_date=dos - dt.timedelta(days=age_days),
        documented_needs=draw(st.frozensets(st.sampled_from(NEEDS))),
        coverage=tuple(CoverageSpan(p, dos - dt.timedelta(days=30), None)
                       for p in draw(st.lists(st.sampled_from(PLANS), max_size=2))),
        has_other_transportation=draw(st.booleans()),
        residence=residence,
        facility_has_vehicle=None if residence == "home" else draw(st.booleans()),
        at_risk_adult=draw(st.booleans()),
        moved_within_3_months=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(requests())
def test_decision_follows_its_reasons(request):
    policy = POLICIES[request.program]
    decision = decide(request, policy, NOW)
    codes = decision.reason_codes
    assert len(codes) == len(set(codes))
    kinds = {REASONS[c].kind for c in codes}
    assert all(r.kind == REASONS[r.code].kind for r in decision.reasons)
    expected = "denied" if "deny" in kinds else "pending" if "pending" in kinds else "approved"
    assert decision.outcome == expected
    assert (decision.mode is None) is (decision.outcome == "denied")
    requested = request.trip.requested_mode
    if request.program == "CT":
        assert set(codes) <= CT_CODES
        assert decision.arranged_by in {"LogistiCare", "Veyo"}
        assert decision.mode in (None, requested)
    else:
        assert decision.arranged_by in {"sde", "provider", "medical-facility"}
        if decision.mode is not None:
            needs = set(policy.mode(decision.mode)["needs"])
            supported = needs <= request.member.documented_needs
            assert supported or ("certification-required" in codes and decision.mode == requested)
            assert policy.mode(decision.mode)["rank"] <= policy.mode(requested)["rank"]
            assert ("mode-downgraded" in codes) is (decision.mode != requested)
