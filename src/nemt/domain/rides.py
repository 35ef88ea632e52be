"""Value objects of a ride request: the member's facts, the trip, the people who ride along.

Plain frozen dataclasses with no validation and no I/O: the JSON contract (``nemt.contracts.decide``) builds them
from validated input, and tests build them directly. Closed vocabularies are listed here as tuples; the reading of
each value is in the acceptance README ("Vocabularies (decisions)") and in the rule that uses it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "PROGRAMS", "REQUESTERS", "RESIDENCES", "FACILITY_RESIDENCES", "PLANS", "NEEDS", "PURPOSES", "MODES",
    "URGENT_REASONS", "ESCORT_ROLES", "PASSENGER_RELATIONS", "PASSENGER_REASONS",
    "Program", "Requester", "Residence", "Plan", "Need", "Purpose", "Mode", "UrgentReason", "EscortRole",
    "PassengerRelation", "PassengerReason",
    "HomeAddress", "CoverageSpan", "Member", "Destination", "Escort", "AdditionalPassenger", "Caregiver", "Trip",
    "RideRequest", "required_field_missing", "member_facts_problem",
]

# -- closed vocabularies (acceptance README, "Vocabularies (decisions)") -------------------------------------------

Program = Literal["CO", "CT"]
Requester = Literal["member", "representative", "medical-facility"]
Residence = Literal["home", "nursing-facility", "group-home"]
Plan = Literal["medicaid-state-plan", "QMB-only", "SLMB-only", "QI-1", "OAP-state-only", "CHP+", "HUSKY"]
Need = Literal[
    "cannot-use-less-costly-modes", "wheelchair-confined", "prone-or-supine", "ambulance-required",
    "air-ambulance-required", "commercial-air-required", "train-required", "escort-required", "second-escort",
    "complex-medical-condition", "caregiver-participation-ordered",
]
Purpose = Literal[
    "medical", "pharmacy-prescription", "pharmacy-other", "hcbs", "day-treatment", "residential-treatment",
    "caregiver-for-child",
]
Mode = Literal[
    "public-transit", "personal-vehicle-mileage", "mobility-ambulatory", "wheelchair-van", "taxi", "stretcher-van",
    "ground-ambulance", "air-ambulance", "commercial-air", "train",
]
UrgentReason = Literal["hospital-discharge", "missed-pickup-over-1-hour", "critical-unplanned"]
EscortRole = Literal["parent", "guardian", "family", "caregiver", "spouse", "friend", "attendant"]
PassengerRelation = Literal[
    "member-child", "member-sibling", "member-at-risk-adult", "escort-child", "escort-at-risk-adult", "other",
]
PassengerReason = Literal["no-childcare", "no-at-risk-adult-care", "other"]

PROGRAMS: tuple[str, ...] = get_args(Program)
REQUESTERS: tuple[str, ...] = get_args(Requester)
RESIDENCES: tuple[str, ...] = get_args(Residence)
# Exclusions: "Transportation for nursing facility or group home residents ..."
FACILITY_RESIDENCES: tuple[str, ...] = ("nursing-facility", "group-home")
PLANS: tuple[str, ...] = get_args(Plan)
NEEDS: tuple[str, ...] = get_args(Need)
PURPOSES: tuple[str, ...] = get_args(Purpose)
MODES: tuple[str, ...] = get_args(Mode)
URGENT_REASONS: tuple[str, ...] = get_args(UrgentReason)
ESCORT_ROLES: tuple[str, ...] = get_args(EscortRole)
PASSENGER_RELATIONS: tuple[str, ...] = get_args(PassengerRelation)
PASSENGER_REASONS: tuple[str, ...] = get_args(PassengerReason)


# -- member ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeAddress:
    """The member's residence. ``county`` is written without the word "County" (``"El Paso"``)."""

    zip: str
    county: str
    state: str


