"""The commands of booking: one ride, a standing order, a change. They are the API's request bodies too; the pages
and the command line fill them from forms and files through :func:`parse_input`.

The people riding along (escorts, additional passengers, a caregiver) are the ``nemt decide`` contract's models, and
every closed vocabulary (purpose, mode, urgent reason) is the domain's (``nemt.domain.rides``): a booking is decided
as the same :class:`nemt.domain.rides.RideRequest` the contract builds (``nemt.services.rides.request``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from nemt.contracts.decide import CaregiverInput, EscortInput, PassengerInput, contract_error
from nemt.domain.rides import Mode, Purpose, Requester, UrgentReason
from nemt.services.platform.errors import InvalidInput

__all__ = ["MAX_OCCURRENCES", "WEEKDAYS", "DestinationIn", "PlaceIn", "RideChange", "RideRequestIn",
           "StandingOrderIn", "parse_input"]

# A standing order makes at most this many trips (an input bound, not a program rule).
MAX_OCCURRENCES = 400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ShortText = Annotated[str, Field(max_length=300)]
Direction = Literal["to-appointment", "from-appointment"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlaceIn(_In):
    """A pick-up place other than the member's home: street address and ZIP — or the address on one line with its
    ZIP ("1200 Elm St, Denver, CO 80203"), placed offline (``nemt.services.rides.places.geocoded_pickup``)."""

    address: Annotated[str, Field(min_length=1, max_length=300, repr=False)]
    zip: Annotated[str | None, Field(repr=False, description="default: the ZIP written in the address")] = None


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
    requested_by: Requester | None = None
    purpose: Purpose = "medical"
    destination: DestinationIn
    pickup: PlaceIn | None = Field(default=None, description="default: the member's home address")
    direction: Direction = Field(
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
    driver_notes: Annotated[str, Field(max_length=500, repr=False, description=(
        "what the driver should know (which door, a gate code, call on arrival); on the driver's manifest"))] = ""


class RideRequestIn(_TripFields):
    """One ride: the body of ``POST /api/v1/rides``."""

    appointment_at: AwareDatetime
    return_pickup_at: AwareDatetime | None = Field(default=None, description=(
        "required for a round trip, unless the return is a will-call (then: the earliest the member may be ready; "
        "default the appointment time)"))
    return_will_call: bool = Field(default=False, description=(
        "round trip: the member calls when ready to go home; dispatch inserts the return at the call"))
    recurring: bool = False
    requested_at: AwareDatetime | None = Field(default=None, description="when the ride was asked for; default now")


# The fields of a standing order that are not the fields of each of its rides.
ORDER_ONLY_FIELDS = frozenset({"weekdays", "appointment_time", "return_pickup_time", "start_date", "end_date"})


class StandingOrderIn(_TripFields):
    """Recurring appointments: the body of ``POST /api/v1/standing-orders``. Times are local program times."""

    weekdays: Annotated[list[Weekday], Field(min_length=1)]
    appointment_time: dt.time
    return_pickup_time: dt.time | None = None
    start_date: dt.date
    end_date: dt.date

    def ride(self, appointment_at: dt.datetime, return_pickup_at: dt.datetime | None) -> RideRequestIn:
        """The ride of one occurrence (``recurring``, as the 25-mile verification form rule reads it)."""
        fields = {k: v for k, v in self.model_dump().items() if k not in ORDER_ONLY_FIELDS}
        return RideRequestIn(**fields, appointment_at=appointment_at, return_pickup_at=return_pickup_at,
                             recurring=True)


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
