"""The demo's provider network: Colorado's transportation providers with their fleets and credentials, and the
medical destinations."""

from __future__ import annotations

import datetime as dt
import random

from nemt.domain.identifiers import make_npi
from nemt.services.demo.world import CO_MEDICAL, CO_PROVIDERS, FIRST, LAST, PERMIT_FOR, zips_by_county
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


def seed_network(uow, rng: random.Random, orgs: dict[str, Organization], today: dt.date) -> tuple[int, int]:
    """The providers, their fleets and the medical destinations; returns (drivers, vehicles)."""
    count = 0
    for p_index, (name, specialty, modes, counties, fleet) in enumerate(CO_PROVIDERS):
        org = orgs[name]
        provider = uow.network.add_provider(TransportProvider(organization_id=org.id, npi=org.npi,
                                                              specialty=specialty, modes=modes,
                                                              service_counties=counties))
        uow.flush()
        base_zip = zips_by_county("CO")[counties[0]][0]["zip_code"]
        count += _fleet(uow, rng, provider, p_index, name, base_zip, fleet, today)
    for i, (name, zip_code, county, services) in enumerate(CO_MEDICAL):
        z = next(z for z in zips_by_county("CO")[county] if z["zip_code"] == zip_code)
        uow.network.add_medical_provider(MedicalProvider(
            program="CO", npi=make_npi(f"17{i:07d}"), name=name, address_line=f"{100 + i * 11} Example Pkwy",
            city=z["city"], state="CO", zip=zip_code, county=county, services=services))
    return count, count
