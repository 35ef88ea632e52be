"""Validate a ride command and decide it: everything a trip row needs, computed before anything is written.

The decision is the domain's ``decide(request, policy, now)`` over the :class:`nemt.domain.rides.RideRequest` built
by ``nemt.services.rides.request``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from nemt.domain import rides
from nemt.domain.actors import Actor, OrgKind
from nemt.domain.decisions import Decision, decide
from nemt.policy import Policy, load_policy
from nemt.services.members.eligibility_edi import with_payer_answer
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.rides import places, request
from nemt.services.rides.commands import RideRequestIn
from nemt.services.rides.idempotency import content_key, fingerprint, idempotency_key
from nemt.services.rides.on_file import with_documents_on_file
from nemt.services.rides.places import Cache, Distances, Place
from nemt.store.models import Member
from nemt.store.uow import UnitOfWork


@dataclass(frozen=True)
class Prepared:
    """A decided ride command, ready to be written."""

    member: Member
    policy: Policy
    command: RideRequestIn
    body: dict  # the command as JSON, as stored on the trip for re-decisions
    requested_at: dt.datetime
    requested_by: str
    pickup: Place
    destination: Place
    distances: Distances
    request: rides.RideRequest
    decision: Decision
    idempotency_key: str
    fingerprint: str
    key_source: str  # "header" | "content"
    content_key: str  # member + appointment + destination + direction: one active trip per ride

    def keeping_key(self, key: str) -> Prepared:
        """The same, under the trip's own key sent by the client (a change keeps it)."""
        return replace(self, idempotency_key=key, key_source="header")


def bookable_member(uow: UnitOfWork, actor: Actor, key: str) -> Member:
    member = uow.members.by_key(key) if key else None
    if member is None or not actor.sees_program(member.program):
        raise NotFound("no such member", field="member", rule="member look-up")
    # A facility books for members it found by exact Medicaid ID (services.members.find_members); the broker and
    # the Department book for every member of the program. Providers do not book (permissions).
    return member


def requested_by(actor: Actor, asked: str | None) -> str:
    if actor.organization_kind == OrgKind.FACILITY:
        if asked not in (None, "medical-facility"):
            raise InvalidInput("a medical facility's user books as medical-facility", field="requested_by",
                               rule="who requests the ride")
        return "medical-facility"
    if asked == "medical-facility":
        raise InvalidInput("only a medical facility's own user books as medical-facility", field="requested_by",
                           rule="who requests the ride")
    return asked or "member"


def _check_identity(member: Member, policy: Policy, medicaid_id: str | None) -> None:
    if medicaid_id is None:
        return
    value = medicaid_id.strip().upper()
    if not policy.valid_medicaid_id(value):
        raise InvalidInput(f"a {policy.code} Medicaid ID is one letter and six digits (e.g. "
                           f"{policy.get('identifiers.medicaid_id_example')})", field="medicaid_id",
                           rule=policy.cite("identifiers"))
    if value != member.medicaid_id:
        raise InvalidInput("does not match the member's record", field="medicaid_id", rule="identity check")


def _check_times(req: RideRequestIn, policy: Policy, now: dt.datetime, requested_at: dt.datetime,
                 check_future: bool) -> None:
    if requested_at > now:
        raise InvalidInput("is in the future", field="requested_at", rule="requested before booked")
    if check_future and req.appointment_at <= now:
        raise InvalidInput("is in the past: rides are booked for future appointments", field="appointment_at",
                           rule="appointment in the future")
    if req.requested_mode not in policy.modes:
        raise InvalidInput(f"is not a mode of the {policy.code} program", field="requested_mode",
                           rule=policy.cite("program"))
    if not req.round_trip:
        if req.return_pickup_at is not None:
            raise InvalidInput("only a round trip has a return pick-up", field="return_pickup_at", rule="round trip")
        if req.return_will_call:
            raise InvalidInput("only a round trip has a will-call return", field="return_will_call", rule="round trip")
        return
    if req.direction != "to-appointment":
        raise InvalidInput("a round trip goes to the appointment and back", field="direction", rule="round trip")
    if req.return_pickup_at is None and req.return_will_call:
        return  # the member calls when ready (``writing.legs_for``: picked up no earlier than the appointment)
    if req.return_pickup_at is None:
        raise InvalidInput("required for a round trip (or a will-call return)", field="return_pickup_at",
                           rule="round trip")
    if req.return_pickup_at <= req.appointment_at:
        raise InvalidInput("must be after the appointment", field="return_pickup_at",
                           rule="return after the appointment")


def _places(uow: UnitOfWork, member: Member, req: RideRequestIn) -> tuple[Place, Place]:
    end = places.destination(uow, member, req.destination)
    start = places.pickup(member, req.pickup)
    if start.zip == end.zip and places.norm(start.address) == places.norm(end.address):
        raise InvalidInput("the pick-up place and the destination are the same", field="destination",
                           rule="pick-up differs from destination")
    return start, end


def prepare(uow: UnitOfWork, actor: Actor, req: RideRequestIn, now: dt.datetime, *,
            idempotency_header: str | None = None, member: Member | None = None, cache: Cache | None = None,
            check_future: bool = True, keep_requested_by: str | None = None) -> Prepared:
    """Validate the command and decide it. Writes nothing. A change keeps who asked for the ride originally
    (``keep_requested_by``: an agent may change a facility's booking)."""
    cache = {} if cache is None else cache
    member = member or bookable_member(uow, actor, req.member)
    policy = load_policy(member.program)
    _check_identity(member, policy, req.medicaid_id)
    asked_by = keep_requested_by or requested_by(actor, req.requested_by)
    requested_at = req.requested_at or now
    _check_times(req, policy, now, requested_at, check_future)
    start, end = _places(uow, member, req)
    key, source = idempotency_key(member, idempotency_header, req.appointment_at, req.destination, req.direction)
    miles = places.distances(uow, member, start, end, req.destination, policy, cache)
    home_zip = places.zip5(member.zip, "member").zip_code
    ride = request.ride_request(member, req, policy, requested_at=requested_at, requested_by=asked_by,
                                home_zip=home_zip, place=end, miles=miles)
    # Member Eligibility: the payer's 271 for the member and date of service, when recorded, is the coverage decided on.
    ride = with_payer_answer(uow, member, ride, policy)
    # The member's 25-mile verification form and prior authorizations on file (issue 16, point 3).
    ride = with_documents_on_file(uow, member, ride, end, policy, cache)
    body = req.model_dump(mode="json")
    return Prepared(member=member, policy=policy, command=req, body=body, requested_at=requested_at,
                    requested_by=asked_by, pickup=start, destination=end, distances=miles, request=ride,
                    decision=decide(ride, policy, now), idempotency_key=key, fingerprint=fingerprint(body),
                    key_source=source,
                    content_key=content_key(member, req.appointment_at, req.destination, req.direction))