@dataclass(frozen=True)
class CoverageSpan:
    """One benefit-plan span; ``start`` and ``end`` are both inclusive, ``end=None`` is open-ended."""

    plan: str
    start: dt.date
    end: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Member:
    """The facts about a member that the ride rules read. Identifying fields (``medicaid_id``, ``name``,
    ``birth_date``) are carried for the booking record; rules use the birth date only to compute an age."""

    medicaid_id: str
    name: str
    birth_date: dt.date
    home: HomeAddress
    coverage: tuple[CoverageSpan, ...] = ()
    has_other_transportation: bool = False
    residence: str = "home"
    facility_has_vehicle: bool | None = None
    documented_needs: frozenset[str] = frozenset()
    at_risk_adult: bool = False
    moved_within_3_months: bool = False

    def __repr__(self) -> str:  # keep member data out of logs and tracebacks
        return f"Member(residence={self.residence!r}, needs={sorted(self.documented_needs)!r}, ...)"

    def has_need(self, need: str) -> bool:
        return need in self.documented_needs

    def plans_on(self, day: dt.date) -> frozenset[str]:
        """The plans whose span covers ``day``."""
        return frozenset(span.plan for span in self.coverage if span.covers(day))


# -- trip --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Destination:
    """The medical service location (for a discharge or a missed pick-up: the place the member leaves)."""

    name: str
    zip: str
    county: str
    state: str
    service: str
    service_covered: bool
    provider_enrolled: bool
    miles_from_home: float
    closest_qualified_provider_miles: float | None = None
    closest_provider_accepts_member: bool = True
    border_town: bool = False
    established_provider_previous_locale: bool = False


@dataclass(frozen=True)
class Escort:
    name: str
    age: int
    role: str
    returns_without_member: bool = False

    def __repr__(self) -> str:
        return f"Escort(age={self.age!r}, role={self.role!r}, returns_without_member={self.returns_without_member!r})"


@dataclass(frozen=True)
class AdditionalPassenger:
    """Someone other than an escort riding along (Child or At-Risk Adult Accompaniment)."""

    name: str
    age: int
    relation: str
    reason: str

    def __repr__(self) -> str:
        return f"AdditionalPassenger(age={self.age!r}, relation={self.relation!r}, reason={self.reason!r})"


@dataclass(frozen=True)
class Caregiver:
    """The parent, family member or caregiver who travels for a child member who is not present."""

    name: str
    role: str
    medicaid_id: str | None = None

    def __repr__(self) -> str:
        return f"Caregiver(role={self.role!r}, enrolled={self.medicaid_id is not None!r})"


@dataclass(frozen=True)
class Trip:
    appointment_at: dt.datetime
    destination: Destination
    requested_mode: str
    round_trip: bool = True
    purpose: str = "medical"
    recurring: bool = False
    urgent_reason: str | None = None
    missed_pickup_scheduled_at: dt.datetime | None = None
    escorts: tuple[Escort, ...] = ()
    additional_passengers: tuple[AdditionalPassenger, ...] = ()
    unaccompanied_minor_release: bool = False
    verification_form_25mi_signed_on: dt.date | None = None
    overnight: bool = False
    school_funded_day_treatment: bool = False
    iep_specialized_transportation: bool = False
    mail_order_available: bool = False
    facility_program_service: bool = False
    caregiver: Caregiver | None = None
    # What the Department's prior authorizations on file cover on the date of service: modes and "out-of-state"
    # (Train, Air and Out-of-State Travel; nemt.domain.documents). Not part of the `nemt decide` contract.
    prior_authorized: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RideRequest:
    """A request for a ride: who asked, when, for which member and which trip. The member travels inside the
    request (``request.member``)."""

    program: str
    requested_at: dt.datetime
    requested_by: str
    member: Member
    trip: Trip


# -- what one field requires of another ------------------------------------------------------------------------------


def required_field_missing(trip: Trip) -> tuple[str, str] | None:
    """A field that another field's value makes required, when it is missing: (its name in the trip, message).
    A missed pick-up names the pick-up it missed (urgent rides: "missed pick-up over one hour"); a caregiver's trip
    for a child names the caregiver."""
    if trip.urgent_reason == "missed-pickup-over-1-hour" and trip.missed_pickup_scheduled_at is None:
        return ("missed_pickup_scheduled_at",
                "required field is missing (required when trip.urgent_reason is missed-pickup-over-1-hour)")
    if trip.purpose == "caregiver-for-child" and trip.caregiver is None:
        return "caregiver", "required field is missing (required when trip.purpose is caregiver-for-child)"
    return None


def member_facts_problem(member: Member) -> str | None:
    """Which of a member's recorded facts lies outside its closed vocabulary (None: all are known)."""
    if member.residence not in RESIDENCES:
        return "residence is not one of the known residences"
    if any(span.plan not in PLANS for span in member.coverage):
        return "coverage names an unknown plan"
    if any(need not in NEEDS for need in member.documented_needs):
        return "documented_needs names an unknown need"
    return None
