"""The provider network: transportation providers, drivers, vehicles and their credentials; medical providers.

Imports are all-or-nothing CSV files (services.csv_files). Whether a driver and vehicle may carry a trip is the pure
rule ``nemt.domain.network.check_assignment``; this module feeds it from the store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

from sqlalchemy import select

from nemt.domain.actors import Actor, OrgKind, Role
from nemt.domain.identifiers import valid_npi
from nemt.domain.network import (
    PERMIT_TYPES,
    VEHICLE_TYPES,
    Credential,
    CredentialProblem,
    DriverFacts,
    Eligibility,
    VehicleFacts,
    check_assignment,
    expiring,
)
from nemt.policy import load_policy
from nemt.services.members import check_zip
from nemt.services.platform import access
from nemt.services.platform.csv_files import RowReader, parse_all
from nemt.services.platform.errors import ImportRejected, RowError
from nemt.store.models import CredentialRecord, Driver, MedicalProvider, Organization, TransportProvider, Vehicle

NETWORK_ADMIN_ROLES = {Role.ADMIN, Role.PROVIDER_ADMIN}


def _modes(policy) -> list[str]:
    return list(policy.modes)


def _npi(rr: RowReader, field: str) -> str:
    npi = rr.text(field, required=True)
    if npi and not valid_npi(npi):
        rr.bad(field, "must be 10 digits with a valid check digit (Luhn over 80840 + the first nine)")
    return npi


# --- transportation providers ------------------------------------------------------------------------------------

PROVIDER_COLUMNS = ("name", "npi", "specialty", "modes", "service_counties")


class _ProviderRow(TypedDict):
    name: str
    npi: str
    specialty: str
    modes: list[str]
    service_counties: list[str]


def import_transport_providers(uow, actor: Actor, program: str, filename: str, content: bytes) -> int:
    access.require_role(actor, {Role.ADMIN})
    policy = load_policy(program)

    def parse(rr: RowReader) -> _ProviderRow:
        specialties = [policy.get("claims.specialty_broker_area", "326"),
                       policy.get("claims.specialty_other_counties", "525")]
        return _ProviderRow(name=rr.text("name", required=True), npi=_npi(rr, "npi"),
                            specialty=rr.choice("specialty", specialties),
                            modes=rr.listing("modes", _modes(policy)), service_counties=rr.listing("service_counties"))

    rows = parse_all(filename, content, PROVIDER_COLUMNS, parse)
    count = 0
    for _line, fields in rows:
        org = uow.organizations.by_name(program, fields["name"])
        if org is None:
            org = Organization(kind=OrgKind.PROVIDER.value, name=fields["name"], program=program, npi=fields["npi"])
            uow.session.add(org)
            uow.session.flush()
        provider = uow.session.scalar(select(TransportProvider).where(TransportProvider.organization_id == org.id))
        if provider is None:
            provider = TransportProvider(organization_id=org.id, npi=fields["npi"])
            uow.session.add(provider)
        provider.specialty, provider.modes = fields["specialty"], fields["modes"]
        provider.service_counties = fields["service_counties"]
        provider.provider_type = policy.get("credentials.provider_type", "73")
        count += 1
    uow.commit()
    return count


def _provider_by_npi(uow, npi: str) -> TransportProvider | None:
    return uow.session.scalar(select(TransportProvider).where(TransportProvider.npi == npi))


def _upsert_credential(uow, owner_type: str, owner_id: int, kind: str, expires_on: dt.date | None,
                       detail: str = "", number: str = "") -> None:
    record = uow.session.scalar(select(CredentialRecord).where(
        CredentialRecord.owner_type == owner_type, CredentialRecord.owner_id == owner_id,
        CredentialRecord.kind == kind, CredentialRecord.detail == detail))
    if record is None:
        uow.session.add(CredentialRecord(owner_type=owner_type, owner_id=owner_id, kind=kind, detail=detail,
                                         number=number, expires_on=expires_on))
    else:
        record.expires_on, record.number = expires_on, number or record.number


class _FleetRow(TypedDict):
    """What a driver's and a vehicle's row have in common."""

    provider_npi: str


def _check_provider_rows(uow, actor: Actor, filename: str,
                         rows: Sequence[tuple[int, _FleetRow]]) -> dict[str, TransportProvider]:
    """Every row's provider must exist, and a provider administrator may only load their own organization's."""
    providers: dict[str, TransportProvider] = {}
    errors: list[RowError] = []
    for line, fields in rows:
        npi = fields["provider_npi"]
        provider = providers.get(npi) or _provider_by_npi(uow, npi)
        if provider is None:
            errors.append(RowError(line, "provider_npi", "no transportation provider with this NPI"))
        elif actor.role == Role.PROVIDER_ADMIN and provider.organization_id != actor.organization_id:
            errors.append(RowError(line, "provider_npi", "belongs to another organization"))
        else:
            providers[npi] = provider
    if errors:
        raise ImportRejected(filename, errors)
    return providers


def _fleet_member(uow, model, provider: TransportProvider, external_id: str, **new_fields):
    """The provider's driver or vehicle with this ID, created (and flushed, for its id) when new."""
    row = uow.session.scalar(select(model).where(model.provider_id == provider.id, model.external_id == external_id))
    if row is None:
        row = model(provider_id=provider.id, external_id=external_id, **new_fields)
        uow.session.add(row)
        uow.session.flush()
    return row


