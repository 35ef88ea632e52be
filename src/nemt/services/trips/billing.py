"""A leg's log as the billing layer's value (:class:`nemt.billing.trip_log.TripLogLeg`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from nemt.billing.trip_log import (
    AdditionalPassenger,
    Escort,
    Stop,
    TransportedPerson,
    TripLogLeg,
)
from nemt.billing.trip_log import (
    Member as BillingMember,
)
from nemt.domain.trip_log import LegLog, utc
from nemt.policy import Policy
from nemt.store.models import Leg, Trip


def _person(request: Mapping[str, Any]) -> TransportedPerson | None:
    """A caregiver trip's transported person, from the ride request."""
    transported = request.get("transported_person")
    if isinstance(transported, Mapping) and transported.get("name"):
        return TransportedPerson(str(transported["name"]), transported.get("medicaid_id") or None)
    return None


def billing_leg(leg: Leg, trip: Trip, log: LegLog, *, member: Any, vehicle: str | None, driver: str | None,
                rendering_npi: str, policy: Policy, form_on_file: bool = False) -> TripLogLeg:
    """A completed (or closed) leg's log as :class:`nemt.billing.trip_log.TripLogLeg`; ``leg_id`` is the leg's
    opaque key. Times are local to the program. Mode: the decided mode, else the requested one; service level and
    a caregiver trip's transported person come from the log or the ride request. ``form_on_file``: the member's
    25-mile verification form for the trip's destination is on file for the date, so the 25-mile attachment is
    available whatever the driver ticked (25 Mile or Longer Trips: the form "should be submitted when the claim(s)
    are submitted"; the trip log gives the attachment's other fields)."""
    tz = policy.time_zone

    def local(value: dt.datetime | None) -> dt.time | None:
        return utc(value).astimezone(tz).time().replace(second=0, microsecond=0) if value else None

    request = trip.request or {}
    return TripLogLeg(
        leg_id=leg.key,
        member=BillingMember(member.medicaid_id, f"{member.first_name} {member.last_name}".strip(),
                             member.birth_date, bool(member.at_risk_adult)),
        date_of_service=leg.service_date,
        rendering_provider_npi=rendering_npi,
        mode=trip.mode or trip.requested_mode,
        service_level=log.service_level or request.get("service_level"),
        vehicle_id=vehicle,
        driver=driver,
        pickup=Stop(leg.origin_address, local(log.picked_up_at)),
        dropoff=Stop(leg.destination_address, local(log.dropped_off_at)),
        loaded_miles=log.loaded_miles or 0,
        status=log.status or leg.status,
        member_in_vehicle=log.member_in_vehicle,
        escorts=tuple(Escort(e.get("name", ""), e.get("role", "attendant")) for e in log.escorts),
        additional_passengers=tuple(AdditionalPassenger(p.get("name", ""), p.get("age", 0),
                                                        p.get("relation", "other"), p.get("reason"))
                                    for p in log.additional_passengers),
        shared_ride_group=log.shared_ride_group,
        identity_verified=bool(log.identity_verified),
        trip_confirmed_by=log.trip_confirmed_by,
        attachment_25mi=True if form_on_file else log.attachment_25mi,
        wait_minutes=log.wait_minutes,
        metered=log.metered,
        transported_person=_person(request),
    )
