"""The demo's provider network: each program's transportation providers with their fleets and credentials, and the
medical destinations. Connecticut's network is drawn from its own random stream, so Colorado's stays as it was."""

from __future__ import annotations

import datetime as dt
import random

from nemt.domain.identifiers import make_npi
from nemt.services.demo.world import (
    CO_MEDICAL,
    CO_PROVIDERS,
    CT_MEDICAL,
    CT_PROVIDER_INDEX,
    CT_PROVIDERS,
    FIRST,
    LAST,
    PERMIT_FOR,
    zips_by_county,
)
from nemt.store.models import CredentialRecord, Driver, MedicalProvider, Organization, TransportProvider, Vehicle

_DRIVER_CREDENTIALS = (("licence", 700), ("background_check", 300))


def _credentials(uow, rng: random.Random, driver: Driver, vehicle: Vehicle, today: dt.date, lapsed: bool) -> None:
    """Most credentials run a year or more; a few expire within 30/60/90 days, one has lapsed."""
    soon = rng.choice([400, 400, 400, 25, 55, 85])
    for kind, days in (*_DRIVER_CREDENTIALS, ("training", soon)):
        uow.network.add_credential(CredentialRecord(owner_type="driver", owner_id=driver.id, kind=kind,
                                                    expires_on=today + dt.timedelta(days=days)))
    for kind, days, detail in (("inspection", -3 if lapsed else 200, ""), ("insurance", 365, ""),
                               ("permit", 500, PERMIT_FOR[vehicle.vehicle_type])):
        uow.network.add_credential(CredentialRecord(owner_type="vehicle", owner_id=vehicle.id, kind=kind,
                                                    detail=detail, expires_on=today + dt.timedelta(days=days)))


def _fleet(uow, rng: random.Random, provider: TransportProvider, p_index: int, name: str, base_zip: str,
           fleet: list[tuple[str, int, int, int, int]], today: dt.date) -> int:
    """A provider's vehicles, each with a driver; returns how many."""
    n = 0
    for vtype, count, seats, wc, stretcher in fleet:
        for _ in range(count):
            n += 1
            v = Vehicle(provider_id=provider.id, external_id=f"{name[:2].upper()}-{n:02d}", vehicle_type=vtype,
                        seats=seats, wheelchair_positions=wc, stretcher_positions=stretcher, base_zip=base_zip)
            d = Driver(provider_id=provider.id, external_id=f"D{p_index + 1}{n:02d}",
                       name=f"{rng.choice(FIRST)} {rng.choice(LAST)}-Driver")
            uow.network.add_vehicle(v)
            uow.network.add_driver(d)
            _credentials(uow, rng, d, v, today, lapsed=(p_index, n) == (1, 2))
    return n


def _providers(uow, rng: random.Random, orgs: dict[str, Organization], today: dt.date, state: str,
               providers: list, first_index: int) -> int:
    count = 0
    for p_index, (name, specialty, modes, counties, fleet) in enumerate(providers, start=first_index):
        org = orgs[name]
        provider = uow.network.add_provider(TransportProvider(organization_id=org.id, npi=org.npi,
                                                              specialty=specialty, modes=modes,
                                                              service_counties=counties))
        uow.flush()
        base_zip = zips_by_county(state)[counties[0]][0]["zip_code"]
        count += _fleet(uow, rng, provider, p_index, name, base_zip, fleet, today)
    return count


def _medical(uow, program: str, destinations: list, npi_prefix: str) -> None:
    for i, (name, zip_code, county, services) in enumerate(destinations):
        z = next(z for z in zips_by_county(program)[county] if z["zip_code"] == zip_code)
        uow.network.add_medical_provider(MedicalProvider(
            program=program, npi=make_npi(f"{npi_prefix}{i:07d}"), name=name,
            address_line=f"{100 + i * 11} Example Pkwy", city=z["city"], state=program, zip=zip_code, county=county,
            services=services))


def seed_network(uow, rng: random.Random, orgs: dict[str, Organization], today: dt.date) -> tuple[int, int]:
    """Colorado's providers, their fleets and the medical destinations; returns (drivers, vehicles)."""
    count = _providers(uow, rng, orgs, today, "CO", CO_PROVIDERS, 0)
    _medical(uow, "CO", CO_MEDICAL, "17")
    return count, count


def seed_ct_network(uow, rng: random.Random, orgs: dict[str, Organization], today: dt.date) -> int:
    """Connecticut's transportation provider with its drivers and vehicles, and its medical destinations (from the
    ``rng`` of Connecticut); returns the number of vehicles (one driver each)."""
    count = _providers(uow, rng, orgs, today, "CT", CT_PROVIDERS, CT_PROVIDER_INDEX)
    _medical(uow, "CT", CT_MEDICAL, "18")
    return count