# --- drivers -------------------------------------------------------------------------------------------------------

DRIVER_COLUMNS = ("provider_npi", "driver_id", "name", "licence_number", "licence_expires",
                  "background_check_expires", "training_expires")


class _DriverRow(_FleetRow):
    driver_id: str
    name: str
    licence_number: str
    licence_expires: dt.date | None
    background_check_expires: dt.date | None
    training_expires: dt.date | None
    active: bool | None


def import_drivers(uow, actor: Actor, filename: str, content: bytes) -> int:
    access.require_role(actor, NETWORK_ADMIN_ROLES)

    def parse(rr: RowReader) -> _DriverRow:
        return _DriverRow(provider_npi=_npi(rr, "provider_npi"), driver_id=rr.text("driver_id", required=True),
                          name=rr.text("name", required=True),
                          licence_number=rr.text("licence_number", required=True),
                          licence_expires=rr.date("licence_expires"),
                          background_check_expires=rr.date("background_check_expires"),
                          training_expires=rr.date("training_expires"), active=rr.boolean("active", default=True))

    rows = parse_all(filename, content, DRIVER_COLUMNS, parse)
    providers = _check_provider_rows(uow, actor, filename, rows)
    for _line, f in rows:
        provider = providers[f["provider_npi"]]
        driver = _fleet_member(uow, Driver, provider, f["driver_id"], name=f["name"])
        driver.name, driver.active = f["name"], f["active"]
        _upsert_credential(uow, "driver", driver.id, "licence", f["licence_expires"], number=f["licence_number"])
        _upsert_credential(uow, "driver", driver.id, "background_check", f["background_check_expires"])
        _upsert_credential(uow, "driver", driver.id, "training", f["training_expires"])
    uow.commit()
    return len(rows)


# --- vehicles ------------------------------------------------------------------------------------------------------

VEHICLE_COLUMNS = ("provider_npi", "vehicle_id", "vehicle_type", "seats", "wheelchair_positions",
                   "stretcher_positions", "permit_type", "permit_expires", "inspection_expires", "insurance_expires")


class _VehicleRow(_FleetRow):
    vehicle_id: str
    vehicle_type: str
    seats: int
    wheelchair_positions: int
    stretcher_positions: int
    permit_type: str
    permit_expires: dt.date | None
    inspection_expires: dt.date | None
    insurance_expires: dt.date | None
    base_zip: str
    active: bool | None


