"""Value objects of the Colorado Standard Trip Log and of meals/lodging entries.

Health First Colorado NEMT Billing Manual — Standard Forms: "Effective October 1, 2024, all NEMT providers must
begin using the Department provided Standard Trip Log for all rides provided." One :class:`TripLogLeg` is one
completed (or attempted) one-way leg of that log; :class:`AncillaryEntry` is one meals or lodging receipt
(Ancillary Services: Meals/Lodging). Everything here is plain, immutable data: the rules live in
:mod:`nemt.billing.claim_rules`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "LEG_STATUSES",
    "TRIP_CONFIRMERS",
    "ESCORT_ROLES",
    "PASSENGER_RELATIONS",
    "ANCILLARY_KINDS",
    "ANCILLARY_PERSONS",
    "STANDARD_TRIP_LOG_REQUIRED_FROM",
    "Member",
    "TransportedPerson",
    "Stop",
    "Escort",
    "AdditionalPassenger",
    "TripLogLeg",
    "AncillaryEntry",
    "BillingProvider",
    "TripLog",
]

# Closed vocabularies of the trip log (acceptance README, Suite 2 input).
LEG_STATUSES = ("completed", "no-show", "cancelled")
TRIP_CONFIRMERS = ("member", "escort", "medical-facility")
ESCORT_ROLES = ("parent", "guardian", "family", "caregiver", "spouse", "friend", "attendant")
PASSENGER_RELATIONS = (
    "member-child", "member-sibling", "member-at-risk-adult", "escort-child", "escort-at-risk-adult", "other",
)
PASSENGER_REASONS = ("no-childcare", "no-at-risk-adult-care", "other")
ANCILLARY_KINDS = ("lodging", "meals")
ANCILLARY_PERSONS = ("member", "escort")

# Standard Forms: the Department's Standard Trip Log is the only accepted log for rides from this date.
STANDARD_TRIP_LOG_REQUIRED_FROM = dt.date(2024, 10, 1)


@dataclass(frozen=True)
class Member:
    """The Health First Colorado member a leg serves (for a caregiver trip: the child)."""

    medicaid_id: str = field(repr=False)  # member data stays out of reprs (they end up in logs and tracebacks)
    name: str = field(repr=False)
    birth_date: dt.date = field(repr=False)
    at_risk_adult: bool = False


@dataclass(frozen=True)
class TransportedPerson:
    """A parent, family member or caregiver travelling for a child's care (Transportation for the Direct
    Benefit of Children Under 21). ``medicaid_id`` is None when the person is not enrolled."""

    name: str = field(repr=False)
    medicaid_id: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Stop:
    """A pick-up or drop-off: the address and the actual local time (None when the leg was not completed);
    the scheduled time when the log records it."""

    address: str
    time: dt.time | None = None
    scheduled_time: dt.time | None = None


@dataclass(frozen=True)
class Escort:
    name: str = field(repr=False)
    role: str = "attendant"


@dataclass(frozen=True)
class AdditionalPassenger:
    """A passenger who is neither the member nor an escort; the log must record the name (Child or At-Risk
    Adult Accompaniment: "The names of the additional passengers must be included in the trip log report")."""

    name: str = field(repr=False)
    age: int = 0
    relation: str = "other"
    reason: str | None = None


@dataclass(frozen=True)
class TripLogLeg:
    """One one-way leg of the Standard Trip Log."""

    leg_id: str
    member: Member
    date_of_service: dt.date
    rendering_provider_npi: str
    mode: str
    service_level: str | None
    vehicle_id: str | None
    driver: str | None = field(repr=False)
    pickup: Stop = field(repr=False)
    dropoff: Stop = field(repr=False)
    loaded_miles: int
    status: str
    member_in_vehicle: bool
    escorts: tuple[Escort, ...] = ()
    additional_passengers: tuple[AdditionalPassenger, ...] = ()
    shared_ride_group: str | None = None
    identity_verified: bool = False
    trip_confirmed_by: str | None = None
    attachment_25mi: bool = False
    wait_minutes: int = 0
    metered: bool = False
    transported_person: TransportedPerson | None = None

    @property
    def billing_id(self) -> str:
        """The Medicaid ID the leg is billed under (Transportation for the Direct Benefit of Children Under 21,
        Billing Instructions): the transported person's own ID when they have one, otherwise the child's."""
        if self.transported_person is not None and self.transported_person.medicaid_id:
            return self.transported_person.medicaid_id
        return self.member.medicaid_id

    @property
    def billing_person_name(self) -> str:
        """The name that goes with :attr:`billing_id`."""
        if self.transported_person is not None and self.transported_person.medicaid_id:
            return self.transported_person.name
        return self.member.name

    @property
    def billing_person_birth_date(self) -> dt.date | None:
        """Birth date of the person billed; unknown (None) for an enrolled caregiver billed under their own ID."""
        if self.transported_person is not None and self.transported_person.medicaid_id:
            return None
        return self.member.birth_date


@dataclass(frozen=True)
class AncillaryEntry:
    """One meals or lodging receipt (Ancillary Services: Meals/Lodging)."""

    entry_id: str
    member: Member
    date_of_service: dt.date
    kind: str  # "lodging" | "meals"
    person: str  # "member" | "escort" (the JSON field `for`)
    charged: bool
    rendering_provider_npi: str
    escort_name: str | None = field(default=None, repr=False)
    # The receipt's amount ("actually charged for, up to the daily per diem rate": the line's charge is the lower of
    # the two; None when the input gives no amount) and where it was incurred: "Authorized out-of-state treatment if
    # meals or lodging is not included as part of an inpatient stay".
    amount: Decimal | None = None
    out_of_state: bool = False
    inpatient_stay: bool = False


@dataclass(frozen=True)
class BillingProvider:
    """The billing provider of a trip log (CMS 1500 fields 33/33a; 837P loop 2010AA)."""

    npi: str
    name: str
    provider_type: str
    specialty: str
    taxonomy: str | None = None


@dataclass(frozen=True)
class TripLog:
    """One billing provider's legs and meals/lodging entries: the input of ``nemt bill``."""

    program: str
    provider: BillingProvider
    legs: tuple[TripLogLeg, ...] = ()
    ancillary: tuple[AncillaryEntry, ...] = ()
