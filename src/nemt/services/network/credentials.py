"""Credentials: whether a driver and a vehicle may carry a trip (the pure rule ``check_assignment`` fed from the
store), and the credentials about to expire."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nemt.domain.actors import Actor
from nemt.domain.network import (
    Credential,
    CredentialProblem,
    DriverFacts,
    Eligibility,
    VehicleFacts,
    check_assignment,
    expiring,
)
from nemt.policy import load_policy
from nemt.services.platform.permissions import Action, require
from nemt.store.models import CredentialRecord, Driver, TransportProvider, Vehicle


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


def _credentials_of(uow, provider: TransportProvider) -> list[tuple[str, Credential]]:
    """Every credential of a provider's drivers and vehicles, with its holder in words."""
    owned: list[tuple[str, Credential]] = []
    for d in uow.network.drivers_of(provider.id):
        owned += [(f"driver {d.external_id} {d.name}", c) for c in _facts(d.credentials)]
    for v in uow.network.vehicles_of(provider.id):
        owned += [(f"vehicle {v.external_id}", c) for c in _facts(v.credentials)]
    return owned


def expiring_credentials(uow, actor: Actor, today: dt.date, within_days: int) -> list[ExpiringCredential]:
    """Credentials expiring in the next ``within_days`` days, for the actor's providers (all, for the broker)."""
    require(actor, Action.CREDENTIALS_READ)
    out: list[ExpiringCredential] = []
    for provider in uow.network.providers(actor):
        for owner, cred, left in expiring(_credentials_of(uow, provider), today, within_days):
            assert cred.expires_on is not None  # expiring() leaves out credentials that do not expire
            label = cred.kind + (f" ({cred.detail})" if cred.detail else "")
            out.append(ExpiringCredential(provider.organization.name, owner, label, cred.expires_on, left))
    return sorted(out, key=lambda e: (e.days_left, e.provider, e.subject))
