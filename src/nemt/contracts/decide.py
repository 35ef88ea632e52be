"""The JSON contract of ``nemt decide`` (acceptance README, "Suite 1 — ride-request decisions", Input).

``parse_ride_request(text)`` turns the input document into a :class:`nemt.domain.rides.RideRequest`, or raises
:class:`ContractError` naming the bad field by its path (``member.medicaid_id``, ``trip.escorts[1].age``).
Malformed means: not JSON; a required field missing; a value of the wrong type; a value outside its closed
vocabulary; a date or datetime that does not parse or a datetime without a UTC offset; a Medicaid ID that does not
match the program policy's ``identifiers.medicaid_id_pattern``.

The pydantic models (``DecideInput`` and its parts) are strict (no coercion: ``"true"`` is not a boolean, ``5`` is
not a string) and are meant to be reused by the booking API; a model that passed pydantic still goes through
:func:`check_decide_input` for the rules that depend on the program or on another field. Error messages name the
field and the rule, never the value (it may be a member's name or ID).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from nemt.contracts import ContractError, format_path
from nemt.domain import rides
from nemt.domain.rides import (
    EscortRole,
    Mode,
    Need,
    PassengerReason,
    PassengerRelation,
    Plan,
    Program,
    Purpose,
    Requester,
    Residence,
    UrgentReason,
)
from nemt.policy import Policy, load_policy

__all__ = [
    "DecideInput", "MemberInput", "TripInput", "DestinationInput", "EscortInput", "PassengerInput", "CaregiverInput",
    "CoverageInput", "HomeInput", "TripFields", "parse_decide_input", "check_decide_input", "to_ride_request",
    "trip_of", "parse_ride_request",
    "contract_error",
]

Miles = Annotated[float, Field(ge=0)]
Age = Annotated[int, Field(ge=0)]
# Identifying values stay out of a model's repr (and so out of any log line that prints one).
Private = Annotated[str, Field(repr=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", allow_inf_nan=False, frozen=True)


class HomeInput(_Strict):
    zip: str
    county: str
    state: str


class CoverageInput(_Strict):
    plan: Plan
    start: dt.date
    end: dt.date | None


class MemberInput(_Strict):
    medicaid_id: Private
    name: Private
    birth_date: Annotated[dt.date, Field(repr=False)]
    home: HomeInput
    coverage: list[CoverageInput]
    has_other_transportation: bool
    residence: Residence
    facility_has_vehicle: bool | None
    documented_needs: list[Need]
    at_risk_adult: bool = False
    moved_within_3_months: bool = False


class DestinationInput(_Strict):
    name: str
    zip: str
    county: str
    state: str
    service: str
    service_covered: bool
    provider_enrolled: bool
    miles_from_home: Miles
    closest_qualified_provider_miles: Miles | None
    closest_provider_accepts_member: bool
    border_town: bool = False
    established_provider_previous_locale: bool = False


class EscortInput(_Strict):
    name: Private
    age: Age
    role: EscortRole
    returns_without_member: bool = False


class PassengerInput(_Strict):
    name: Private
    age: Age
    relation: PassengerRelation
    reason: PassengerReason


class CaregiverInput(_Strict):
    name: Private
    role: str
    medicaid_id: Annotated[str | None, Field(repr=False)]


class TripInput(_Strict):
    purpose: Purpose = "medical"
    appointment_at: AwareDatetime
    destination: DestinationInput
    requested_mode: Mode
    round_trip: bool
    recurring: bool = False
    urgent_reason: UrgentReason | None
    # Required only with urgent_reason "missed-pickup-over-1-hour" (checked in check_decide_input).
    missed_pickup_scheduled_at: AwareDatetime | None = None
    escorts: list[EscortInput]
    additional_passengers: list[PassengerInput]
    unaccompanied_minor_release: bool
    verification_form_25mi_signed_on: dt.date | None
    overnight: bool
    school_funded_day_treatment: bool
    iep_specialized_transportation: bool = False
    mail_order_available: bool = False
    facility_program_service: bool = False
    # Required only with purpose "caregiver-for-child" (checked in check_decide_input).
    caregiver: CaregiverInput | None = None


class DecideInput(_Strict):
    program: Program
    requested_at: AwareDatetime
    requested_by: Requester
    member: MemberInput
    trip: TripInput


# -- errors -----------------------------------------------------------------------------------------------------------

_MESSAGES = {
    "missing": "required field is missing",
    "timezone_aware": "datetime must carry a UTC offset (for example 2025-03-05T10:30:00-07:00)",
    "json_invalid": "not valid JSON",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
}


def contract_error(exc: ValidationError) -> ContractError:
    """The first error of a pydantic validation as a :class:`ContractError` with the field's path. The message is
    pydantic's description of the rule (it does not quote the input value)."""
    error = exc.errors(include_url=False, include_input=False)[0]
    path = format_path(error["loc"])
    kind = error["type"]
    if kind == "json_invalid":
        detail = error.get("ctx", {}).get("error", "")
        return ContractError("", f"not valid JSON ({detail})" if detail else "not valid JSON")
    message = _MESSAGES.get(kind)
    if message is None:
        message = error["msg"]
        if message.startswith("Input "):
            message = message[len("Input "):]
    elif kind == "model_type" and not path:
        message = "the document must be a JSON object"
    return ContractError(path, message)


# -- parsing ----------------------------------------------------------------------------------------------------------