def import_vehicles(uow, actor: Actor, filename: str, content: bytes, program: str = "CO") -> int:
    access.require_role(actor, NETWORK_ADMIN_ROLES)
    policy = load_policy(program)

    def parse(rr: RowReader) -> _VehicleRow:
        f = _VehicleRow(provider_npi=_npi(rr, "provider_npi"), vehicle_id=rr.text("vehicle_id", required=True),
                        vehicle_type=rr.choice("vehicle_type", VEHICLE_TYPES), seats=rr.integer("seats"),
                        wheelchair_positions=rr.integer("wheelchair_positions"),
                        stretcher_positions=rr.integer("stretcher_positions"),
                        permit_type=rr.choice("permit_type", PERMIT_TYPES, required=False),
                        permit_expires=rr.date("permit_expires", required=False),
                        inspection_expires=rr.date("inspection_expires"),
                        insurance_expires=rr.date("insurance_expires"),
                        base_zip=rr.text("base_zip"), active=rr.boolean("active", default=True))
        if f["seats"] + f["wheelchair_positions"] + f["stretcher_positions"] == 0:
            rr.bad("seats", "a vehicle has at least one seat, wheelchair or stretcher position")
        if f["vehicle_type"] == "wheelchair-van" and f["wheelchair_positions"] == 0:
            rr.bad("wheelchair_positions", "a wheelchair van has at least one wheelchair position")
        if f["vehicle_type"] in ("stretcher-van", "ambulance") and f["stretcher_positions"] == 0:
            rr.bad("stretcher_positions", f"a {f['vehicle_type']} has at least one stretcher position")
        if f["base_zip"]:
            check_zip(rr, "base_zip", f["base_zip"], policy.state)
        return f

    rows = parse_all(filename, content, VEHICLE_COLUMNS, parse)
    providers = _check_provider_rows(uow, actor, filename, rows)
    for _line, f in rows:
        provider = providers[f["provider_npi"]]
        vehicle = _fleet_member(uow, Vehicle, provider, f["vehicle_id"], vehicle_type=f["vehicle_type"])
        for name in ("vehicle_type", "seats", "wheelchair_positions", "stretcher_positions", "base_zip", "active"):
            setattr(vehicle, name, f[name])
        _upsert_credential(uow, "vehicle", vehicle.id, "inspection", f["inspection_expires"])
        _upsert_credential(uow, "vehicle", vehicle.id, "insurance", f["insurance_expires"])
        if f["permit_type"]:
            _upsert_credential(uow, "vehicle", vehicle.id, "permit", f["permit_expires"], detail=f["permit_type"])
    uow.commit()
    return len(rows)


# --- medical providers (destinations) ------------------------------------------------------------------------------

MEDICAL_COLUMNS = ("npi", "name", "address_line", "city", "state", "zip", "county", "services")


class _MedicalRow(TypedDict):
    npi: str
    name: str
    address_line: str
    city: str
    state: str
    zip: str
    county: str
    services: list[str]
    enrolled: bool | None
    accepting_members: bool | None


def import_medical_providers(uow, actor: Actor, program: str, filename: str, content: bytes) -> int:
    access.require_role(actor, {Role.ADMIN})

    def parse(rr: RowReader) -> _MedicalRow:
        f = _MedicalRow(npi=_npi(rr, "npi"), name=rr.text("name", required=True),
                        address_line=rr.text("address_line"), city=rr.text("city"),
                        state=rr.text("state", required=True).upper(), zip=rr.text("zip"),
                        county=rr.text("county").removesuffix(" County"), services=rr.listing("services"),
                        enrolled=rr.boolean("enrolled", default=True),
                        accepting_members=rr.boolean("accepting_members", default=True))
        check_zip(rr, "zip", f["zip"], f["state"])
        if not f["services"]:
            rr.bad("services", "list at least one service (;-separated)")
        return f

    rows = parse_all(filename, content, MEDICAL_COLUMNS, parse)
    for _line, f in rows:
        mp = uow.session.scalar(select(MedicalProvider).where(MedicalProvider.program == program,
                                                              MedicalProvider.npi == f["npi"]))
        if mp is None:
            mp = MedicalProvider(program=program, npi=f["npi"], name=f["name"], state=f["state"], zip=f["zip"])
            uow.session.add(mp)
        for name, value in f.items():
            setattr(mp, name, value)
    uow.commit()
    return len(rows)


# --- credentials -----------------------------------------------------------------------------------------------------


def _facts(records: list[CredentialRecord]) -> tuple[Credential, ...]:
    return tuple(Credential(r.kind, r.expires_on, r.detail) for r in records)


def driver_facts(driver: Driver) -> DriverFacts:
    return DriverFacts(driver.name, driver.active, _facts(driver.credentials))


