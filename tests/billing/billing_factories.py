"""Factories of trip-log values with plain defaults for the claims tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from nemt.billing.trip_log import AncillaryEntry, Escort, Member, Stop, TripLogLeg
from nemt.domain.identifiers import make_npi

NPI_A = make_npi("199000001")
NPI_B = make_npi("199000002")
DAY = dt.date(2025, 3, 4)


def member(medicaid_id: str = "Z100001", birth_date: dt.date = dt.date(1960, 1, 1),
           at_risk_adult: bool = False) -> Member:
    return Member(medicaid_id, "Test Person", birth_date, at_risk_adult)


def leg(leg_id: str = "L1", **changes) -> TripLogLeg:
    base = TripLogLeg(
        leg_id=leg_id, member=member(), date_of_service=DAY, rendering_provider_npi=NPI_A, mode="wheelchair-van",
        service_level=None, vehicle_id="WV-1", driver="Test Driver",
        pickup=Stop("1200 Example Ave, Denver, CO 80205", dt.time(8, 0)),
        dropoff=Stop("300 Sample St, Denver, CO 80218", dt.time(8, 30)),
        loaded_miles=10, status="completed", member_in_vehicle=True, identity_verified=True,
        trip_confirmed_by="member", attachment_25mi=False, wait_minutes=0,
    )
    return replace(base, **changes)


def entry(entry_id: str = "M1", **changes) -> AncillaryEntry:
    base = AncillaryEntry(
        entry_id=entry_id, member=member(), date_of_service=DAY, kind="meals", person="member", charged=True,
        rendering_provider_npi=NPI_A,
    )
    return replace(base, **changes)


def escort(name: str = "Esc One") -> Escort:
    return Escort(name, "parent")