def parse_decide_input(text: str | bytes, policy_for: Callable[[str], Policy] = load_policy) -> DecideInput:
    """Validate the input document; raise :class:`ContractError` naming the first bad field."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ContractError("", "not valid JSON (not UTF-8 text)") from None
    try:
        document = DecideInput.model_validate_json(text)
    except ValidationError as exc:
        raise contract_error(exc) from None
    check_decide_input(document, policy_for(document.program))
    return document


def _check_medicaid_id(value: str, path: str, policy: Policy) -> None:
    if not policy.valid_medicaid_id(value):
        example = policy.get("identifiers.medicaid_id_example", None)
        hint = f" (for example {example})" if example else ""
        raise ContractError(path, f"is not a {policy.code} Medicaid ID: must match {policy.medicaid_id_pattern.pattern}"
                                  f"{hint}")


def check_decide_input(document: DecideInput, policy: Policy) -> None:
    """The rules pydantic's field types do not express: the program's Medicaid ID format and the fields required
    by another field's value."""
    _check_medicaid_id(document.member.medicaid_id, "member.medicaid_id", policy)
    trip = document.trip
    missing = rides.required_field_missing(to_ride_request(document).trip)
    if missing is not None:
        raise ContractError(f"trip.{missing[0]}", missing[1])
    if trip.caregiver is not None and trip.caregiver.medicaid_id is not None:
        _check_medicaid_id(trip.caregiver.medicaid_id, "trip.caregiver.medicaid_id", policy)


def to_ride_request(document: DecideInput) -> rides.RideRequest:
    """The domain value of a validated input document."""
    m, t = document.member, document.trip
    d = t.destination
    member = rides.Member(
        medicaid_id=m.medicaid_id,
        name=m.name,
        birth_date=m.birth_date,
        home=rides.HomeAddress(zip=m.home.zip, county=m.home.county, state=m.home.state),
        coverage=tuple(rides.CoverageSpan(plan=c.plan, start=c.start, end=c.end) for c in m.coverage),
        has_other_transportation=m.has_other_transportation,
        residence=m.residence,
        facility_has_vehicle=m.facility_has_vehicle,
        documented_needs=frozenset(m.documented_needs),
        at_risk_adult=m.at_risk_adult,
        moved_within_3_months=m.moved_within_3_months,
    )
    destination = rides.Destination(
        name=d.name, zip=d.zip, county=d.county, state=d.state, service=d.service,
        service_covered=d.service_covered, provider_enrolled=d.provider_enrolled,
        miles_from_home=d.miles_from_home, closest_qualified_provider_miles=d.closest_qualified_provider_miles,
        closest_provider_accepts_member=d.closest_provider_accepts_member, border_town=d.border_town,
        established_provider_previous_locale=d.established_provider_previous_locale,
    )
    return rides.RideRequest(
        program=document.program, requested_at=document.requested_at, requested_by=document.requested_by,
        member=member, trip=trip_of(t, destination),
    )


class TripFields(Protocol):
    """What a trip request says besides its destination: the contract's ``trip`` and the booking command
    (``nemt.services.rides.commands.RideRequestIn``) both have these fields, under these names."""

    @property
    def purpose(self) -> str: ...
    @property
    def appointment_at(self) -> dt.datetime: ...
    @property
    def requested_mode(self) -> str: ...
    @property
    def round_trip(self) -> bool: ...
    @property
    def recurring(self) -> bool: ...
    @property
    def urgent_reason(self) -> str | None: ...
    @property
    def missed_pickup_scheduled_at(self) -> dt.datetime | None: ...
    @property
    def escorts(self) -> Sequence[EscortInput]: ...
    @property
    def additional_passengers(self) -> Sequence[PassengerInput]: ...
    @property
    def unaccompanied_minor_release(self) -> bool: ...
    @property
    def verification_form_25mi_signed_on(self) -> dt.date | None: ...
    @property
    def overnight(self) -> bool: ...
    @property
    def school_funded_day_treatment(self) -> bool: ...
    @property
    def iep_specialized_transportation(self) -> bool: ...
    @property
    def mail_order_available(self) -> bool: ...
    @property
    def facility_program_service(self) -> bool: ...
    @property
    def caregiver(self) -> CaregiverInput | None: ...


def trip_of(t: TripFields, destination: rides.Destination) -> rides.Trip:
    """The domain trip of a trip request going to ``destination``."""
    return rides.Trip(
        purpose=t.purpose,
        appointment_at=t.appointment_at,
        destination=destination,
        requested_mode=t.requested_mode,
        round_trip=t.round_trip,
        recurring=t.recurring,
        urgent_reason=t.urgent_reason,
        missed_pickup_scheduled_at=t.missed_pickup_scheduled_at,
        escorts=tuple(rides.Escort(e.name, e.age, e.role, e.returns_without_member) for e in t.escorts),
        additional_passengers=tuple(
            rides.AdditionalPassenger(p.name, p.age, p.relation, p.reason) for p in t.additional_passengers),
        unaccompanied_minor_release=t.unaccompanied_minor_release,
        verification_form_25mi_signed_on=t.verification_form_25mi_signed_on,
        overnight=t.overnight,
        school_funded_day_treatment=t.school_funded_day_treatment,
        iep_specialized_transportation=t.iep_specialized_transportation,
        mail_order_available=t.mail_order_available,
        facility_program_service=t.facility_program_service,
        caregiver=(rides.Caregiver(t.caregiver.name, t.caregiver.role, t.caregiver.medicaid_id)
                   if t.caregiver is not None else None),
    )




def parse_ride_request(text: str | bytes, policy_for: Callable[[str], Policy] = load_policy) -> rides.RideRequest:
    """Input document -> domain request; :class:`ContractError` when malformed."""
    return to_ride_request(parse_decide_input(text, policy_for))
