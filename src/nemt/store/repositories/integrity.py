"""What the integrity edits and the auditors' scores read (issue 15): completed legs of a period (by provider or by
member), the drivers and vehicles with their credentials, which destinations are enrolled, which legs have
position or attestation evidence. The facts themselves are folded by ``nemt.services.claims.integrity``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from nemt.domain.statuses import LegStatus
from nemt.store.evidence_models import TripAttestation, TripEventEvidence
from nemt.store.models import Driver, MedicalProvider, Member, Vehicle, VehicleRun
from nemt.store.repositories.base import Repository, chunked
from nemt.store.ride_models import Leg, Trip


class IntegrityRepository(Repository):
    def completed_legs(self, first: dt.date, last: dt.date, *, program: str | None = None,
                       member_ids: Collection[int] | None = None, not_provider: int | None = None) -> list[Leg]:
        """Completed legs with dates of service in [first, last] (with trips, members and their coverage): of the
        program, or of these members; ``not_provider`` leaves one provider's legs out."""
        query: Any = (select(Leg).join(Trip, Trip.id == Leg.trip_id)
                      .where(Leg.service_date >= first, Leg.service_date <= last,
                             Leg.status == LegStatus.COMPLETED, Leg.provider_id.is_not(None))
                      .options(selectinload(Leg.trip).selectinload(Trip.member).selectinload(Member.coverage)))
        if program is not None:
            query = query.where(Trip.program == program)
        if not_provider is not None:
            query = query.where(Leg.provider_id != not_provider)
        if member_ids is None:
            return list(self.session.scalars(query.order_by(Leg.id)))
        out: list[Leg] = []
        for chunk in chunked(sorted(member_ids)):
            out += self.session.scalars(query.where(Trip.member_id.in_(chunk)).order_by(Leg.id))
        return out

    def run_drivers(self, pairs: Collection[tuple[int, dt.date]]) -> dict[tuple[int, dt.date], int]:
        """The driver of each (vehicle, day) run."""
        out: dict[tuple[int, dt.date], int] = {}
        vehicles = sorted({v for v, _ in pairs})
        days = sorted({d for _, d in pairs})
        for chunk in chunked(vehicles):
            rows = self.session.execute(select(VehicleRun.vehicle_id, VehicleRun.service_date, VehicleRun.driver_id)
                                        .where(VehicleRun.vehicle_id.in_(chunk), VehicleRun.service_date.in_(days)))
            out.update({(v, d): drv for v, d, drv in rows if drv is not None})
        return out

    def drivers(self, ids: Collection[int]) -> dict[int, Driver]:
        return {row.id: row for chunk in chunked(sorted(ids))
                for row in self.session.scalars(select(Driver).where(Driver.id.in_(chunk)))}

    def vehicles(self, ids: Collection[int]) -> dict[int, Vehicle]:
        return {row.id: row for chunk in chunked(sorted(ids))
                for row in self.session.scalars(select(Vehicle).where(Vehicle.id.in_(chunk)))}

    def enrolled_destinations(self, ids: Collection[int]) -> set[int]:
        return {int(i) for chunk in chunked(sorted(ids))
                for i in self.session.scalars(select(MedicalProvider.id).where(MedicalProvider.id.in_(chunk),
                                                                              MedicalProvider.enrolled.is_(True)))}

    def evidence(self, leg_ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """Per leg: ``positions`` (event kinds with a position), ``odometer`` (event kind -> reading) and
        ``attested`` (an attestation that passed: a signature, or a PIN that matched)."""
        out: dict[int, dict[str, Any]] = {i: {"positions": set(), "odometer": {}, "attested": False} for i in leg_ids}
        for chunk in chunked(sorted(leg_ids)):
            for row in self.session.scalars(select(TripEventEvidence).where(TripEventEvidence.leg_id.in_(chunk))
                                            .options(selectinload(TripEventEvidence.event))):
                if row.latitude is not None and row.longitude is not None:
                    out[row.leg_id]["positions"].add(row.event.kind)
                if row.odometer is not None:
                    out[row.leg_id]["odometer"][row.event.kind] = row.odometer
            for leg_id, pin_ok in self.session.execute(select(TripAttestation.leg_id, TripAttestation.pin_ok)
                                                       .where(TripAttestation.leg_id.in_(chunk))):
                if pin_ok is not False:
                    out[leg_id]["attested"] = True
        return out
