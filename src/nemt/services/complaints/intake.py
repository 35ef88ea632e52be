"""Record a complaint or grievance: from an agent (for the call center, or on the member's behalf: "reported by:
member"), a facility scheduler, a transportation provider's administrator or the Department; linked to the ride (a
leg, or the trip) when there is one, and so to the transportation provider it concerns. The due day comes from the
program's policy (``[complaints] resolution_days``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nemt.domain import complaints as rules
from nemt.domain.actors import Actor, Role
from nemt.domain.statuses import ComplaintReporter, ComplaintStatus
from nemt.policy import load_policy
from nemt.services.complaints.commands import ComplaintIn
from nemt.services.platform import audit
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Complaint, Leg, Member, Trip
from nemt.store.uow import UnitOfWork

# Who each role may say reported the complaint (the first is the default). An agent takes members' calls.
REPORTERS: dict[str, tuple[ComplaintReporter, ...]] = {
    Role.AGENT: (ComplaintReporter.MEMBER, ComplaintReporter.CALL_CENTER),
    Role.FACILITY_SCHEDULER: (ComplaintReporter.FACILITY,),
    Role.PROVIDER_ADMIN: (ComplaintReporter.PROVIDER,),
    Role.ADMIN: (ComplaintReporter.DEPARTMENT, ComplaintReporter.MEMBER),
}
RULE = "complaint intake"


@dataclass
class _Ride:
    trip: Trip | None = None
    leg: Leg | None = None
    member: Member | None = None


def _reporter(actor: Actor, asked: ComplaintReporter | None) -> str:
    choices = tuple(ComplaintReporter) if actor.is_system else REPORTERS.get(actor.role, ())
    if asked is None:
        return str(choices[0]) if choices else str(ComplaintReporter.MEMBER)
    if asked not in choices:
        allowed = " or ".join(str(c) for c in choices)
        raise InvalidInput(f"a {actor.role} records complaints reported by {allowed}", field="reported_by",
                           rule=RULE)
    return str(asked)


def _ride(uow: UnitOfWork, actor: Actor, command: ComplaintIn) -> _Ride:
    """The leg, trip and member the complaint is about, as far as the actor may see them."""
    found = _Ride()
    if command.leg:
        found.leg = uow.complaints.leg_by_key(actor, command.leg)
        if found.leg is None:
            raise NotFound("no leg with this key that you may see", field="leg", rule=RULE)
        found.trip = found.leg.trip
    elif command.trip:
        found.trip = uow.rides.visible_trip(actor, command.trip)
        if found.trip is None:
            raise NotFound("no trip with this key that you may see", field="trip", rule=RULE)
    elif command.confirmation:
        found.trip = uow.complaints.trip_by_confirmation(actor, command.confirmation.strip().upper())
        if found.trip is None:
            raise NotFound("no trip with this confirmation number that you may see", field="confirmation",
                           rule=RULE)
    if command.member:
        found.member = uow.members.visible(actor, command.member)
        if found.member is None:
            raise NotFound("no member with this key that you may see", field="member", rule=RULE)
        if found.trip is not None and found.trip.member_id != found.member.id:
            raise InvalidInput("the ride named is another member's", field="member", rule=RULE)
    elif found.trip is not None:
        found.member = found.trip.member
    return found


def _provider(uow: UnitOfWork, actor: Actor, ride: _Ride) -> int | None:
    """The transportation provider the complaint concerns: the leg's, else the first assigned leg's of the trip; a
    provider's own complaint about no ride concerns the provider itself."""
    if ride.leg is not None and ride.leg.provider_id is not None:
        return ride.leg.provider_id
    if ride.trip is not None:
        assigned = [leg.provider_id for leg in ride.trip.legs if leg.provider_id is not None]
        if assigned:
            return assigned[0]
    if actor.role == Role.PROVIDER_ADMIN:
        return uow.complaints.provider_of_organization(actor.organization_id)
    return None


def _program(actor: Actor, ride: _Ride) -> str:
    if ride.trip is not None:
        return ride.trip.program
    if ride.member is not None:
        return ride.member.program
    if actor.program is None:
        raise InvalidInput("name the ride or the member: the program of the complaint follows from it",
                           field="confirmation", rule=RULE)
    return actor.program


def record_complaint(uow: UnitOfWork, actor: Actor, command: ComplaintIn, now: dt.datetime) -> Complaint:
    """Record the complaint (status open, due ``resolution_days`` after the day it was received); audited."""
    require(actor, Action.COMPLAINT_RECORD)
    reporter = _reporter(actor, command.reported_by)
    ride = _ride(uow, actor, command)
    program = _program(actor, ride)
    policy = load_policy(program)
    days = policy.get("complaints.resolution_days", None)
    if not isinstance(days, int) or days < 1:
        raise InvalidInput(f"the {program} program's policy sets no number of days to resolve a complaint "
                           "(complaints.resolution_days)", field="program", rule="policy")
    received_on = now.astimezone(policy.time_zone).date()
    number = uow.control_numbers.next(f"complaint-{program}")
    complaint = uow.complaints.add(Complaint(
        reference=f"{program}-C{number:06d}", program=program, member_id=ride.member.id if ride.member else None,
        trip_id=ride.trip.id if ride.trip else None, leg_id=ride.leg.id if ride.leg else None,
        provider_id=_provider(uow, actor, ride), category=str(command.category),
        description=command.description.strip(), reported_by=reporter, filed_by_user_id=actor.user_id,
        filed_by_org_id=actor.organization_id, received_at=now, received_on=received_on,
        due_on=rules.due_on(received_on, days), status=ComplaintStatus.OPEN))
    audit.record(uow, actor, "create", "complaint", complaint.member_id, complaint=complaint.key,
                 category=complaint.category, trip=ride.trip.key if ride.trip else None)
    uow.commit()
    return complaint
