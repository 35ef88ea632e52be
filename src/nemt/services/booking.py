"""Ride booking: book, change and cancel rides, standing orders, notices, and the scoped lists of trips.

Every use case runs in one unit of work and commits all of its changes or none. The ride decision is the domain's
``decide(request, policy, now)``: this module only gathers its input — the member's record (coverage, documented
needs, residence, home ZIP/county/state, birth date) plus the trip the caller describes — and the two distances the
25-mile rule reads, from ``nemt.geo``: ``miles_from_home`` (member's home ZIP -> destination ZIP) and
``closest_qualified_provider_miles`` (the nearest enrolled medical provider offering the same service within the
program's ``distance.radius_miles``).

A booking stores a :class:`~nemt.store.ride_models.Trip` with its one-way legs (one, or two for a round trip), a
never-repeating confirmation number and the decision with its reasons and citations. A denied or pending ride gets a
:class:`~nemt.store.ride_models.Notice` for the member: the reasons in plain words, the rule of each, and how to
appeal (``notices.appeal`` of the program policy).

Idempotency: each trip carries a unique ``idempotency_key`` — from the client's ``Idempotency-Key`` or, without one,
a hash of member + appointment + destination + direction. The same request sent twice (a retry, two agents at once)
makes one trip; the loser of a race hits the unique index, rolls back and answers with the winner's trip.

Leg statuses written here: ``scheduled`` (approved, waiting for a vehicle), ``pending`` (the decision waits for a
document or a prior authorization), ``denied``, ``cancelled``. Dispatch adds ``assigned``.

Member data (names, IDs, birth dates, addresses) never goes into messages, logs or audit details.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from nemt import geo
from nemt.contracts import ContractError
from nemt.contracts.decide import (
    CaregiverInput,
    DecideInput,
    EscortInput,
    PassengerInput,
    check_decide_input,
    contract_error,
    to_ride_request,
)
from nemt.domain.actors import Actor, OrgKind, Role
from nemt.domain.decisions import (
    APPROVED,
    DENIED,
    DENY,
    HOLD,
    PENDING,
    Decision,
    Reason,
    decide,
)
from nemt.domain.network import vehicle_space
from nemt.domain.rides import Mode, Purpose, UrgentReason
from nemt.policy import Policy, load_policy
from nemt.services import network
from nemt.services.platform import access, audit
from nemt.services.platform.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ServiceError,
)
from nemt.store.models import (
    Driver,
    Leg,
    MedicalProvider,
    Member,
    Notice,
    Organization,
    StandingOrder,
    TransportProvider,
    Trip,
    Vehicle,
    VehicleRun,
)

__all__ = [
    "BOOK_ROLES",
    "NOTICE_READ_ROLES",
    "RIDE_READ_ROLES",
    "BookingResult",
    "DestinationIn",
    "PlaceIn",
    "RideChange",
    "RideRequestIn",
    "StandingOrderIn",
    "StandingOrderResult",
    "book_ride",
    "cancel_ride",
    "cancel_standing_order",
    "change_ride",
    "create_standing_order",
    "decision_of",
    "describe_notice",
    "describe_ride",
    "get_notice",
    "get_ride",
    "get_standing_order",
    "latest_notice",
    "notices_of",
    "parse_input",
    "rides_of_day",
    "rides_of_member",
    "trip_scope",
]

# -- who may do what --------------------------------------------------------------------------------------------------

BOOK_ROLES = {Role.AGENT, Role.DISPATCHER, Role.FACILITY_SCHEDULER}
RIDE_READ_ROLES = {Role.AGENT, Role.DISPATCHER, Role.PROVIDER_ADMIN, Role.DRIVER, Role.FACILITY_SCHEDULER,
                   Role.AUDITOR, Role.ADMIN}
NOTICE_READ_ROLES = {Role.AGENT, Role.DISPATCHER, Role.FACILITY_SCHEDULER, Role.AUDITOR, Role.ADMIN}

# Leg statuses by decision outcome; dispatch plans only "scheduled" legs of approved, active trips.
LEG_STATUS_OF_OUTCOME = {APPROVED: "scheduled", PENDING: "pending", DENIED: "denied"}
CANCELLED = "cancelled"
# Legs that happened: they cannot be cancelled or changed any more.
DONE_STATUSES = ("completed", "no-show")
# A standing order makes at most this many trips (an input bound, not a program rule).
MAX_OCCURRENCES = 400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# -- input ------------------------------------------------------------------------------------------------------------

Private = Annotated[str, Field(repr=False)]
ShortText = Annotated[str, Field(max_length=300)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlaceIn(_In):
    """A pick-up place other than the member's home: street address and ZIP."""

    address: Annotated[str, Field(min_length=1, max_length=300, repr=False)]
    zip: Annotated[str, Field(repr=False)]


class DestinationIn(_In):
    """Where the member goes: a medical provider of the directory by its key, or a free address with ZIP.

    ``service`` names the service (``"dialysis"``); for a directory provider it must be one the provider offers. The
    flags are the agent's answers the directory cannot give (the decision contract's destination fields)."""

    provider: str | None = Field(default=None, description="MedicalProvider key")
    name: ShortText | None = None
    address: ShortText | None = None
    zip: str | None = None
    service: Annotated[str, Field(min_length=1, max_length=100)]
    service_covered: bool = True
    provider_enrolled: bool | None = Field(default=None, description="required for a free address")
    closest_provider_accepts_member: bool | None = Field(
        default=None, description="false when the closest qualified provider refused the member; "
                                  "default: read from the directory")
    border_town: bool = False
    established_provider_previous_locale: bool = False


class _TripFields(_In):
    member: str = Field(description="the member's opaque key")
    medicaid_id: Annotated[str | None, Field(repr=False, description="optional identity check against the member's "
                                                                     "record; never put it in a URL")] = None
    requested_by: Literal["member", "representative", "medical-facility"] | None = None
    purpose: Purpose = "medical"
    destination: DestinationIn
    pickup: PlaceIn | None = Field(default=None, description="default: the member's home address")
    direction: Literal["to-appointment", "from-appointment"] = Field(
        default="to-appointment",
        description="one-way only: from-appointment = from the destination back to the pick-up place (hospital "
                    "discharge, missed pick-up)")
    requested_mode: Mode
    round_trip: bool = False
    urgent_reason: UrgentReason | None = None
    missed_pickup_scheduled_at: AwareDatetime | None = None
    escorts: list[EscortInput] = Field(default_factory=list, max_length=10)
    additional_passengers: list[PassengerInput] = Field(default_factory=list, max_length=10)
    unaccompanied_minor_release: bool = False
    verification_form_25mi_signed_on: dt.date | None = None
    overnight: bool = False
    school_funded_day_treatment: bool = False
    iep_specialized_transportation: bool = False
    mail_order_available: bool = False
    facility_program_service: bool = False
    moved_within_3_months: bool = False
    caregiver: CaregiverInput | None = None


class RideRequestIn(_TripFields):
    """One ride: the body of ``POST /api/v1/rides``."""

    appointment_at: AwareDatetime
    return_pickup_at: AwareDatetime | None = Field(default=None, description="required for a round trip")
    recurring: bool = False
    requested_at: AwareDatetime | None = Field(default=None, description="when the ride was asked for; default now")


