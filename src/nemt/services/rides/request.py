"""The ride request a booking is decided as: :class:`nemt.domain.rides.RideRequest`, the same value the
``nemt decide`` contract builds from its JSON document. It is built here from the member's record (coverage,
documented needs, residence, home ZIP/county/state, birth date), the booking command and the distances, and
checked by the same rules as the contract's (a program's Medicaid ID format, fields required by another field)."""

from __future__ import annotations

import datetime as dt

from nemt.contracts.decide import trip_of
from nemt.domain import rides
from nemt.policy import Policy, program_codes
from nemt.services.platform.errors import InvalidInput
from nemt.services.rides.commands import RideRequestIn
from nemt.services.rides.places import Distances, Place
from nemt.store.models import Member

RULE = "decision input contract"


def member_facts(member: Member, moved_within_3_months: bool, home_zip: str) -> rides.Member:
    """The facts of the member's record the ride rules read."""
    facts = rides.Member(
        medicaid_id=member.medicaid_id,
        name=f"{member.first_name} {member.last_name}",
        birth_date=member.birth_date,
        home=rides.HomeAddress(zip=home_zip, county=member.county, state=member.state),
        coverage=tuple(rides.CoverageSpan(plan=c.plan, start=c.start, end=c.end) for c in member.coverage),
        has_other_transportation=bool(member.has_other_transportation),
        residence=member.residence,
        facility_has_vehicle=member.facility_has_vehicle if member.residence != "home" else None,
        documented_needs=frozenset(member.documented_needs),
        at_risk_adult=bool(member.at_risk_adult),
        moved_within_3_months=moved_within_3_months,
    )
    problem = rides.member_facts_problem(facts)
    if problem is not None:
        raise InvalidInput(f"the member's record cannot be decided: {problem}", field="member", rule=RULE)
    return facts


def destination(place: Place, req: RideRequestIn, miles: Distances) -> rides.Destination:
    d = req.destination
    enrolled = place.provider.enrolled if place.provider is not None else bool(d.provider_enrolled)
    return rides.Destination(
        name=place.name, zip=place.zip, county=place.county, state=place.state, service=d.service,
        service_covered=d.service_covered, provider_enrolled=enrolled, miles_from_home=miles.miles_from_home,
        closest_qualified_provider_miles=miles.closest_qualified_provider_miles,
        closest_provider_accepts_member=miles.closest_provider_accepts_member, border_town=d.border_town,
        established_provider_previous_locale=d.established_provider_previous_locale,
    )


def ride_request(member: Member, req: RideRequestIn, policy: Policy, *, requested_at: dt.datetime,
                 requested_by: str, home_zip: str, place: Place, miles: Distances) -> rides.RideRequest:
    """The domain request of a booking, checked as the decision contract checks its document."""
    request = rides.RideRequest(
        program=member.program, requested_at=requested_at, requested_by=requested_by,
        member=member_facts(member, req.moved_within_3_months, home_zip),
        trip=trip_of(req, destination(place, req, miles)),
    )
    check(request, policy)
    return request


def check(request: rides.RideRequest, policy: Policy) -> None:
    """The contract's rules that depend on the program or on another field, naming the booking body's field."""
    if request.program not in program_codes():
        raise InvalidInput("is not a program of the platform", field="member", rule=RULE)
    if not policy.valid_medicaid_id(request.member.medicaid_id):
        raise InvalidInput(f"is not a {policy.code} Medicaid ID", field="member", rule=RULE)
    missing = rides.required_field_missing(request.trip)
    if missing is not None:
        raise InvalidInput(missing[1], field=missing[0], rule=RULE)
    caregiver = request.trip.caregiver
    if caregiver is not None and caregiver.medicaid_id is not None and \
            not policy.valid_medicaid_id(caregiver.medicaid_id):
        example = policy.get("identifiers.medicaid_id_example", None)
        hint = f" (for example {example})" if example else ""
        raise InvalidInput(f"is not a {policy.code} Medicaid ID: must match {policy.medicaid_id_pattern.pattern}"
                           f"{hint}", field="caregiver.medicaid_id", rule=RULE)
