"""Who travels with the member (Colorado): escorts, minors travelling alone, additional passengers, meals and
lodging of the travel, and caregiver trips for the direct benefit of a child."""

from __future__ import annotations

from collections.abc import Iterable

from nemt.domain.decisions.values import Facts, Finding


def _escort_approved(f: Facts) -> bool:
    """Ancillary Services: Escort: "The member is a child or an at-risk adult ... as certified in writing"."""
    child = f.age < f.policy.get("escort.adult_age")
    return bool(f.trip.escorts) and (child or f.member.at_risk_adult) and f.need("escort-required")


def _unaccompanied_minor(f: Facts) -> Iterable[Finding]:
    """Ancillary Services: Escort: "Minors under thirteen (13) years old shall not travel without an escort", except
    "Children in a day treatment program may travel without an escort, as long as there is a written release"; an
    older minor travels alone only with a written release from a parent or guardian."""
    t = f.trip
    min_age, adult_age = f.policy.get("escort.unaccompanied_min_age"), f.policy.get("escort.adult_age")
    if f.age < min_age and not (t.purpose == "day-treatment" and t.unaccompanied_minor_release):
        yield Finding("escort-required", {"min_age": min_age})
    elif min_age <= f.age < adult_age and not t.unaccompanied_minor_release:
        yield Finding("minor-release-required", {"min_age": min_age, "max_age": adult_age - 1})


def _escort_coverage(f: Facts, approved: bool) -> Iterable[Finding]:
    """Ancillary Services: Escort (the escort, a second escort); Train, Air and Out-of-State Travel (the escort's
    return trip without the member placed in residential treatment)."""
    t = f.trip
    if t.escorts:
        yield Finding("escort-approved" if approved else "escort-not-covered")
    if len(t.escorts) >= 2:
        second = approved and f.need("second-escort")
        yield Finding("second-escort-approved" if second else "second-escort-not-covered")
    if t.purpose == "residential-treatment" and approved and any(e.returns_without_member for e in t.escorts):
        yield Finding("escort-return-trip")


def escorts_and_minors(f: Facts) -> Iterable[Finding]:
    """Ancillary Services: Escort (escorts, second escort, minors travelling alone, day treatment release);
    Train, Air and Out-of-State Travel (escort's return trip); Ancillary Services: Meals/Lodging."""
    if not f.trip.escorts:
        yield from _unaccompanied_minor(f)
    approved = _escort_approved(f)
    yield from _escort_coverage(f, approved)
    if f.trip.overnight:  # "In-state treatment when travel cannot be completed in one calendar day"
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