class StandingOrderIn(_TripFields):
    """Recurring appointments: the body of ``POST /api/v1/standing-orders``. Times are local program times."""

    weekdays: Annotated[list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]], Field(min_length=1)]
    appointment_time: dt.time
    return_pickup_time: dt.time | None = None
    start_date: dt.date
    end_date: dt.date


class RideChange(_In):
    """What may change on a booked ride (the ride is decided again): the body of ``PATCH /api/v1/rides/{key}``."""

    appointment_at: AwareDatetime | None = None
    return_pickup_at: AwareDatetime | None = None
    destination: DestinationIn | None = None
    requested_mode: Mode | None = None
    reason: Annotated[str, Field(max_length=200)] = ""


InputModel = TypeVar("InputModel", bound=BaseModel)


def parse_input(model: type[InputModel], data: Any) -> InputModel:
    """Validate a dict (a web form, a CLI file) into one of the input models; :class:`InvalidInput` names the field
    by its path. Messages never quote the value."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = contract_error(exc)
        raise InvalidInput(error.message, field=error.path or None, rule="request schema") from None


# -- results ----------------------------------------------------------------------------------------------------------


@dataclass
class BookingResult:
    trip: Trip
    decision: Decision
    notice: Notice | None
    created: bool  # False: the same request was booked before (retry, race) and this is that trip


@dataclass
class StandingOrderResult:
    order: StandingOrder
    trips: list[BookingResult] = field(default_factory=list)
    created: bool = True
    cancelled_trips: int = 0


# -- helpers ----------------------------------------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _norm(text: str | None) -> str:
    return " ".join((text or "").replace(",", " ").split()).casefold()


def _sha(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _zip5(value: str | None, field_name: str) -> geo.ZipRecord:
    """A known ZIP code or InvalidInput naming the field (without quoting the value)."""
    try:
        return geo.lookup_zip(value or "", field_name)
    except geo.GeoError:
        raise InvalidInput("is not a known ZIP code (5 digits, or ZIP+4)", field=field_name,
                           rule="known ZIP code") from None


def _normalized_county(name: str) -> str:
    name = " ".join((name or "").split()).casefold()
    return name.removesuffix(" county")


def _body_path(path: str) -> str:
    """A decision-contract path as a booking body path: ``trip.caregiver`` -> ``caregiver``."""
    if path.startswith("trip.destination."):
        return "destination." + path[len("trip.destination."):]
    if path.startswith("trip."):
        return path[len("trip."):]
    if path.startswith("member."):
        return "member"
    return path or "body"


def _require(actor: Actor, allowed: set) -> None:
    access.require_role(actor, allowed)


def _policy(program: str) -> Policy:
    return load_policy(program)


# -- scoping ----------------------------------------------------------------------------------------------------------


def _provider_of_org(org_id: int | None):
    return select(TransportProvider.id).where(TransportProvider.organization_id == org_id)


def trip_scope(actor: Actor):
    """SQL condition on Trip: the trips ``actor`` may see. Broker and Department: every trip of the program;
    transportation providers: trips with a leg assigned to them (drivers: to them personally); medical facilities:
    the trips they booked."""
    conds = []
    if actor.program is not None:
        conds.append(Trip.program == actor.program)
    kind = actor.organization_kind
    if kind == OrgKind.PROVIDER:
        legs = select(Leg.trip_id).where(Leg.provider_id.in_(_provider_of_org(actor.organization_id)))
        if actor.role == Role.DRIVER:
            legs = legs.where(Leg.driver_id.in_(select(Driver.id).where(Driver.user_id == actor.user_id)))
        conds.append(Trip.id.in_(legs))
    elif kind == OrgKind.FACILITY:
        conds.append(Trip.booked_by_org_id == actor.organization_id)
    elif kind not in (OrgKind.BROKER, OrgKind.DEPARTMENT, None):
        conds.append(Trip.id.is_(None))
    if not conds:
        return None
    cond = conds[0]
    for c in conds[1:]:
        cond = cond & c
    return cond


def _member_trip_link(org_kind: str | None, org_id: int | None):
    """Trip-based member visibility (registered with nemt.services.platform.access)."""
    if org_kind == OrgKind.PROVIDER:
        return Member.id.in_(select(Trip.member_id).join(Leg, Leg.trip_id == Trip.id)
                             .where(Leg.provider_id.in_(_provider_of_org(org_id))))
    if org_kind == OrgKind.FACILITY:
        return Member.id.in_(select(Trip.member_id).where(Trip.booked_by_org_id == org_id))
    return None


access.register_trip_link(_member_trip_link)


def _trip_query():
    return select(Trip).options(selectinload(Trip.legs), selectinload(Trip.member))


def _visible_trip(uow, actor: Actor, key: str) -> Trip:
    query = _trip_query().where(Trip.key == key)
    cond = trip_scope(actor)
    if cond is not None:
        query = query.where(cond)
    trip = uow.session.scalar(query) if key else None
    if trip is None:
        # The same answer for a trip that does not exist and one the actor may not see.
        raise NotFound("no such ride", field="ride", rule="organization-based access")
    return trip


def _bookable_member(uow, actor: Actor, key: str) -> Member:
    member = uow.members.by_key(key) if key else None
    if member is None or not actor.sees_program(member.program):
        raise NotFound("no such member", field="member", rule="member look-up")
    # A facility books for members it found by exact Medicaid ID (services.members.find_members); the broker and
    # the Department book for every member of the program. Providers do not book (role check).
    return member


# -- the decision input -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Place:
    address: str
    zip: str  # five digits
    county: str
    state: str
    name: str = ""
    provider: MedicalProvider | None = None


@dataclass
class _Prepared:
    """Everything a trip row needs, computed and validated before anything is written."""

    member: Member
    policy: Policy
    body: dict  # the booking request (JSON), as stored on the trip for re-decisions
    appointment_at: dt.datetime
    return_pickup_at: dt.datetime | None
    requested_at: dt.datetime
    requested_by: str
    pickup: _Place
    destination: _Place
    miles_from_home: float
    leg_miles: float
    decide_input: DecideInput
    decision: Decision
    idempotency_key: str
    fingerprint: str
    key_source: str  # "header" | "content"


def _destination(uow, member: Member, d: DestinationIn) -> _Place:
    if d.provider is not None:
        if d.name or d.address or d.zip:
            raise InvalidInput("give either a provider key or a free address, not both", field="destination",
                               rule="destination")
        mp = uow.session.scalar(select(MedicalProvider).where(MedicalProvider.key == d.provider,
                                                              MedicalProvider.program == member.program))
        if mp is None:
            raise NotFound("no such medical provider in the program", field="destination.provider",
                           rule="provider directory")
        if d.service not in (mp.services or []):
            raise InvalidInput("the provider does not offer this service", field="destination.service",
                               rule="provider directory: services offered")
        record = _zip5(mp.zip, "destination.provider")
        address = ", ".join(p for p in (mp.address_line, mp.city) if p)
        return _Place(address, record.zip_code, mp.county or record.county, mp.state or record.state, mp.name, mp)
    for name in ("name", "address", "zip"):
        if not getattr(d, name):
            raise InvalidInput("required for a free address (or give destination.provider)",
                               field=f"destination.{name}", rule="destination")
    assert d.name and d.address  # refused empty just above (mypy does not follow getattr)
    if d.provider_enrolled is None:
        raise InvalidInput("required for a free address: is the provider enrolled with the program?",
                           field="destination.provider_enrolled", rule="destination")
    record = _zip5(d.zip, "destination.zip")
    return _Place(d.address.strip(), record.zip_code, record.county, record.state, d.name.strip(), None)


def _pickup(member: Member, p: PlaceIn | None) -> _Place:
    if p is None:
        record = _zip5(member.zip, "member")
        address = ", ".join(x for x in (member.address_line, member.city) if x)
        return _Place(address, record.zip_code, member.county or record.county, member.state or record.state)
    record = _zip5(p.zip, "pickup.zip")
    return _Place(p.address.strip(), record.zip_code, record.county, record.state)


def _destination_identity(d: DestinationIn) -> str:
    if d.provider is not None:
        return "provider:" + d.provider
    return "address:" + _norm(d.address) + "|" + (d.zip or "")[:5]


def _idempotency(member: Member, header: str | None, appointment_at: dt.datetime, d: DestinationIn,
                 direction: str) -> tuple[str, str]:
    if header is not None:
        header = header.strip()
        if not header or len(header) > 200:
            raise InvalidInput("an Idempotency-Key has 1 to 200 characters", field="Idempotency-Key",
                               rule="idempotency")
        return _sha("header", member.key, header), "header"
    return _sha("content", member.key, _utc(appointment_at).isoformat(), _destination_identity(d), direction), \
        "content"


def _fingerprint(body: dict) -> str:
    core = {k: v for k, v in body.items() if k != "requested_at"}
    return _sha(json.dumps(core, sort_keys=True, default=str))


def _closest_qualified(uow, member: Member, service: str, policy: Policy, engine,
                       cache: dict) -> tuple[float | None, bool]:
    """Miles to the closest enrolled provider offering ``service`` within the program's radius (None: none within
    it), and whether that provider accepts members. Programs without a distance rule get (None, True)."""
    radius = policy.get("distance.radius_miles", None)
    if radius is None:
        return None, True
    key = ("closest", member.zip, service)
    if key not in cache:
        ranked = network.closest_medical_providers(uow, member.program, member.zip, service,
                                                   within_miles=float(radius), engine=engine)
        accepting = [r for r in ranked if r.provider.accepting_members]
        if not ranked:
            cache[key] = (None, True)
        else:
            cache[key] = (accepting[0].miles, True) if accepting else (ranked[0].miles, False)
    return cache[key]


def _requested_by(actor: Actor, asked: str | None) -> str:
    if actor.organization_kind == OrgKind.FACILITY:
        if asked not in (None, "medical-facility"):
            raise InvalidInput("a medical facility's user books as medical-facility", field="requested_by",
                               rule="who requests the ride")
        return "medical-facility"
    if asked == "medical-facility":
        raise InvalidInput("only a medical facility's own user books as medical-facility", field="requested_by",
                           rule="who requests the ride")
    return asked or "member"


def _prepare(uow, actor: Actor, req: RideRequestIn, now: dt.datetime, *, idempotency_header: str | None = None,
             member: Member | None = None, cache: dict | None = None, check_future: bool = True,
             keep_requested_by: str | None = None) -> _Prepared:
    """Validate the request and decide it. Writes nothing."""
    cache = {} if cache is None else cache
    member = member or _bookable_member(uow, actor, req.member)
    policy = _policy(member.program)
    if req.medicaid_id is not None:
        value = req.medicaid_id.strip().upper()
        if not policy.valid_medicaid_id(value):
            raise InvalidInput(f"a {policy.code} Medicaid ID is one letter and six digits (e.g. "
                               f"{policy.get('identifiers.medicaid_id_example')})", field="medicaid_id",
                               rule=policy.cite("identifiers"))
        if value != member.medicaid_id:
            raise InvalidInput("does not match the member's record", field="medicaid_id", rule="identity check")
    # A change keeps who asked for the ride originally (an agent may change a facility's booking).
    requested_by = keep_requested_by or _requested_by(actor, req.requested_by)
    requested_at = req.requested_at or now
    if requested_at > now:
        raise InvalidInput("is in the future", field="requested_at", rule="requested before booked")
    if check_future and req.appointment_at <= now:
        raise InvalidInput("is in the past: rides are booked for future appointments", field="appointment_at",
                           rule="appointment in the future")
    if req.requested_mode not in policy.modes:
        raise InvalidInput(f"is not a mode of the {policy.code} program", field="requested_mode",
                           rule=policy.cite("program"))
    if req.round_trip:
        if req.direction != "to-appointment":
            raise InvalidInput("a round trip goes to the appointment and back", field="direction",
                               rule="round trip")
        if req.return_pickup_at is None:
            raise InvalidInput("required for a round trip", field="return_pickup_at", rule="round trip")
        if req.return_pickup_at <= req.appointment_at:
            raise InvalidInput("must be after the appointment", field="return_pickup_at",
                               rule="return after the appointment")
    elif req.return_pickup_at is not None:
        raise InvalidInput("only a round trip has a return pick-up", field="return_pickup_at", rule="round trip")

    destination = _destination(uow, member, req.destination)
    pickup = _pickup(member, req.pickup)
    if pickup.zip == destination.zip and _norm(pickup.address) == _norm(destination.address):
        raise InvalidInput("the pick-up place and the destination are the same", field="destination",
                           rule="pick-up differs from destination")
    key, source = _idempotency(member, idempotency_header, req.appointment_at, req.destination, req.direction)

    engine = geo.default_engine()
    home_record = _zip5(member.zip, "member")
    home = home_record.point
    dest_point = geo.point_of_zip(destination.zip)
    route_key = ("route", member.zip, destination.zip, pickup.zip)
    if route_key not in cache:
        miles_from_home = engine.route(home, dest_point).miles
        leg_miles = miles_from_home if pickup.zip == home_record.zip_code else \
            engine.route(geo.point_of_zip(pickup.zip), dest_point).miles
        cache[route_key] = (miles_from_home, leg_miles)
    miles_from_home, leg_miles = cache[route_key]
    closest_miles, accepts = _closest_qualified(uow, member, req.destination.service, policy, engine, cache)
    if req.destination.closest_provider_accepts_member is not None:
        accepts = req.destination.closest_provider_accepts_member

    d = req.destination
    provider_enrolled = destination.provider.enrolled if destination.provider is not None else bool(
        d.provider_enrolled)
    document = {
        "program": member.program,
        "requested_at": requested_at,
        "requested_by": requested_by,
        "member": {
            "medicaid_id": member.medicaid_id,
            "name": f"{member.first_name} {member.last_name}",
            "birth_date": member.birth_date,
            "home": {"zip": home_record.zip_code, "county": member.county, "state": member.state},
            "coverage": [{"plan": c.plan, "start": c.start, "end": c.end} for c in member.coverage],
            "has_other_transportation": bool(member.has_other_transportation),
            "residence": member.residence,
            "facility_has_vehicle": member.facility_has_vehicle if member.residence != "home" else None,
            "documented_needs": list(member.documented_needs),
            "at_risk_adult": bool(member.at_risk_adult),
            "moved_within_3_months": req.moved_within_3_months,
        },
        "trip": {
            "purpose": req.purpose,
            "appointment_at": req.appointment_at,
            "destination": {
                "name": destination.name, "zip": destination.zip, "county": destination.county,
                "state": destination.state, "service": d.service, "service_covered": d.service_covered,
                "provider_enrolled": provider_enrolled, "miles_from_home": float(miles_from_home),
                "closest_qualified_provider_miles": None if closest_miles is None else float(closest_miles),
                "closest_provider_accepts_member": accepts, "border_town": d.border_town,
                "established_provider_previous_locale": d.established_provider_previous_locale,
            },
            "requested_mode": req.requested_mode,
            "round_trip": req.round_trip,
            "recurring": req.recurring,
            "urgent_reason": req.urgent_reason,
            "missed_pickup_scheduled_at": req.missed_pickup_scheduled_at,
            "escorts": [e.model_dump() for e in req.escorts],
            "additional_passengers": [p.model_dump() for p in req.additional_passengers],
            "unaccompanied_minor_release": req.unaccompanied_minor_release,
            "verification_form_25mi_signed_on": req.verification_form_25mi_signed_on,
            "overnight": req.overnight,
            "school_funded_day_treatment": req.school_funded_day_treatment,
            "iep_specialized_transportation": req.iep_specialized_transportation,
            "mail_order_available": req.mail_order_available,
            "facility_program_service": req.facility_program_service,
            "caregiver": req.caregiver.model_dump() if req.caregiver is not None else None,
        },
    }
    try:
        decide_input = DecideInput.model_validate(document)
        check_decide_input(decide_input, policy)
    except ValidationError as exc:
        error = contract_error(exc)
        raise InvalidInput(error.message, field=_body_path(error.path), rule="decision input contract") from None
    except ContractError as exc:
        raise InvalidInput(exc.message, field=_body_path(exc.path), rule="decision input contract") from None
    decision = decide(to_ride_request(decide_input), policy, now)
    body = req.model_dump(mode="json")
    return _Prepared(
        member=member, policy=policy, body=body, appointment_at=req.appointment_at,
        return_pickup_at=req.return_pickup_at, requested_at=requested_at, requested_by=requested_by, pickup=pickup,
        destination=destination, miles_from_home=float(miles_from_home), leg_miles=float(leg_miles),
        decide_input=decide_input, decision=decision, idempotency_key=key, fingerprint=_fingerprint(body),
        key_source=source,
    )


# -- writing trips ----------------------------------------------------------------------------------------------------


def _decision_json(decision: Decision) -> dict:
    out = decision.as_dict()
    out["decided_at"] = decision.decided_at.isoformat() if decision.decided_at else None
    return out


def decision_of(trip: Trip) -> Decision:
    """The stored decision of a trip as the domain value."""
    d = trip.decision or {}
    decided_at = d.get("decided_at")
    return Decision(
        outcome=d.get("outcome", trip.outcome), mode=d.get("mode", trip.mode),
        arranged_by=d.get("arranged_by", trip.arranged_by),
        reasons=tuple(Reason(r["code"], r["kind"], r["message"], r["citation"]) for r in d.get("reasons", [])),
        date_of_service=dt.date.fromisoformat(d["date_of_service"]) if d.get("date_of_service") else trip.service_date,
        decided_at=dt.datetime.fromisoformat(decided_at) if decided_at else None,
    )


def _provider_credentialed(uow, provider: TransportProvider, mode: str, day: dt.date, program: str) -> bool:
    drivers = list(uow.session.scalars(select(Driver).where(Driver.provider_id == provider.id,
                                                            Driver.active.is_(True)).order_by(Driver.id)))
    vehicles = list(uow.session.scalars(select(Vehicle).where(Vehicle.provider_id == provider.id,
                                                              Vehicle.active.is_(True)).order_by(Vehicle.id)))
    return any(network.assignment_check(d, v, mode, day, program).ok for v in vehicles for d in drivers)


def _pick_provider(uow, member: Member, mode: str, day: dt.date, policy: Policy,
                   prefer: int | None = None) -> TransportProvider:
    """A credentialed transportation provider serving the member's county and the mode (``prefer`` — the provider
    the ride already has — when it still qualifies, else the least loaded that day, then by name): Urgent NEMT trips
    scheduled directly by medical facilities go to a transportation provider."""
    county = _normalized_county(member.county)
    candidates = []
    for provider in uow.session.scalars(
            select(TransportProvider).join(Organization, TransportProvider.organization_id == Organization.id)
            .where(Organization.program == member.program, TransportProvider.enrolled.is_(True))
            .order_by(Organization.name)):
        if county not in {_normalized_county(c) for c in provider.service_counties or []}:
            continue
        if mode not in (provider.modes or []):
            continue
        if not _provider_credentialed(uow, provider, mode, day, member.program):
            continue
        load = len(list(uow.session.scalars(select(Leg.id).where(
            Leg.provider_id == provider.id, Leg.service_date == day, Leg.status != CANCELLED))))
        if provider.id == prefer:
            return provider
        candidates.append((load, provider.organization.name, provider))
    if not candidates:
        raise Conflict(f"no credentialed transportation provider serves the member's county for {mode} on "
                       f"{day.isoformat()}; call the broker", field="requested_mode", rule=policy.cite("urgent"))
    return min(candidates, key=lambda c: (c[0], c[1]))[2]


def _legs_for(p: _Prepared) -> list[dict]:
    zone = p.policy.time_zone
    out_date = p.appointment_at.astimezone(zone).date()
    pickup, dest = p.pickup, p.destination
    body = p.body
    if body["direction"] == "from-appointment":
        return [{"sequence": 1, "service_date": out_date, "origin_address": dest.address, "origin_zip": dest.zip,
                     "destination_address": pickup.address, "destination_zip": pickup.zip,
                     "pickup_earliest": _utc(p.appointment_at), "dropoff_latest": None, "miles": p.leg_miles}]
    legs = [{"sequence": 1, "service_date": out_date, "origin_address": pickup.address, "origin_zip": pickup.zip,
                 "destination_address": dest.address, "destination_zip": dest.zip, "pickup_earliest": None,
                 "dropoff_latest": _utc(p.appointment_at), "miles": p.leg_miles}]
    if body["round_trip"]:
        assert p.return_pickup_at is not None  # _prepare refuses a round trip without its return pick-up
        legs.append({"sequence": 2, "service_date": p.return_pickup_at.astimezone(zone).date(),
                         "origin_address": dest.address, "origin_zip": dest.zip, "destination_address": pickup.address,
                         "destination_zip": pickup.zip, "pickup_earliest": _utc(p.return_pickup_at),
                         "dropoff_latest": None, "miles": p.leg_miles})
    return legs


def _apply_decision(trip: Trip, p: _Prepared) -> None:
    decision = p.decision
    trip.program = p.member.program
    trip.requested_by = p.requested_by
    trip.requested_at = _utc(p.requested_at)
    trip.appointment_at = _utc(p.appointment_at)
    trip.service_date = decision.date_of_service
    trip.purpose = p.body["purpose"]
    trip.pickup_address, trip.pickup_zip = p.pickup.address, p.pickup.zip
    trip.destination_provider_id = p.destination.provider.id if p.destination.provider is not None else None
    trip.destination_name, trip.destination_address = p.destination.name, p.destination.address
    trip.destination_zip, trip.destination_county = p.destination.zip, p.destination.county
    trip.destination_state = p.destination.state
    trip.miles = round(p.leg_miles, 2)
    trip.requested_mode, trip.mode = p.body["requested_mode"], decision.mode
    trip.outcome, trip.arranged_by = decision.outcome, decision.arranged_by
    trip.reason_codes = decision.reason_codes
    trip.decision = _decision_json(decision)
    trip.request = {"booking": p.body, "fingerprint": p.fingerprint, "idempotency": p.key_source,
                    "miles_from_home": p.miles_from_home,
                    "closest_qualified_provider_miles":
                        p.decide_input.trip.destination.closest_qualified_provider_miles,
                    "closest_provider_accepts_member":
                        p.decide_input.trip.destination.closest_provider_accepts_member}
    trip.round_trip = bool(p.body["round_trip"])
    trip.urgent = "urgent" in decision.reason_codes
    trip.space = vehicle_space(_policy(trip.program), decision.mode or p.body["requested_mode"])
    trip.escorts = len(p.body["escorts"])
    trip.passengers = len(p.body["additional_passengers"])
    trip.idempotency_key = p.idempotency_key


def _notice_for(uow, trip: Trip, p: _Prepared) -> Notice | None:
    decision = p.decision
    if decision.outcome == APPROVED:
        return None
    kinds = (DENY, HOLD) if decision.outcome == DENIED else (HOLD,)
    reasons = [{"code": r.code, "message": r.message, "citation": r.citation}
               for r in decision.reasons if r.kind in kinds]
    appeal = p.policy.get("notices.appeal")
    notice = Notice(trip_id=trip.id, member_id=trip.member_id, kind=decision.outcome, reasons=reasons,
                    appeal=f"{appeal} ({p.policy.cite('notices')})")
    uow.session.add(notice)
    return notice


def _write_trip(uow, actor: Actor, p: _Prepared, standing_order: StandingOrder | None = None) -> BookingResult:
    number = uow.control_numbers.next(f"confirmation-{p.member.program}")
    trip = Trip(confirmation=f"{p.member.program}-{number:06d}", member=p.member,
                booked_by_user_id=actor.user_id, booked_by_org_id=actor.organization_id,
                standing_order_id=standing_order.id if standing_order is not None else None)
    _apply_decision(trip, p)
    status = LEG_STATUS_OF_OUTCOME[p.decision.outcome]
    provider = None
    if (p.decision.outcome == APPROVED and p.decision.mode is not None  # an approval always names its mode
            and p.policy.has("urgent.facility_arranger")
            and p.decision.arranged_by == p.policy.get("urgent.facility_arranger")):
        provider = _pick_provider(uow, p.member, p.decision.mode, p.decision.date_of_service, p.policy)
    for fields in _legs_for(p):
        trip.legs.append(Leg(status=status, provider_id=provider.id if provider else None, **fields))
    uow.session.add(trip)
    uow.session.flush()
    notice = _notice_for(uow, trip, p)
    audit.record(uow, actor, "create", "trip", p.member.id, trip=trip.key, confirmation=trip.confirmation,
                 outcome=trip.outcome, reason_codes=trip.reason_codes,
                 standing_order=standing_order.key if standing_order is not None else None)
    if notice is not None:
        uow.session.flush()
        audit.record(uow, actor, "create", "notice", p.member.id, notice=notice.key, trip=trip.key,
                     kind=notice.kind)
    return BookingResult(trip, p.decision, notice, created=True)


def _existing(uow, key: str) -> Trip | None:
    return uow.session.scalar(_trip_query().where(Trip.idempotency_key == key))


def _replay(uow, actor: Actor, trip: Trip, p_fingerprint: str | None, key_source: str) -> BookingResult:
    cond = trip_scope(actor)
    if cond is not None and not uow.session.scalar(select(Trip.id).where(Trip.id == trip.id, cond)):
        raise Conflict("this ride is already booked by another office", field="appointment_at",
                       rule="one trip per member, appointment and destination")
    if key_source == "header" and p_fingerprint is not None and trip.request.get("fingerprint") != p_fingerprint:
        raise Conflict("this Idempotency-Key was used for another request", field="Idempotency-Key",
                       rule="idempotency: one key, one request")
    audit.record(uow, actor, "read", "trip", trip.member_id, trip=trip.key, via="idempotent-replay")
    result = BookingResult(trip, decision_of(trip), latest_notice(uow, trip), created=False)
    uow.commit()
    return result


def _is_retryable(exc: Exception, uow) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and uow.session.bind.dialect.name == "sqlite" and \
        "locked" in str(exc).lower()


# -- use cases: book --------------------------------------------------------------------------------------------------


def book_ride(uow, actor: Actor, request: RideRequestIn, now: dt.datetime, *,
              idempotency_key: str | None = None) -> BookingResult:
    """Book one ride: decide it, store the trip and its legs, a notice when denied or pending.

    The same request twice (same ``idempotency_key``, or without one the same member, appointment, destination and
    direction) returns the first trip with ``created=False``. Raises InvalidInput / NotFound / Conflict / Forbidden,
    each naming the field and the rule; nothing is written then."""
    _require(actor, BOOK_ROLES)
    for attempt in range(4):
        p = _prepare(uow, actor, request, now, idempotency_header=idempotency_key)
        existing = _existing(uow, p.idempotency_key)
        if existing is not None:
            return _replay(uow, actor, existing, p.fingerprint, p.key_source)
        try:
            result = _write_trip(uow, actor, p)
            uow.commit()
            return result
        except (IntegrityError, OperationalError) as exc:
            uow.rollback()
            if not _is_retryable(exc, uow) or attempt == 3:
                raise
            # Someone else booked the same request at the same moment: answer with their trip.
            existing = _existing(uow, p.idempotency_key)
            if existing is not None:
                return _replay(uow, actor, existing, p.fingerprint, p.key_source)
    raise Conflict("the ride could not be booked; try again", field="ride", rule="concurrent booking")


# -- use cases: change and cancel -------------------------------------------------------------------------------------


def _drop_from_runs(uow, leg: Leg) -> None:
    """Remove ``leg`` from every vehicle run of its day (the run's version is bumped: optimistic locking)."""
    for run in uow.session.scalars(select(VehicleRun).where(VehicleRun.service_date == leg.service_date)):
        plan = dict(run.plan or {})
        changed = False
        for name in ("stops", "legs"):
            items = plan.get(name)
            if isinstance(items, list):
                kept = [s for s in items if not _mentions(s, leg)]
                if len(kept) != len(items):
                    plan[name] = kept
                    changed = True
        if changed:
            run.plan = plan


def _mentions(item: Any, leg: Leg) -> bool:
    if isinstance(item, dict):
        return item.get("leg") in (leg.key, leg.id) or item.get("leg_key") == leg.key or item.get("leg_id") == leg.id
    return item in (leg.key, leg.id)


def _release(uow, leg: Leg) -> None:
    """Free a leg's place in the schedule: no vehicle, driver, planned times or run position, out of every run."""
    _drop_from_runs(uow, leg)
    leg.vehicle_id = leg.driver_id = None
    leg.planned_pickup = leg.planned_dropoff = None
    leg.run_position = None


def _writable_trip(uow, actor: Actor, key: str) -> Trip:
    _require(actor, BOOK_ROLES)
    trip = _visible_trip(uow, actor, key)
    return trip


def _commit_or_conflict(uow) -> None:
    try:
        uow.commit()
    except StaleDataError:
        uow.rollback()
        raise Conflict("the ride or a vehicle's schedule was changed at the same time; reload and try again",
                       field="ride", rule="optimistic locking") from None


def cancel_ride(uow, actor: Actor, key: str, now: dt.datetime, *, leg: int | str | None = None,
                reason: str = "") -> Trip:
    """Cancel a ride, or one of its legs (``leg`` = sequence number 1/2 or the leg's key). A cancelled leg leaves
    the schedule (vehicle, driver and planned times cleared; removed from its vehicle run). When no leg is left, the
    trip is cancelled. Cancelling what is already cancelled changes nothing."""
    trip = _writable_trip(uow, actor, key)
    targets = list(trip.legs)
    if leg is not None:
        targets = [lg for lg in trip.legs if str(lg.sequence) == str(leg) or lg.key == leg]
        if not targets:
            raise NotFound("the ride has no such leg", field="leg", rule="legs of the ride")
    done = [lg for lg in targets if lg.status in DONE_STATUSES]
    if done and leg is not None:
        raise Conflict(f"the leg is {done[0].status}; it cannot be cancelled", field="leg",
                       rule="only future legs are cancelled")
    changed = False
    for lg in targets:
        if lg.status in DONE_STATUSES or lg.status == CANCELLED:
            continue
        _release(uow, lg)
        lg.status = CANCELLED
        changed = True
    if trip.status != CANCELLED and all(lg.status in (CANCELLED, *DONE_STATUSES) for lg in trip.legs) \
            and any(lg.status == CANCELLED for lg in trip.legs):
        trip.status = CANCELLED
        trip.cancelled_at = now
        trip.cancel_reason = (reason or "")[:200]
        changed = True
    if changed:
        audit.record(uow, actor, "cancel", "trip", trip.member_id, trip=trip.key,
                     legs=[lg.sequence for lg in targets], trip_status=trip.status)
    _commit_or_conflict(uow)
    return trip


def change_ride(uow, actor: Actor, key: str, change: RideChange, now: dt.datetime) -> BookingResult:
    """Change the appointment time, the return pick-up, the destination or the mode; the ride is decided again
    (a new notice when the new decision is a denial or pending). Changed legs leave the schedule (vehicle, driver,
    planned times cleared) so dispatch plans them again."""
    trip = _writable_trip(uow, actor, key)
    if trip.status == CANCELLED:
        raise Conflict("the ride is cancelled", field="ride", rule="only active rides change")
    if any(lg.status in DONE_STATUSES for lg in trip.legs):
        raise Conflict("the ride has already taken place", field="ride", rule="only future rides change")
    if trip.appointment_at <= now:
        raise InvalidInput("the appointment is in the past", field="appointment_at",
                           rule="appointment in the future")
    body = dict(trip.request.get("booking") or {})
    if not body:
        raise Conflict("the ride has no stored request to decide again", field="ride", rule="re-decision")
    updates = change.model_dump(mode="json", exclude_unset=True)
    updates.pop("reason", None)
    if not updates:
        raise InvalidInput("nothing to change", field="body", rule="ride change")
    if change.appointment_at is not None and body.get("round_trip") and "return_pickup_at" not in updates:
        # The return moves with the appointment. (An explicit null appointment is refused by parse_input below.)
        old_appt = dt.datetime.fromisoformat(body["appointment_at"])
        old_ret = dt.datetime.fromisoformat(body["return_pickup_at"])
        updates["return_pickup_at"] = (old_ret + (change.appointment_at - old_appt)).isoformat()
    body.update(updates)
    body["member"] = trip.member.key
    body["requested_at"] = None
    request = parse_input(RideRequestIn, body)
    p = _prepare(uow, actor, request, now, member=trip.member, keep_requested_by=trip.requested_by)
    if trip.request.get("idempotency") == "header":
        p.idempotency_key, p.key_source = trip.idempotency_key, "header"
    else:
        clash = _existing(uow, p.idempotency_key)
        if clash is not None and clash.id != trip.id:
            raise Conflict("another ride is booked for this member, appointment and destination",
                           field="appointment_at", rule="one trip per member, appointment and destination")
    before = {"outcome": trip.outcome, "appointment_at": trip.appointment_at.isoformat(), "mode": trip.mode}
    _apply_decision(trip, p)
    status = LEG_STATUS_OF_OUTCOME[p.decision.outcome]
    provider = None
    if (p.decision.outcome == APPROVED and p.decision.mode is not None  # an approval always names its mode
            and p.policy.has("urgent.facility_arranger")
            and p.decision.arranged_by == p.policy.get("urgent.facility_arranger")):
        current = next((lg.provider_id for lg in trip.legs if lg.provider_id and lg.status != CANCELLED), None)
        provider = _pick_provider(uow, p.member, p.decision.mode, p.decision.date_of_service, p.policy,
                                  prefer=current)
    wanted = {f["sequence"]: f for f in _legs_for(p)}
    for lg in trip.legs:
        if lg.status == CANCELLED:
            continue
        fields = wanted.get(lg.sequence)
        if fields is None:
            continue
        _release(uow, lg)
        for name, value in fields.items():
            setattr(lg, name, value)
        lg.status = status
        lg.provider_id = provider.id if provider is not None else None
    try:
        uow.session.flush()
    except IntegrityError:
        uow.rollback()
        raise Conflict("another ride is booked for this member, appointment and destination",
                       field="appointment_at", rule="one trip per member, appointment and destination") from None
    except StaleDataError:
        uow.rollback()
        raise Conflict("the ride or a vehicle's schedule was changed at the same time; reload and try again",
                       field="ride", rule="optimistic locking") from None
    notice = _notice_for(uow, trip, p)
    audit.record(uow, actor, "update", "trip", trip.member_id, trip=trip.key, changed=sorted(updates),
                 before=before, outcome=trip.outcome, reason=change.reason)
    if notice is not None:
        uow.session.flush()
        audit.record(uow, actor, "create", "notice", trip.member_id, notice=notice.key, trip=trip.key,
                     kind=notice.kind)
    _commit_or_conflict(uow)
    return BookingResult(trip, p.decision, notice, created=False)


# -- use cases: standing orders ---------------------------------------------------------------------------------------


def _occurrences(order: StandingOrderIn, policy: Policy, now: dt.datetime) -> list[tuple[dt.datetime,
                                                                                         dt.datetime | None]]:
    zone = policy.time_zone
    days = {WEEKDAYS.index(w) for w in order.weekdays}
    out = []
    day = order.start_date
    while day <= order.end_date:
        if day.weekday() in days:
            appointment = dt.datetime.combine(day, order.appointment_time.replace(tzinfo=None), tzinfo=zone)
            ret = (dt.datetime.combine(day, order.return_pickup_time.replace(tzinfo=None), tzinfo=zone)
                   if order.return_pickup_time is not None else None)
            if appointment > now:
                out.append((appointment, ret))
        day += dt.timedelta(days=1)
    return out


def create_standing_order(uow, actor: Actor, order: StandingOrderIn, now: dt.datetime, *,
                          idempotency_key: str | None = None) -> StandingOrderResult:
    """Recurring appointments: a StandingOrder and one decided trip per future occurrence (``recurring`` true, as the
    25-mile verification form rule reads it). All trips or none. An occurrence already booked on its own is kept and
    reported with ``created=False``. The same order twice returns the first (``created=False``)."""
    _require(actor, BOOK_ROLES)
    member = _bookable_member(uow, actor, order.member)
    policy = _policy(member.program)
    if order.end_date < order.start_date:
        raise InvalidInput("is before start_date", field="end_date", rule="standing order period")
    if order.round_trip:
        if order.return_pickup_time is None:
            raise InvalidInput("required for a round trip", field="return_pickup_time", rule="round trip")
        if order.return_pickup_time <= order.appointment_time:
            raise InvalidInput("must be after the appointment time", field="return_pickup_time",
                               rule="return after the appointment")
    if (order.end_date - order.start_date).days > MAX_OCCURRENCES * 7:
        raise InvalidInput("the period is too long", field="end_date", rule="standing order period")
    occurrences = _occurrences(order, policy, now)
    if not occurrences:
        raise InvalidInput("no occurrence of the standing order is in the future", field="start_date",
                           rule="appointment in the future")
    if len(occurrences) > MAX_OCCURRENCES:
        raise InvalidInput(f"more than {MAX_OCCURRENCES} occurrences", field="end_date",
                           rule="standing order period")
    body = order.model_dump(mode="json")
    fingerprint = _fingerprint(body)
    if idempotency_key is not None:
        order_key, _ = _idempotency(member, idempotency_key, now, order.destination, order.direction)
    else:
        order_key = _sha("standing-order", member.key, fingerprint)
    trip_fields = {k: v for k, v in order.model_dump().items()
                   if k not in ("weekdays", "appointment_time", "return_pickup_time", "start_date", "end_date")}
    for attempt in range(4):
        found = uow.session.scalar(select(StandingOrder).where(StandingOrder.idempotency_key == order_key))
        if found is not None:
            return _replay_order(uow, actor, found, fingerprint)
        try:
            standing = StandingOrder(program=member.program, member_id=member.id,
                                     weekdays=sorted(WEEKDAYS.index(w) for w in set(order.weekdays)),
                                     appointment_time=order.appointment_time.strftime("%H:%M"),
                                     start_date=order.start_date, end_date=order.end_date,
                                     request={"order": body, "fingerprint": fingerprint},
                                     idempotency_key=order_key, created_by=actor.user_id)
            uow.session.add(standing)
            uow.session.flush()
            result = StandingOrderResult(standing)
            cache: dict = {}
            for appointment, ret in occurrences:
                req = RideRequestIn(**trip_fields, appointment_at=appointment, return_pickup_at=ret, recurring=True)
                p = _prepare(uow, actor, req, now, member=member, cache=cache)
                existing = _existing(uow, p.idempotency_key)
                if existing is not None:
                    result.trips.append(BookingResult(existing, decision_of(existing), None, created=False))
                    continue
                result.trips.append(_write_trip(uow, actor, p, standing))
            audit.record(uow, actor, "create", "standing-order", member.id, standing_order=standing.key,
                         trips=sum(1 for t in result.trips if t.created))
            uow.commit()
            return result
        except (IntegrityError, OperationalError) as exc:
            uow.rollback()
            if not _is_retryable(exc, uow) or attempt == 3:
                raise
        except ServiceError:
            uow.rollback()
            raise
    raise Conflict("the standing order could not be created; try again", field="standing_order",
                   rule="concurrent booking")


def _order_trips(uow, order: StandingOrder) -> list[Trip]:
    return list(uow.session.scalars(_trip_query().where(Trip.standing_order_id == order.id)
                                    .order_by(Trip.appointment_at)))


def _replay_order(uow, actor: Actor, order: StandingOrder, fingerprint: str) -> StandingOrderResult:
    if (order.request or {}).get("fingerprint") != fingerprint:
        raise Conflict("this Idempotency-Key was used for another request", field="Idempotency-Key",
                       rule="idempotency: one key, one request")
    trips = _order_trips(uow, order)
    audit.record(uow, actor, "read", "standing-order", order.member_id, standing_order=order.key,
                 via="idempotent-replay")
    uow.commit()
    return StandingOrderResult(order, [BookingResult(t, decision_of(t), None, created=False) for t in trips],
                               created=False)


def _visible_order(uow, actor: Actor, key: str) -> StandingOrder:
    order = uow.session.scalar(select(StandingOrder).where(StandingOrder.key == key)) if key else None
    if order is None or not actor.sees_program(order.program):
        raise NotFound("no such standing order", field="standing_order", rule="organization-based access")
    if actor.organization_kind == OrgKind.FACILITY:
        creator = uow.users.by_id(order.created_by) if order.created_by else None
        if creator is None or creator.organization_id != actor.organization_id:
            raise NotFound("no such standing order", field="standing_order", rule="organization-based access")
    return order


def cancel_standing_order(uow, actor: Actor, key: str, now: dt.datetime, *, reason: str = "") -> StandingOrderResult:
    """Cancel a standing order and every one of its trips whose appointment is still ahead."""
    _require(actor, BOOK_ROLES)
    order = _visible_order(uow, actor, key)
    count = 0
    for trip in _order_trips(uow, order):
        if trip.status == CANCELLED or trip.appointment_at <= now:
            continue
        for lg in trip.legs:
            if lg.status not in DONE_STATUSES and lg.status != CANCELLED:
                _release(uow, lg)
                lg.status = CANCELLED
        trip.status, trip.cancelled_at = CANCELLED, now
        trip.cancel_reason = (reason or "standing order cancelled")[:200]
        count += 1
    if order.cancelled_at is None:
        order.cancelled_at = now
    audit.record(uow, actor, "cancel", "standing-order", order.member_id, standing_order=order.key,
                 cancelled_trips=count)
    _commit_or_conflict(uow)
    return StandingOrderResult(order, [], created=False, cancelled_trips=count)


def get_standing_order(uow, actor: Actor, key: str) -> StandingOrderResult:
    _require(actor, RIDE_READ_ROLES)
    order = _visible_order(uow, actor, key)
    trips = _order_trips(uow, order)
    audit.record(uow, actor, "read", "standing-order", order.member_id, standing_order=order.key)
    uow.commit()
    return StandingOrderResult(order, [BookingResult(t, decision_of(t), None, created=False) for t in trips],
                               created=False)


# -- use cases: reads -------------------------------------------------------------------------------------------------


def get_ride(uow, actor: Actor, key: str) -> Trip:
    """One ride by its key, if the actor may see it (else NotFound, as for an unknown key)."""
    _require(actor, RIDE_READ_ROLES)
    trip = _visible_trip(uow, actor, key)
    audit.record(uow, actor, "read", "trip", trip.member_id, trip=trip.key)
    uow.commit()
    return trip


def rides_of_member(uow, actor: Actor, member_key: str) -> list[Trip]:
    """A member's rides the actor may see, by appointment time."""
    _require(actor, RIDE_READ_ROLES)
    member = uow.members.by_key(member_key) if member_key else None
    if member is None or not actor.sees_program(member.program):
        raise NotFound("no such member", field="member", rule="member look-up")
    access.ensure_can_see(uow, actor, member)
    query = _trip_query().where(Trip.member_id == member.id).order_by(Trip.appointment_at, Trip.id)
    cond = trip_scope(actor)
    if cond is not None:
        query = query.where(cond)
    trips = list(uow.session.scalars(query))
    audit.record(uow, actor, "read", "trip", member.id, via="member-rides", rows=len(trips))
    uow.commit()
    return trips


def rides_of_day(uow, actor: Actor, day: dt.date, *, program: str | None = None) -> list[Trip]:
    """The rides with a leg on ``day`` (local date of service) that the actor may see: the dispatch list."""
    _require(actor, RIDE_READ_ROLES)
    query = (_trip_query().where(Trip.id.in_(select(Leg.trip_id).where(Leg.service_date == day)))
             .order_by(Trip.appointment_at, Trip.id))
    if program is not None:
        query = query.where(Trip.program == program)
    cond = trip_scope(actor)
    if cond is not None:
        query = query.where(cond)
    trips = list(uow.session.scalars(query))
    for trip in trips:
        audit.record(uow, actor, "read", "trip", trip.member_id, trip=trip.key, via="day-list")
    uow.commit()
    return trips


def notices_of(uow, trip: Trip) -> list[Notice]:
    return list(uow.session.scalars(select(Notice).where(Notice.trip_id == trip.id).order_by(Notice.id)))


def latest_notice(uow, trip: Trip) -> Notice | None:
    notices = notices_of(uow, trip)
    return notices[-1] if notices else None


def get_notice(uow, actor: Actor, key: str) -> tuple[Notice, Trip]:
    """One notice by its key, with its trip, if the actor may see the trip."""
    _require(actor, NOTICE_READ_ROLES)
    notice = uow.session.scalar(select(Notice).where(Notice.key == key)) if key else None
    if notice is None:
        raise NotFound("no such notice", field="notice", rule="organization-based access")
    query = _trip_query().where(Trip.id == notice.trip_id)
    cond = trip_scope(actor)
    if cond is not None:
        query = query.where(cond)
    trip = uow.session.scalar(query)
    if trip is None:
        raise NotFound("no such notice", field="notice", rule="organization-based access")
    audit.record(uow, actor, "read", "notice", notice.member_id, notice=notice.key, trip=trip.key)
    uow.commit()
    return notice, trip


# -- views (JSON-ready dicts for the API and the pages; no member names or IDs) -------------------------------------


def _iso(value: dt.datetime | None, zone) -> str | None:
    return value.astimezone(zone).isoformat() if value is not None else None


def describe_ride(uow, trip: Trip) -> dict:
    """A ride as a JSON-ready dict: decision, reasons with citations, legs, notices. Times in the program's zone.
    The member appears only by key; the pick-up address is included for the people arranging the ride."""
    zone = load_policy(trip.program).time_zone
    # Looked up below with each leg's ids, None for a leg without a provider, vehicle or driver.
    providers: dict[int | None, dict[str, str]] = {}
    vehicles: dict[int | None, str] = {}
    drivers: dict[int | None, str] = {}
    for lg in trip.legs:
        if lg.provider_id and lg.provider_id not in providers:
            p = uow.session.get(TransportProvider, lg.provider_id)
            providers[lg.provider_id] = {"organization": p.organization.key, "name": p.organization.name}
        if lg.vehicle_id and lg.vehicle_id not in vehicles:
            vehicles[lg.vehicle_id] = uow.session.get(Vehicle, lg.vehicle_id).key
        if lg.driver_id and lg.driver_id not in drivers:
            drivers[lg.driver_id] = uow.session.get(Driver, lg.driver_id).key
    order = uow.session.get(StandingOrder, trip.standing_order_id) if trip.standing_order_id else None
    destination_provider = uow.session.get(MedicalProvider, trip.destination_provider_id) \
        if trip.destination_provider_id else None
    decision = trip.decision or {}
    return {
        "key": trip.key,
        "confirmation": trip.confirmation,
        "program": trip.program,
        "member": trip.member.key,
        "status": trip.status,
        "outcome": trip.outcome,
        "mode": trip.mode,
        "requested_mode": trip.requested_mode,
        "arranged_by": trip.arranged_by,
        "reason_codes": list(trip.reason_codes or []),
        "reasons": list(decision.get("reasons", [])),
        "requested_by": trip.requested_by,
        "requested_at": _iso(trip.requested_at, zone),
        "appointment_at": _iso(trip.appointment_at, zone),
        "service_date": trip.service_date.isoformat(),
        "purpose": trip.purpose,
        "pickup": {"address": trip.pickup_address, "zip": trip.pickup_zip},
        "destination": {"provider": destination_provider.key if destination_provider else None,
                        "name": trip.destination_name, "address": trip.destination_address,
                        "zip": trip.destination_zip, "county": trip.destination_county,
                        "state": trip.destination_state},
        "miles": trip.miles,
        "round_trip": trip.round_trip,
        "urgent": trip.urgent,
        "space": trip.space,
        "escorts": trip.escorts,
        "passengers": trip.passengers,
        "standing_order": order.key if order else None,
        "cancelled_at": _iso(trip.cancelled_at, zone),
        "cancel_reason": trip.cancel_reason or None,
        "notices": [n.key for n in notices_of(uow, trip)],
        "legs": [{
            "key": lg.key, "sequence": lg.sequence, "status": lg.status, "service_date": lg.service_date.isoformat(),
            "origin": {"address": lg.origin_address, "zip": lg.origin_zip},
            "destination": {"address": lg.destination_address, "zip": lg.destination_zip},
            "pickup_earliest": _iso(lg.pickup_earliest, zone), "dropoff_latest": _iso(lg.dropoff_latest, zone),
            "miles": lg.miles, "provider": providers.get(lg.provider_id), "vehicle": vehicles.get(lg.vehicle_id),
            "driver": drivers.get(lg.driver_id), "planned_pickup": _iso(lg.planned_pickup, zone),
            "planned_dropoff": _iso(lg.planned_dropoff, zone),
        } for lg in trip.legs],
    }


def describe_notice(notice: Notice, trip: Trip) -> dict:
    zone = load_policy(trip.program).time_zone
    return {
        "key": notice.key, "kind": notice.kind, "trip": trip.key, "confirmation": trip.confirmation,
        "member": trip.member.key, "program": trip.program, "service_date": trip.service_date.isoformat(),
        "arranged_by": trip.arranged_by, "created_at": _iso(notice.created_at, zone),
        "reasons": list(notice.reasons or []), "appeal": notice.appeal,
    }
