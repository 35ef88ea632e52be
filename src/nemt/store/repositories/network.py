"""Transportation and medical providers, drivers, vehicles and their credentials."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nemt.domain.actors import Actor
from nemt.store import visibility
from nemt.store.models import CredentialRecord, Driver, MedicalProvider, TransportProvider, Vehicle
from nemt.store.repositories.base import Repository


class NetworkRepository(Repository):
    """Transportation and medical providers, drivers, vehicles and their credentials."""

    # -- transportation providers ------------------------------------------------------------------------------------

    def provider_of_organization(self, organization_id: int) -> TransportProvider | None:
        return self.session.scalar(select(TransportProvider).where(TransportProvider.organization_id ==
                                                                   organization_id))

    def provider_by_npi(self, npi: str) -> TransportProvider | None:
        return self.session.scalar(select(TransportProvider).where(TransportProvider.npi == npi))

    def add_provider(self, provider: TransportProvider) -> TransportProvider:
        self.session.add(provider)
        return provider

    def providers(self, actor: Actor | None = None) -> list[TransportProvider]:
        """The transportation providers ``actor`` may see (every one: None), in the order they were enrolled."""
        query = select(TransportProvider)
        condition = visibility.transport_providers(actor) if actor is not None else None
        if condition is not None:
            query = query.where(condition)
        return list(self.session.scalars(query.order_by(TransportProvider.id)))

    # -- drivers and vehicles -----------------------------------------------------------------------------------------

    def driver(self, provider_id: int, external_id: str) -> Driver | None:
        return self.session.scalar(select(Driver).where(Driver.provider_id == provider_id,
                                                        Driver.external_id == external_id))

    def driver_by_external_id(self, external_id: str) -> Driver | None:
        """A driver by the ID its provider gave it (the first one, if two providers use the same ID)."""
        return self.session.scalar(select(Driver).where(Driver.external_id == external_id).order_by(Driver.id))

    def vehicle(self, provider_id: int, external_id: str) -> Vehicle | None:
        return self.session.scalar(select(Vehicle).where(Vehicle.provider_id == provider_id,
                                                         Vehicle.external_id == external_id))

    def add_driver(self, driver: Driver) -> Driver:
        """Add a driver and flush, so that it has its id."""
        return self._added(driver)

    def add_vehicle(self, vehicle: Vehicle) -> Vehicle:
        """Add a vehicle and flush, so that it has its id."""
        return self._added(vehicle)

    def drivers_of(self, provider_id: int) -> list[Driver]:
        return list(self.session.scalars(select(Driver).where(Driver.provider_id == provider_id)))

    def vehicles_of(self, provider_id: int) -> list[Vehicle]:
        return list(self.session.scalars(select(Vehicle).where(Vehicle.provider_id == provider_id)))

    # -- credentials ---------------------------------------------------------------------------------------------------

    def credential(self, owner_type: str, owner_id: int, kind: str, detail: str = "") -> CredentialRecord | None:
        return self.session.scalar(select(CredentialRecord).where(
            CredentialRecord.owner_type == owner_type, CredentialRecord.owner_id == owner_id,
            CredentialRecord.kind == kind, CredentialRecord.detail == detail))

    def add_credential(self, record: CredentialRecord) -> None:
        self.session.add(record)

    def set_credential(self, owner_type: str, owner_id: int, kind: str, expires_on: dt.date | None,
                       detail: str = "", number: str = "") -> None:
        """Record a credential's expiry (and number), adding the credential when the owner has none of its kind."""
        record = self.credential(owner_type, owner_id, kind, detail)
        if record is None:
            self.add_credential(CredentialRecord(owner_type=owner_type, owner_id=owner_id, kind=kind, detail=detail,
                                                 number=number, expires_on=expires_on))
        else:
            record.expires_on, record.number = expires_on, number or record.number

    # -- medical providers (destinations) ---------------------------------------------------------------------------

    def medical_provider(self, program: str, npi: str) -> MedicalProvider | None:
        return self.session.scalar(select(MedicalProvider).where(MedicalProvider.program == program,
                                                                 MedicalProvider.npi == npi))

    def add_medical_provider(self, provider: MedicalProvider) -> MedicalProvider:
        self.session.add(provider)
        return provider

    def enrolled_medical_providers(self, program: str) -> list[MedicalProvider]:
        """The program's enrolled medical providers, in the order they were added."""
        return list(self.session.scalars(
            select(MedicalProvider).where(MedicalProvider.program == program, MedicalProvider.enrolled.is_(True))
            .order_by(MedicalProvider.id)))
