"""One billed (or billable) leg as the integrity edits and the auditors' scores see it: plain values gathered by
a repository query (or a benchmark's generator). Members are opaque keys, never names or Medicaid IDs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["LegFact"]


@dataclass(frozen=True)
class LegFact:
    """A leg with what integrity needs to know about it.

    ``route_miles`` is the shortest-route distance of the leg (None when not known); ``riders_together`` the
    number of members aboard together on that vehicle trip (1 for a ride alone); ``verified`` whether position or
    attestation evidence was recorded for it. The fields after ``destination`` have defaults: a source that does
    not know them leaves them at the value that raises no finding.
    """

    leg_key: str
    claim_key: str | None
    provider: str
    driver: str | None
    vehicle: str | None
    member: str
    day: dt.date
    pickup_at: dt.datetime | None
    dropoff_at: dt.datetime | None
    loaded_miles: Decimal
    route_miles: Decimal | None
    riders_together: int
    verified: bool
    destination_enrolled: bool
    county: str
    destination: str
    # Added fields (defaults raise no finding).
    tracked_miles: Decimal | None = None  # miles from the GPS track or the odometer difference, when present
    driver_credentialed: bool = True  # the driver's credentials cover the day of service
    vehicle_credentialed: bool = True  # the vehicle's inspection and insurance cover the day of service
    member_eligible: bool = True  # the member is eligible for NEMT on the day of service
    mileage_units: int | None = None  # billed mileage units (A0425/S0209/T2049); None when not billed yet

    @property
    def loaded_minutes(self) -> float | None:
        """Minutes from pick-up to drop-off, or None when either time is missing."""
        if self.pickup_at is None or self.dropoff_at is None:
            return None
        return (self.dropoff_at - self.pickup_at).total_seconds() / 60.0
