"""The decision: which rules apply to which program, and ``decide`` itself."""

from __future__ import annotations

import datetime as dt

from nemt.domain.dates import age_on, local_date
from nemt.domain.decisions.arranger import arrangement
from nemt.domain.decisions.distance import closest_provider, out_of_state
from nemt.domain.decisions.eligibility import (
    covered_service,
    eligibility,
    enrolled_provider,
    facility_transport,
    hcbs,
    other_transportation,
    pharmacy,
    school_day_treatment,
)
from nemt.domain.decisions.escorts import additional_passengers, caregiver_trip, escorts_and_minors
from nemt.domain.decisions.modes import select_mode
from nemt.domain.decisions.notice import colorado_urgent, connecticut_notice
from nemt.domain.decisions.reasons import APPROVED, DENIED, DENY, HOLD, PENDING, REASONS
from nemt.domain.decisions.values import Decision, Facts, Finding, Reason, Rule
from nemt.domain.rides import RideRequest
from nemt.policy import Policy

# -- which rules apply to which program -----------------------------------------------------------------------------

# The escort, minor, passenger and overnight rules concern the member's own travel and are skipped for a caregiver
# trip (the child does not travel; the caregiver does). The caregiver rule applies only to caregiver trips.
_MEMBER_TRAVEL_RULES: tuple[Rule, ...] = (escorts_and_minors, additional_passengers)
_CAREGIVER_RULES: tuple[Rule, ...] = (caregiver_trip,)

# Every rule by the name a program file gives it in `decision.rules` (checked at load): a program applies the rules
# its file names, in that order — Colorado all but the counted notice, Connecticut the four its notice states.
RULES_BY_NAME: dict[str, Rule] = {
    "eligibility": eligibility,
    "other-transportation": other_transportation,
    "covered-service": covered_service,
    "enrolled-provider": enrolled_provider,
    "hcbs": hcbs,
    "pharmacy": pharmacy,
    "facility-transport": facility_transport,
    "school-day-treatment": school_day_treatment,
    "closest-provider": closest_provider,  # distance.radius_miles, the verification form
    "out-of-state": out_of_state,
    "escorts-and-minors": escorts_and_minors,
    "additional-passengers": additional_passengers,
    "caregiver-trip": caregiver_trip,
    "urgent-without-notice": colorado_urgent,  # no notice period; urgent.missed_pickup_minutes
    "counted-notice": connecticut_notice,  # notice.required_hours counted without weekends and holidays
}


def rules_of(policy: Policy) -> tuple[Rule, ...]:
    """The rules the program's file names (``decision.rules``), in its order."""
    return tuple(RULES_BY_NAME[name] for name in policy.get("decision.rules"))


CAREGIVER_PURPOSE = "caregiver-for-child"


def _applies(rule: Rule, f: Facts) -> bool:
    caregiver = f.trip.purpose == CAREGIVER_PURPOSE
    if rule in _MEMBER_TRAVEL_RULES:
        return not caregiver
    if rule in _CAREGIVER_RULES:
        return caregiver
    return True


# -- the decision ---------------------------------------------------------------------------------------------------


def _reason(finding: Finding, program: str, policy: Policy) -> Reason:
    spec = REASONS[finding.code]
    # The finding's own sections (the mode in question) when it names them, else every section of the code.
    # A program file may name the sections of a code (`decision.sections`), else the table's sections of the program,
    # else the `decision` table's own `cite` (a program added by a file alone).
    sections = (finding.sections or tuple(policy.get(f"decision.sections.{finding.code}", ()))
                or spec.sections.get(program) or (str(policy.get("decision.cite")),))
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
    for rule in rules_of(policy):
        if _applies(rule, facts):
            findings.extend(rule(facts))
    choice = select_mode(request.trip.requested_mode, request.member.documented_needs, policy,
                         request.trip.prior_authorized)
    findings.extend(choice.findings)

    reasons: list[Reason] = []
    seen: set[str] = set()
    for finding in findings:
        if finding.code not in seen:  # e.g. prior authorization for both an air mode and an out-of-state trip
            seen.add(finding.code)
            reasons.append(_reason(finding, policy.code, policy))

    kinds = {r.kind for r in reasons}
    outcome = DENIED if DENY in kinds else PENDING if HOLD in kinds else APPROVED
    arranger, why = arrangement(facts, urgent="urgent" in seen)
    return Decision(
        outcome=outcome,
        mode=None if outcome == DENIED else choice.mode,
        arranged_by=arranger,
        arranged_by_reason=why,
        reasons=tuple(reasons),
        date_of_service=date_of_service,
        decided_at=now,
    )