def vehicle_facts(vehicle: Vehicle) -> VehicleFacts:
    return VehicleFacts(vehicle.external_id, vehicle.vehicle_type, vehicle.active, _facts(vehicle.credentials),
                        vehicle.seats, vehicle.wheelchair_positions, vehicle.stretcher_positions)


def assignment_check(driver: Driver, vehicle: Vehicle, mode: str, day: dt.date, program: str) -> Eligibility:
    """May this driver and vehicle carry a trip of ``mode`` on ``day``? Lists each blocking credential."""
    result = check_assignment(driver_facts(driver), vehicle_facts(vehicle), mode, day, load_policy(program))
    if driver.provider_id != vehicle.provider_id:
        result.problems.append(CredentialProblem("driver", "provider", "drives for another provider than the "
                                                 "vehicle's", load_policy(program).cite("credentials")))
    return result


@dataclass(frozen=True)
class ExpiringCredential:
    provider: str
    subject: str  # "driver D-12 Jo Example" / "vehicle WV-3"
    credential: str
    expires_on: dt.date
    days_left: int


def expiring_credentials(uow, actor: Actor, today: dt.date, within_days: int) -> list[ExpiringCredential]:
    """Credentials expiring in the next ``within_days`` days, for the actor's providers (all, for the broker)."""
    access.require_role(actor, {Role.ADMIN, Role.PROVIDER_ADMIN, Role.DISPATCHER, Role.AUDITOR})
    query = select(TransportProvider).join(Organization)
    if actor.program:
        query = query.where(Organization.program == actor.program)
    if actor.organization_kind == OrgKind.PROVIDER:
        query = query.where(TransportProvider.organization_id == actor.organization_id)
    out: list[ExpiringCredential] = []
    for provider in uow.session.scalars(query):
        owned: list[tuple[str, Credential]] = []
        for d in uow.session.scalars(select(Driver).where(Driver.provider_id == provider.id)):
            owned += [(f"driver {d.external_id} {d.name}", c) for c in _facts(d.credentials)]
        for v in uow.session.scalars(select(Vehicle).where(Vehicle.provider_id == provider.id)):
            owned += [(f"vehicle {v.external_id}", c) for c in _facts(v.credentials)]
        for owner, cred, left in expiring(owned, today, within_days):
            assert cred.expires_on is not None  # expiring() leaves out credentials that do not expire
            label = cred.kind + (f" ({cred.detail})" if cred.detail else "")
            out.append(ExpiringCredential(provider.organization.name, owner, label, cred.expires_on, left))
    return sorted(out, key=lambda e: (e.days_left, e.provider, e.subject))


# --- the closest qualified provider (25-mile rule) ----------------------------------------------------------------


@dataclass(frozen=True)
class RankedProvider:
    provider: MedicalProvider
    miles: float
    minutes: float
    engine: str


def closest_medical_providers(uow, program: str, origin_zip: str, service: str, *, k: int | None = None,
                              within_miles: float | None = None, engine=None) -> list[RankedProvider]:
    """Enrolled medical providers offering ``service``, nearest first by road miles from ``origin_zip``.

    "NEMT must be used to access the closest qualified Health First Colorado provider willing and able to treat the
    member" (Benefit Overview); "The closest provider is defined as a provider within a 25-mile radius of the
    member's residence or the nearest provider if one is not practicing within a 25-mile radius" (25 Mile or
    Longer Trips). Raises GeoError (field ``zip``) for an unknown origin ZIP."""
    from nemt import geo

    origin = geo.lookup_zip(origin_zip, "zip").point
    candidates, points = [], []
    for mp in uow.session.scalars(
            select(MedicalProvider).where(MedicalProvider.program == program, MedicalProvider.enrolled.is_(True))
            .order_by(MedicalProvider.id)):
        if service not in (mp.services or []):
            continue
        try:
            points.append(geo.lookup_zip(mp.zip, "zip").point)
        except geo.GeoError:  # a directory row whose ZIP is no longer known cannot be ranked
            continue
        candidates.append(mp)
    if not candidates:
        return []
    ranked = geo.closest(origin, points, engine, k=k, max_miles=within_miles)
    return [RankedProvider(candidates[r.index], r.route.miles, r.route.minutes, r.route.engine) for r in ranked]
