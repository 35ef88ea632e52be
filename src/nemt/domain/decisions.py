"""Ride-request decisions: ``decide(request, policy, now) -> Decision``.

A pure function of its arguments: no I/O, no clock (``now`` is passed in and only recorded on the decision; every
rule measures time from ``request.requested_at``, the moment the member, representative or facility asked). The
member is part of the request (``request.member``).

How a decision is reached (acceptance README, "How a decision is reached"):

1. Times are read in the program's zone (``policy.time_zone``); the date of service is the local date of the
   appointment; ages are whole years on that date.
2. Every rule of the program is evaluated; each returns the reason codes whose condition holds. Nothing stops at
   the first denial.
3. Outcome: ``denied`` if any reason is of kind *deny*, else ``pending`` if any is *pending*, else ``approved``.
4. Mode: the least costly mode the member's written certifications support (the mode ladder, read from the policy's
   ``modes`` tables); ``None`` when denied.
5. Arranged by: Colorado by home county (or the medical facility for its urgent trips from 2019-01-01); Connecticut
   by the broker whose contract covers the appointment date.

Every reason code is described once, in ``REASONS``: its kind, the section(s) of the source document it rests on,
and a plain-words message for a call-center agent. Thresholds, dates and lists come from the policy files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nemt.domain.dates import age_on, local_date
from nemt.domain.notice import counted_notice, holiday_calendar, same_or_next_days
from nemt.domain.rides import FACILITY_RESIDENCES, Destination, Member, RideRequest, Trip
from nemt.policy import Policy

__all__ = [
    "APPROVED", "DENIED", "PENDING", "DENY", "HOLD", "INFO", "REASONS", "Decision", "Reason", "ReasonSpec",
    "decide", "select_mode", "ModeChoice",
]

# Outcomes and reason kinds.
APPROVED, DENIED, PENDING = "approved", "denied", "pending"
DENY, HOLD, INFO = "deny", "pending", "info"


# -- the reason-code table ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReasonSpec:
    """What a reason code means: its kind, the document sections by program, and the agent's message.

    ``message`` may name values in braces (``{radius}``); the rule that finds the code supplies them. Messages never
    carry member data (name, ID, birth date).
    """

    kind: str
    sections: Mapping[str, tuple[str, ...]]
    message: str


_CT_OVERVIEW = ("overview",)
_CT_CONTRACT = ("NEMT Contract (updated December 7, 2017)",)

REASONS: dict[str, ReasonSpec] = {
    # ---- denials
    "member-not-eligible": ReasonSpec(
        DENY, {"CO": ("Member Eligibility",), "CT": _CT_OVERVIEW},
        "The member has no {covering} coverage on the date of service ({date_of_service}), so NEMT cannot be provided.",
    ),
    "benefit-plan-excluded": ReasonSpec(
        DENY, {"CO": ("Member Eligibility",)},
        "The member's only coverage on the date of service is {plans}, a benefit plan that does not include NEMT.",
    ),
    "other-transportation-available": ReasonSpec(
        DENY, {"CO": ("Member Eligibility", "Benefit Overview", "Exclusions"), "CT": _CT_OVERVIEW},
        "The member has another means of transportation (free transportation, PACE, or transportation covered by "
        "another entity such as the VA or a school); NEMT is only for members with no other means.",
    ),
    "service-not-covered": ReasonSpec(
        DENY,
        {"CO": ("Benefit Overview", "Covered Benefits and Limitations", "Exclusions", "Urgent NEMT"),
         "CT": _CT_OVERVIEW},
        "The service at the destination is not a Medicaid-covered service; NEMT only goes to covered services.",
    ),
    "provider-not-enrolled": ReasonSpec(
        DENY, {"CO": ("Benefit Overview", "Covered Benefits and Limitations")},
        "The destination provider is not enrolled with Health First Colorado to deliver this service.",
    ),
    "hcbs-use-nmt": ReasonSpec(
        DENY, {"CO": ("Benefit Overview",)},
        "Rides to Home and Community Based Services are provided through Non-Medical Transportation (NMT), not NEMT.",
    ),
    "pharmacy-mail-order-available": ReasonSpec(
        DENY, {"CO": ("Trips to Pharmacies",)},
        "Prescription pickups are covered only when mail order is not available; mail order is available here.",
    ),
    "facility-transport-responsibility": ReasonSpec(
        DENY, {"CO": ("Exclusions",)},
        "The member lives in a nursing facility or group home, the service is part of the facility's program and the "
        "facility has a vehicle available: the facility provides this ride.",
    ),
    "school-funded-day-treatment": ReasonSpec(
        DENY, {"CO": ("Ancillary Services: Escort",)},
        "Rides to a school-funded day treatment program are not covered unless the child's IEP specifies "
        "specialized transportation.",
    ),
    "not-closest-provider": ReasonSpec(
        DENY, {"CO": ("25 Mile or Longer Trips",)},
        "The destination is {miles} miles from home, beyond the {radius}-mile radius, while a qualified provider "
        "within {radius} miles accepts the member, and no exception applies: NEMT goes to the closest qualified "
        "provider.",
    ),
    "escort-required": ReasonSpec(
        DENY, {"CO": ("Ancillary Services: Escort",)},
        "The member is under {min_age} and may not travel without an escort; add an escort to the ride.",
    ),
    "caregiver-trip-not-covered": ReasonSpec(
        DENY, {"CO": ("Transportation for the Direct Benefit of Children Under 21",)},
        "Caregiver trips are covered only for a child member aged {max_age} or younger; this member is older.",
    ),
    "insufficient-notice": ReasonSpec(
        DENY, {"CT": _CT_CONTRACT},
        "The ride was requested {hours} hours ahead (weekends and holidays not counted); at least {required} hours "
        "are required unless the need is urgent and the appointment is the same or the next day.",
    ),
    # ---- pending
    "prior-authorization-required": ReasonSpec(
        HOLD,
        {"CO": ("Train, Air and Out-of-State Travel", "Ground Ambulance", "Air Ambulance", "Commercial Air", "Train")},
        "Train, air and out-of-state travel must be prior authorized by the Department; the SDE submits the request "
        "and the ride waits for the Department's decision.",
    ),
    "certification-required": ReasonSpec(
        HOLD,
        {"CO": ("Mobility/Ambulatory Vehicles", "Taxicab", "Wheelchair Van", "Stretcher Van", "Ground Ambulance",
                "Air Ambulance", "Commercial Air", "Train")},
        "The {mode} ride needs the medical professional's written certification ({missing}); the ride waits until it "
        "is on file.",
    ),
    "minor-release-required": ReasonSpec(
        HOLD, {"CO": ("Ancillary Services: Escort",)},
        "A minor aged {min_age} to {max_age} may travel alone only with a written release from a parent or guardian "
        "(an adult receives the minor at both ends); the ride waits for the release or an escort.",
    ),
    "caregiver-order-required": ReasonSpec(
        HOLD, {"CO": ("Transportation for the Direct Benefit of Children Under 21",)},
        "A caregiver trip needs the treating provider's signed and dated order for the caregiver's participation; "
        "the ride waits until it is on file.",
    ),
    # ---- information
    "out-of-state": ReasonSpec(
        INFO, {"CO": ("Train, Air and Out-of-State Travel",)},
        "The destination is out of state and not a listed border town.",
    ),
    "mode-downgraded": ReasonSpec(
        INFO, {"CO": ("Payment for Covered Services", "Wheelchair Van", "Stretcher Van", "Ground Ambulance")},
        "The certifications on file support {mode}, the least costly suitable mode, not the requested {requested}.",
    ),
    "closest-provider-exception": ReasonSpec(
        INFO, {"CO": ("25 Mile or Longer Trips",)},
        "The destination is beyond the {radius}-mile radius, but an exception applies ({exception}).",
    ),
    "verification-form-required": ReasonSpec(
        INFO, {"CO": ("25 Mile or Longer Trips",)},
        "The trip is over {radius} miles one way: the Verification Form for Transportation Services More Than "
        "{radius} Miles must be signed by the member's provider (it need not be signed before the trip).",
    ),
    "verification-form-on-file": ReasonSpec(
        INFO, {"CO": ("25 Mile or Longer Trips",)},
        "A Verification Form for Transportation Services More Than {radius} Miles signed within {valid_days} days "
        "covers this recurring appointment.",
    ),
    "escort-approved": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Escort",)},
        "The escort's transportation is covered: the member is a child or an at-risk adult and the attending "
        "provider's written certification is on file.",
    ),
    "escort-not-covered": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Escort",)},
        "The escort may ride along but is not covered: covering an escort needs a child or at-risk adult member and "
        "the attending provider's written certification.",
    ),
    "second-escort-approved": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Escort",)},
        "A second escort is covered: the medical provider certified its medical necessity in writing.",
    ),
    "second-escort-not-covered": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Escort",)},
        "Escorts beyond the first are not covered without the medical provider's written certification for a "
        "second escort.",
    ),
    "escort-return-trip": ReasonSpec(
        INFO, {"CO": ("Train, Air and Out-of-State Travel",)},
        "The member is being placed in residential treatment: the escort's return trip without the member is "
        "covered.",
    ),
    "additional-passenger-allowed": ReasonSpec(
        INFO, {"CO": ("Child or At-Risk Adult Accompaniment",)},
        "Additional passengers who may ride along for lack of child or at-risk adult care: {count}. Their names "
        "must be in the trip log.",
    ),
    "additional-passenger-not-covered": ReasonSpec(
        INFO, {"CO": ("Child or At-Risk Adult Accompaniment", "Exclusions")},
        "Additional passengers who do not qualify to ride along and are not covered: {count}.",
    ),
    "ancillary-meals-lodging": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Meals/Lodging",)},
        "The travel cannot be completed in one calendar day: the member's meals and lodging may be covered (one unit "
        "per day each, only what the member is actually charged).",
    ),
    "escort-meals-lodging": ReasonSpec(
        INFO, {"CO": ("Ancillary Services: Meals/Lodging",)},
        "The covered escort's meals and lodging may also be covered (one unit per day each).",
    ),
    "caregiver-trip-for-child": ReasonSpec(
        INFO, {"CO": ("Transportation for the Direct Benefit of Children Under 21",)},
        "The caregiver travels for the direct benefit of the child member (the child is not in the vehicle); the "
        "treating provider's order is on file.",
    ),
    "urgent": ReasonSpec(
        INFO, {"CO": ("Urgent NEMT",), "CT": _CT_CONTRACT},
        "Urgent ride ({reason}): the member could not give advance notice.",
    ),
}


# -- decision values ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    code: str
    kind: str
    message: str
    citation: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "kind": self.kind, "message": self.message, "citation": self.citation}


@dataclass(frozen=True)
class Decision:
    outcome: str
    mode: str | None
    arranged_by: str
    reasons: tuple[Reason, ...]
    date_of_service: dt.date
    decided_at: dt.datetime | None = None

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        """The ``nemt decide`` output object."""
        return {
            "outcome": self.outcome,
            "mode": self.mode,
            "arranged_by": self.arranged_by,
            "reason_codes": self.reason_codes,
            "reasons": [r.as_dict() for r in self.reasons],
            "date_of_service": self.date_of_service.isoformat(),
        }


@dataclass(frozen=True)
class Finding:
    """A reason code whose condition holds, with the values its message names."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """What every rule reads: the request, the policy and the values derived once from them."""

    request: RideRequest
    policy: Policy
    date_of_service: dt.date
    age: int

    @property
    def member(self) -> Member:
        return self.request.member

    @property
    def trip(self) -> Trip:
        return self.request.trip

    @property
    def destination(self) -> Destination:
        return self.request.trip.destination

    def need(self, name: str) -> bool:
        return self.request.member.has_need(name)


Rule = Callable[[Facts], Iterable[Finding]]


# -- eligibility and coverage (both programs) -----------------------------------------------------------------------


def eligibility(f: Facts) -> Iterable[Finding]:
    """CO: Member Eligibility ("receiving Medicaid State Plan/Title XIX coverage on the date of service"; "not be
    within the following eligibility groups"). CT: overview ("Medicaid members ..."). Spans are inclusive."""
    plans = f.member.plans_on(f.date_of_service)
    covering = f.policy.get("eligibility.covering_plans")
    if plans.isdisjoint(covering):
        yield Finding("member-not-eligible", {"covering": " or ".join(covering), "date_of_service": f.date_of_service})
        excluded = sorted(plans.intersection(f.policy.get("eligibility.excluded_plans")))
        if excluded:
            yield Finding("benefit-plan-excluded", {"plans": ", ".join(excluded)})


def other_transportation(f: Facts) -> Iterable[Finding]:
    """CO: Member Eligibility; Benefit Overview ("no other means of transportation, including free transportation");
    Exclusions ("covered by another entity"). CT: overview ("have no means of transportation")."""
    if f.member.has_other_transportation:
        yield Finding("other-transportation-available")


def covered_service(f: Facts) -> Iterable[Finding]:
    """CO: Covered Benefits and Limitations; Exclusions ("Transportation to/from non-covered medical services").
    CT: overview ("Medicaid-covered medical services")."""
    if not f.destination.service_covered:
        yield Finding("service-not-covered")


# -- Colorado only ----------------------------------------------------------------------------------------------------


def enrolled_provider(f: Facts) -> Iterable[Finding]:
    """Benefit Overview: "provider service locations that are enrolled to provide the service"."""
    if not f.destination.provider_enrolled:
        yield Finding("provider-not-enrolled")


def hcbs(f: Facts) -> Iterable[Finding]:
    """Benefit Overview: "Transportation to receive Home and Community Based Services (HCBS) must be provided through
    Non-Medical Transportation (NMT)"."""
    if f.trip.purpose == "hcbs":
        yield Finding("hcbs-use-nmt")


def pharmacy(f: Facts) -> Iterable[Finding]:
    """Trips to Pharmacies: "Prescription pickups (if mail order is not available)"."""
    if f.trip.purpose == "pharmacy-prescription" and f.trip.mail_order_available:
        yield Finding("pharmacy-mail-order-available")


def facility_transport(f: Facts) -> Iterable[Finding]:
    """Exclusions: nursing facility or group home residents to services "required in the facility's program, unless
    the facility does not have an available vehicle"."""
    m = f.member
    if m.residence in FACILITY_RESIDENCES and f.trip.facility_program_service and m.facility_has_vehicle is True:
        yield Finding("facility-transport-responsibility")


def school_day_treatment(f: Facts) -> Iterable[Finding]:
    """Ancillary Services: Escort: "Children are not eligible for NEMT travel to and from school-funded day treatment
    programs, unless it is for specialized transportation ... specified in the child's (IEP)"."""
    t = f.trip
    if t.purpose == "day-treatment" and t.school_funded_day_treatment and not t.iep_specialized_transportation:
        yield Finding("school-funded-day-treatment")


def closest_provider(f: Facts) -> Iterable[Finding]:
    """25 Mile or Longer Trips: the closest provider is one within the radius of the residence, or the nearest one if
    none practises within it; exceptions: the closest provider will not accept the member, complex medical
    conditions, a move within three months to keep the established provider. Exactly the radius is inside.

    The Verification Form (effective 2024-05-01) is informational: "The provider signature is not required prior to
    the NEMT trip happening"; a form is valid for recurring appointments from its signature date through the
    policy's valid days, inclusive."""
    radius = f.policy.get("distance.radius_miles")
    d = f.destination
    if d.miles_from_home <= radius:
        return
    if d.closest_qualified_provider_miles is not None:
        exceptions = []
        if not d.closest_provider_accepts_member:
            exceptions.append("the closest provider will not accept the member")
        if f.need("complex-medical-condition"):
            exceptions.append("complex medical conditions keep the closest provider from accepting the member")
        if f.member.moved_within_3_months and d.established_provider_previous_locale:
            exceptions.append("established provider in the locale the member moved from within three months")
        if exceptions:
            yield Finding("closest-provider-exception", {"radius": radius, "exception": "; ".join(exceptions)})
        else:
            yield Finding("not-closest-provider", {"radius": radius, "miles": d.miles_from_home})
    if f.date_of_service >= f.policy.get("distance.verification_form_effective"):
        valid_days = f.policy.get("distance.verification_form_valid_days")
        signed = f.trip.verification_form_25mi_signed_on
        on_file = (
            f.trip.recurring and signed is not None and 0 <= (f.date_of_service - signed).days <= valid_days
        )
        code = "verification-form-on-file" if on_file else "verification-form-required"
        yield Finding(code, {"radius": radius, "valid_days": valid_days})


def out_of_state(f: Facts) -> Iterable[Finding]:
    """Train, Air and Out-of-State Travel: "out-of-state travel must be prior authorized by the Department"; a Border
    Town/City of Appendix F follows the in-state rules."""
    d = f.destination
    if d.state.upper() != f.policy.state.upper() and not d.border_town:
        yield Finding("out-of-state")
        yield Finding("prior-authorization-required")


def _escort_approved(f: Facts) -> bool:
    """Ancillary Services: Escort: "The member is a child or an at-risk adult ... as certified in writing"."""
    child = f.age < f.policy.get("escort.adult_age")
    return bool(f.trip.escorts) and (child or f.member.at_risk_adult) and f.need("escort-required")


def escorts_and_minors(f: Facts) -> Iterable[Finding]:
    """Ancillary Services: Escort (escorts, second escort, minors travelling alone, day treatment release);
    Train, Air and Out-of-State Travel (escort's return trip); Ancillary Services: Meals/Lodging."""
    t = f.trip
    min_age, adult_age = f.policy.get("escort.unaccompanied_min_age"), f.policy.get("escort.adult_age")
    if not t.escorts:
        # "Minors under thirteen (13) years old shall not travel without an escort", except "Children in a day
        # treatment program may travel without an escort, as long as there is a written release".
        if f.age < min_age and not (t.purpose == "day-treatment" and t.unaccompanied_minor_release):
            yield Finding("escort-required", {"min_age": min_age})
        elif min_age <= f.age < adult_age and not t.unaccompanied_minor_release:
            yield Finding("minor-release-required", {"min_age": min_age, "max_age": adult_age - 1})
    approved = _escort_approved(f)
    if t.escorts:
        yield Finding("escort-approved" if approved else "escort-not-covered")
    if len(t.escorts) >= 2:
        second = approved and f.need("second-escort")
        yield Finding("second-escort-approved" if second else "second-escort-not-covered")
    if t.purpose == "residential-treatment" and approved and any(e.returns_without_member for e in t.escorts):
        yield Finding("escort-return-trip")
    if t.overnight:  # "In-state treatment when travel cannot be completed in one calendar day"
        yield Finding("ancillary-meals-lodging")
        if approved:  # "for the escort when a member is a child or an at-risk adult"
            yield Finding("escort-meals-lodging")


# Child or At-Risk Adult Accompaniment: (relation, reason) -> (the trip must have an escort, passenger must be an
# adult). An At-Risk Adult is "an individual eighteen (18) years of age or older". Pairs not listed never qualify.
PASSENGER_RULES: dict[tuple[str, str], tuple[bool, bool]] = {
    ("member-child", "no-childcare"): (False, False),
    ("member-at-risk-adult", "no-at-risk-adult-care"): (False, True),
    ("member-sibling", "no-childcare"): (True, False),
    ("escort-child", "no-childcare"): (True, False),
    ("escort-at-risk-adult", "no-at-risk-adult-care"): (True, True),
}


def additional_passengers(f: Facts) -> Iterable[Finding]:
    """Child or At-Risk Adult Accompaniment; Exclusions ("Charges for additional passengers except when acting as an
    escort for a child or at-risk adult")."""
    adult_age = f.policy.get("escort.adult_age")
    allowed = not_covered = 0
    for passenger in f.trip.additional_passengers:
        rule = PASSENGER_RULES.get((passenger.relation, passenger.reason))
        qualifies = (
            rule is not None
            and (not rule[0] or bool(f.trip.escorts))
            and (not rule[1] or passenger.age >= adult_age)
        )
        if qualifies:
            allowed += 1
        else:
            not_covered += 1
    if allowed:
        yield Finding("additional-passenger-allowed", {"count": allowed})
    if not_covered:
        yield Finding("additional-passenger-not-covered", {"count": not_covered})


def caregiver_trip(f: Facts) -> Iterable[Finding]:
    """Transportation for the Direct Benefit of Children Under 21: a child's (age 0-20) parent, family member or
    caregiver, with the treating provider's signed and dated order for their participation."""
    max_age = f.policy.get("caregiver.max_child_age")
    if f.age > max_age:
        yield Finding("caregiver-trip-not-covered", {"max_age": max_age})
    elif f.need("caregiver-participation-ordered"):
        yield Finding("caregiver-trip-for-child")
    else:
        yield Finding("caregiver-order-required")


def colorado_urgent(f: Facts) -> Iterable[Finding]:
    """Urgent NEMT: hospital discharge; a provider's failure to pick up "within one hour of the scheduled pick up
    time" (urgent only after more than that many minutes); critical, unplanned appointments."""
    t = f.trip
    reason = t.urgent_reason
    if reason is None:
        return
    if reason == "missed-pickup-over-1-hour":
        if t.missed_pickup_scheduled_at is None:
            return
        waited = _elapsed(t.missed_pickup_scheduled_at, f.request.requested_at)
        if waited <= dt.timedelta(minutes=f.policy.get("urgent.missed_pickup_minutes")):
            return
    yield Finding("urgent", {"reason": reason.replace("-", " ")})


def connecticut_notice(f: Facts) -> Iterable[Finding]:
    """NEMT Contract (updated December 7, 2017): "call at least 48 hours (not including weekends and holidays)
    before their appointment. If a member has an urgent need and their healthcare provider needs to see them the
    same day or next day, they need to call as soon as they can"."""
    zone = f.policy.time_zone
    requested_at, appointment_at = f.request.requested_at, f.trip.appointment_at
    required = dt.timedelta(hours=f.policy.get("notice.required_hours"))
    years = range(local_date(requested_at, zone).year, local_date(appointment_at, zone).year + 1)
    holidays = (
        holiday_calendar(f.policy.get("notice.holiday_calendar"), years)
        if f.policy.get("notice.exclude_holidays", True)
        else frozenset()
    )
    counted = counted_notice(requested_at, appointment_at, zone, holidays,
                             exclude_weekends=f.policy.get("notice.exclude_weekends", True))
    if counted >= required:
        return
    reason = f.trip.urgent_reason
    if reason is not None and same_or_next_days(
        requested_at, appointment_at, zone, f.policy.get("notice.urgent_max_days_ahead")
    ):
        yield Finding("urgent", {"reason": reason.replace("-", " ")})
    else:
        hours = counted.total_seconds() / 3600
        yield Finding("insufficient-notice", {"hours": f"{hours:.2f}".rstrip("0").rstrip("."),
                                              "required": f.policy.get("notice.required_hours")})


def _elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


# -- which rules apply to which program -----------------------------------------------------------------------------

# The escort, minor, passenger and overnight rules concern the member's own travel and are skipped for a caregiver
# trip (the child does not travel; the caregiver does). The caregiver rule applies only to caregiver trips.
_MEMBER_TRAVEL_RULES: tuple[Rule, ...] = (escorts_and_minors, additional_passengers)
_CAREGIVER_RULES: tuple[Rule, ...] = (caregiver_trip,)

RULES_BY_PROGRAM: dict[str, tuple[Rule, ...]] = {
    "CO": (
        eligibility, other_transportation, covered_service, enrolled_provider, hcbs, pharmacy, facility_transport,
        school_day_treatment, closest_provider, out_of_state, *_MEMBER_TRAVEL_RULES, *_CAREGIVER_RULES,
        colorado_urgent,
    ),
    # The Connecticut notice states no mode, distance, escort or provider rule: only these apply.
    "CT": (eligibility, other_transportation, covered_service, connecticut_notice),
}

CAREGIVER_PURPOSE = "caregiver-for-child"


def _applies(rule: Rule, f: Facts) -> bool:
    caregiver = f.trip.purpose == CAREGIVER_PURPOSE
    if rule in _MEMBER_TRAVEL_RULES:
        return not caregiver
    if rule in _CAREGIVER_RULES:
        return caregiver
    return True


# -- mode ladder ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModeChoice:
    mode: str
    findings: tuple[Finding, ...]


def select_mode(requested: str, needs: frozenset[str] | set[str], policy: Policy) -> ModeChoice:
    """The least costly mode suitable to the member's written certifications (Payment for Covered Services: "Payment
    will only be made for the least expensive mode suitable to the member's condition"; the section of each mode).

    Read from the policy's ``modes`` tables: a mode whose ``needs`` are all on file is approved as requested (and
    adds ``prior-authorization-required`` when the mode has ``prior_authorization``). Otherwise walk ``downgrade_to``
    (ground ambulance -> stretcher van -> wheelchair van -> mobility/ambulatory) to the first mode whose needs are on
    file, adding ``mode-downgraded``; when no mode on the way is supported (the basic statement that the member
    cannot use less costly modes is missing, or an air/train certification is), the request waits for the
    certification: ``certification-required`` with the requested mode.
    """

    def missing(mode: str) -> list[str]:
        return [n for n in policy.mode(mode)["needs"] if n not in needs]

    if not missing(requested):
        findings = (Finding("prior-authorization-required"),) if policy.mode(requested).get("prior_authorization") \
            else ()
        return ModeChoice(requested, findings)
    mode = requested
    seen = {mode}
    while missing(mode) and policy.mode(mode).get("downgrade_to") and policy.mode(mode)["downgrade_to"] not in seen:
        mode = policy.mode(mode)["downgrade_to"]
        seen.add(mode)
    if missing(mode):
        lacking = missing(requested)
        return ModeChoice(requested, (Finding("certification-required", {
            "mode": requested.replace("-", " "), "missing": ", ".join(lacking)}),))
    return ModeChoice(mode, (Finding("mode-downgraded", {
        "mode": mode.replace("-", " "), "requested": requested.replace("-", " ")}),))


# -- who arranges the ride ------------------------------------------------------------------------------------------


def _normalized_county(name: str) -> str:
    name = " ".join(name.split()).casefold()
    return name[: -len(" county")] if name.endswith(" county") else name


def arranged_by(f: Facts, urgent: bool) -> str:
    """CO (NEMT Administration; Prior Authorization; Urgent NEMT): the medical facility for its own urgent requests
    from the effective date on; otherwise the SDE in the broker counties, an NEMT provider elsewhere.
    CT (NEMT Contract (updated December 7, 2017)): the broker whose contract period covers the appointment date;
    before the first period the first broker, after the last period the last (no case falls outside)."""
    brokers = f.policy.get("brokers", None)
    if brokers:
        ordered = sorted(brokers, key=lambda b: b["from"])
        for broker in ordered:
            if broker["from"] <= f.date_of_service <= broker["through"]:
                return str(broker["name"])
        return str(ordered[0]["name"] if f.date_of_service < ordered[0]["from"] else ordered[-1]["name"])
    if (
        urgent
        and f.request.requested_by == "medical-facility"
        and f.policy.has("urgent.facility_booking_effective")
        and f.date_of_service >= f.policy.get("urgent.facility_booking_effective")
    ):
        return str(f.policy.get("urgent.facility_arranger"))
    counties = {_normalized_county(c) for c in f.policy.get("administration.broker_counties")}
    if _normalized_county(f.member.home.county) in counties:
        return str(f.policy.get("administration.broker_arranger"))
    return str(f.policy.get("administration.non_broker_arranger"))


# -- the decision ---------------------------------------------------------------------------------------------------


def _reason(finding: Finding, program: str, policy: Policy) -> Reason:
    spec = REASONS[finding.code]
    sections = spec.sections.get(program) or next(iter(spec.sections.values()))
    message = spec.message.format(**finding.values) if finding.values else spec.message
    # "Document — Section; Section", the form the acceptance cases cite.
    return Reason(finding.code, spec.kind, message, f"{policy.document} — {'; '.join(sections)}")


def decide(request: RideRequest, policy: Policy, now: dt.datetime) -> Decision:
    """Decide a ride request under ``policy`` (the program's rules as data).

    ``request.member`` holds the member's facts. ``now`` is the moment of the decision; it is recorded on the
    decision only (rules measure time from ``request.requested_at``). Every rule of the program is evaluated and
    every reason code whose condition holds is listed, in rule order, each once.
    """
    if request.program.upper() != policy.code.upper():
        raise ValueError(f"request for program {request.program!r} decided under policy {policy.code!r}")
    zone = policy.time_zone
    date_of_service = local_date(request.trip.appointment_at, zone)
    facts = Facts(request, policy, date_of_service, age_on(request.member.birth_date, date_of_service))

    findings: list[Finding] = []
    for rule in RULES_BY_PROGRAM[policy.code]:
        if _applies(rule, facts):
            findings.extend(rule(facts))
    choice = select_mode(request.trip.requested_mode, request.member.documented_needs, policy)
    findings.extend(choice.findings)

    reasons: list[Reason] = []
    seen: set[str] = set()
    for finding in findings:
        if finding.code not in seen:  # e.g. prior authorization for both an air mode and an out-of-state trip
            seen.add(finding.code)
            reasons.append(_reason(finding, policy.code, policy))

    kinds = {r.kind for r in reasons}
    outcome = DENIED if DENY in kinds else PENDING if HOLD in kinds else APPROVED
    return Decision(
        outcome=outcome,
        mode=None if outcome == DENIED else choice.mode,
        arranged_by=arranged_by(facts, urgent="urgent" in seen),
        reasons=tuple(reasons),
        date_of_service=date_of_service,
        decided_at=now,
    )
