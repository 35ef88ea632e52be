"""Enrolling providers: the broker's files of transportation providers and of medical providers (destinations)."""

from __future__ import annotations

from typing import TypedDict

from nemt.domain.actors import Actor, OrgKind
from nemt.policy import Policy, load_policy
from nemt.services.network.rows import npi
from nemt.services.platform.csv_files import RowReader, check_zip, parse_all
from nemt.services.platform.permissions import Action, require
from nemt.store.models import MedicalProvider, Organization, TransportProvider

# --- transportation providers ------------------------------------------------------------------------------------

PROVIDER_COLUMNS = ("name", "npi", "specialty", "modes", "service_counties")


class _ProviderRow(TypedDict):
    name: str
    npi: str
    specialty: str
    modes: list[str]
    service_counties: list[str]


def _provider_row(rr: RowReader, policy: Policy) -> _ProviderRow:
    specialties = [policy.get("claims.specialty_broker_area", "326"),
                   policy.get("claims.specialty_other_counties", "525")]
    return _ProviderRow(name=rr.text("name", required=True), npi=npi(rr, "npi"),
                        specialty=rr.choice("specialty", specialties),
                        modes=rr.listing("modes", list(policy.modes)), service_counties=rr.listing("service_counties"))


def _provider(uow, program: str, fields: _ProviderRow) -> TransportProvider:
    """The provider named by a row, its organization and itself created when new."""
    org = uow.organizations.by_name(program, fields["name"])
    if org is None:
        org = uow.organizations.add(Organization(kind=OrgKind.PROVIDER.value, name=fields["name"], program=program,
                                                 npi=fields["npi"]))
    provider = uow.network.provider_of_organization(org.id)
    if provider is None:
        provider = uow.network.add_provider(TransportProvider(organization_id=org.id, npi=fields["npi"]))
    return provider


def import_transport_providers(uow, actor: Actor, program: str, filename: str, content: bytes) -> int:
    require(actor, Action.NETWORK_ENROL)
    policy = load_policy(program)
    rows = parse_all(filename, content, PROVIDER_COLUMNS, lambda rr: _provider_row(rr, policy))
    for _line, fields in rows:
        provider = _provider(uow, program, fields)
        provider.specialty, provider.modes = fields["specialty"], fields["modes"]
        provider.service_counties = fields["service_counties"]
        provider.provider_type = policy.get("credentials.provider_type", "73")
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


def _medical_row(rr: RowReader) -> _MedicalRow:
    f = _MedicalRow(npi=npi(rr, "npi"), name=rr.text("name", required=True),
                    address_line=rr.text("address_line"), city=rr.text("city"),
                    state=rr.text("state", required=True).upper(), zip=rr.text("zip"),
                    county=rr.text("county").removesuffix(" County"), services=rr.listing("services"),
                    enrolled=rr.boolean("enrolled", default=True),
                    accepting_members=rr.boolean("accepting_members", default=True))
    check_zip(rr, "zip", f["zip"], f["state"])
    if not f["services"]:
        rr.bad("services", "list at least one service (;-separated)")
    return f


def import_medical_providers(uow, actor: Actor, program: str, filename: str, content: bytes) -> int:
    require(actor, Action.NETWORK_ENROL)
    rows = parse_all(filename, content, MEDICAL_COLUMNS, _medical_row)
    for _line, f in rows:
        mp = uow.network.medical_provider(program, f["npi"])
        if mp is None:
            mp = uow.network.add_medical_provider(MedicalProvider(program=program, npi=f["npi"], name=f["name"],
                                                                  state=f["state"], zip=f["zip"]))
        for name, value in f.items():
            setattr(mp, name, value)
    uow.commit()
    return len(rows)
