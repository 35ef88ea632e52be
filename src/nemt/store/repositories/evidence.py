"""The evidence of verified trips (positions, odometer readings, attestations, members' trip PINs) and what the
plausibility rules read beside a leg: the other legs of its driver and vehicle, the vehicle's places."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import selectinload

from nemt.store.claim_models import BilledLeg, ClaimLine
from nemt.store.evidence_models import MemberTripPin, TripAttestation, TripEventEvidence
from nemt.store.models import Leg, Vehicle, VehicleRun
from nemt.store.repositories.base import Repository, chunked


class EvidenceRepository(Repository):
    """Append-only evidence rows (the triggers refuse any change) and the look-ups of the plausibility rules."""

    # --- evidence --------------------------------------------------------------------------------------------------
    def add(self, row: Any) -> Any:
        """Add one evidence row (TripEventEvidence, TripAttestation or MemberTripPin); the unit of work commits."""
        self.session.add(row)
        return row

    def evidence_of(self, leg_ids: Collection[int]) -> dict[int, list[TripEventEvidence]]:
        out: dict[int, list[TripEventEvidence]] = {leg_id: [] for leg_id in leg_ids}
        for chunk in chunked(leg_ids):
            for row in self.session.scalars(select(TripEventEvidence).where(TripEventEvidence.leg_id.in_(chunk))
                                            .options(selectinload(TripEventEvidence.event))
                                            .order_by(TripEventEvidence.id)):
                out[row.leg_id].append(row)
        return out

    def attestations_of(self, leg_ids: Collection[int]) -> dict[int, list[TripAttestation]]:
        out: dict[int, list[TripAttestation]] = {leg_id: [] for leg_id in leg_ids}
        for chunk in chunked(leg_ids):
            for row in self.session.scalars(select(TripAttestation).where(TripAttestation.leg_id.in_(chunk))
                                            .order_by(TripAttestation.id)):
                out[row.leg_id].append(row)
        return out

    def failed_pin_tries(self, leg_id: int) -> int:
        return int(self.session.scalar(select(func.count()).select_from(TripAttestation).where(
            TripAttestation.leg_id == leg_id, TripAttestation.method == "pin",
            TripAttestation.pin_ok.is_(False))) or 0)

    def current_pin_hash(self, member_id: int) -> str | None:
        """The member's newest trip PIN hash (None: no PIN issued)."""
        return self.session.scalar(select(MemberTripPin.pin_hash).where(MemberTripPin.member_id == member_id)
                                   .order_by(MemberTripPin.id.desc()).limit(1))

    def legs_of_claim(self, claim_id: int) -> list[int]:
        """The legs a claim bills: its lines' legs and the shared-ride legs billed with it."""
        lines = select(ClaimLine.leg_id).where(ClaimLine.claim_id == claim_id, ClaimLine.leg_id.is_not(None))
        query: Any = union(lines, select(BilledLeg.leg_id).where(BilledLeg.claim_id == claim_id))
        return sorted(int(x) for x in self.session.scalars(select(query.subquery().c[0])))

    # --- what the plausibility rules read --------------------------------------------------------------------------
    def run_drivers(self, pairs: Collection[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], int]:
        """The driver of each (vehicle, day) run."""
        if not pairs:
            return {}
        vehicles, days = {v for v, _ in pairs}, {d for _, d in pairs}
        rows = self.session.execute(select(VehicleRun.vehicle_id, VehicleRun.service_date, VehicleRun.driver_id)
                                    .where(VehicleRun.vehicle_id.in_(vehicles), VehicleRun.service_date.in_(days)))
        return {(v, d): drv for v, d, drv in rows if drv is not None}

    def places(self, vehicle_ids: Collection[int]) -> dict[int, int]:
        """Seats, wheelchair and stretcher positions of each vehicle."""
        if not vehicle_ids:
            return {}
        return {v.id: (v.seats or 0) + (v.wheelchair_positions or 0) + (v.stretcher_positions or 0)
                for v in self.session.scalars(select(Vehicle).where(Vehicle.id.in_(list(vehicle_ids))))}

    def legs_near(self, days: Collection[dt.date], vehicle_ids: Collection[int],
                  driver_ids: Collection[int]) -> list[Leg]:
        """The legs of these days (and the days either side: a leg past midnight) on these vehicles, or driven by
        these drivers directly or through their vehicle runs."""
        span = {d + dt.timedelta(days=k) for d in days for k in (-1, 0, 1)}
        if not span:
            return []
        run_vehicles = select(VehicleRun.vehicle_id).where(VehicleRun.driver_id.in_(list(driver_ids)),
                                                           VehicleRun.service_date.in_(span))
        query = select(Leg).where(Leg.service_date.in_(span), or_(
            Leg.vehicle_id.in_(list(vehicle_ids)), Leg.driver_id.in_(list(driver_ids)),
            Leg.vehicle_id.in_(run_vehicles)))
        return list(self.session.scalars(query.order_by(Leg.id)))

    def legs(self, leg_ids: Sequence[int]) -> list[Leg]:
        out: list[Leg] = []
        for chunk in chunked(leg_ids):
            out += self.session.scalars(select(Leg).where(Leg.id.in_(chunk)).options(selectinload(Leg.trip)))
        return out
