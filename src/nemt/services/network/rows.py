"""What the network's files have in common: NPIs checked by their check digit, and the provider of a fleet row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from nemt.domain.actors import Actor, Role
from nemt.domain.identifiers import valid_npi
from nemt.services.platform.csv_files import RowReader
from nemt.services.platform.errors import ImportRejected, RowError
from nemt.store.models import TransportProvider


def npi(rr: RowReader, field: str) -> str:
    value = rr.text(field, required=True)
    if value and not valid_npi(value):
        rr.bad(field, "must be 10 digits with a valid check digit (Luhn over 80840 + the first nine)")
    return value


class FleetRow(TypedDict):
    """What a driver's and a vehicle's row have in common."""

    provider_npi: str


def _row_provider(uow, actor: Actor, npi_value: str, known: dict[str, TransportProvider]) -> TransportProvider | str:
    """The provider of a row, or why the row may not name it."""
    provider = known.get(npi_value) or uow.network.provider_by_npi(npi_value)
    if provider is None:
        return "no transportation provider with this NPI"
    if actor.role == Role.PROVIDER_ADMIN and provider.organization_id != actor.organization_id:
        return "belongs to another organization"
    return provider


def check_provider_rows(uow, actor: Actor, filename: str,
                        rows: Sequence[tuple[int, FleetRow]]) -> dict[str, TransportProvider]:
    """Every row's provider must exist, and a provider administrator may only load their own organization's."""
    providers: dict[str, TransportProvider] = {}
    errors: list[RowError] = []
    for line, fields in rows:
        found = _row_provider(uow, actor, fields["provider_npi"], providers)
        if isinstance(found, str):
            errors.append(RowError(line, "provider_npi", found))
        else:
            providers[fields["provider_npi"]] = found
    if errors:
        raise ImportRejected(filename, errors)
    return providers
