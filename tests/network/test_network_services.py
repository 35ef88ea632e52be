"""The network's use cases: permissions from the one table, a provider administrator kept to their own
organization's providers."""

from __future__ import annotations

import pytest

from nemt import clock
from nemt.domain.identifiers import make_npi
from nemt.policy import load_policy
from nemt.services import network
from nemt.services.platform.auth import actor_of
from nemt.services.platform.errors import Forbidden, ImportRejected


def _actor(uow, username):
    return actor_of(uow.users.by_username(username))


@pytest.mark.parametrize("username", ["agent", "dispatcher", "provider", "auditor"])
def test_only_the_broker_admin_enrols_providers(demo, username):
    with demo() as uow, pytest.raises(Forbidden):
        network.import_transport_providers(uow, _actor(uow, username), "CO", "p.csv", b"name\n")
    with demo() as uow, pytest.raises(Forbidden):
        network.import_medical_providers(uow, _actor(uow, username), "CO", "m.csv", b"npi\n")


def test_provider_admin_loads_and_sees_only_their_own(demo):
    with demo() as uow:
        provider = _actor(uow, "provider")
        own, other = uow.network.providers(provider), uow.network.providers()
        assert [p.organization_id for p in own] == [provider.organization_id]
        assert len([p for p in other if p.organization.program == "CO"]) == 3
        foreign = next(p for p in other if p.organization_id != provider.organization_id)
        drivers = ("provider_npi,driver_id,name,licence_number,licence_expires,background_check_expires,"
                   f"training_expires\n{foreign.npi},X1,Jo Example,L-9,2027-01-01,2027-01-01,2027-01-01\n")
        with pytest.raises(ImportRejected) as err:
            network.import_drivers(uow, provider, "d.csv", drivers.encode())
        assert err.value.errors[0].reason == "belongs to another organization"
        mine = uow.network.providers(provider)[0].organization.name
        expiring = network.expiring_credentials(uow, provider, clock.today(load_policy("CO").time_zone), 400)
        assert expiring and {e.provider for e in expiring} == {mine}
        with pytest.raises(Forbidden):
            network.expiring_credentials(uow, _actor(uow, "agent"), clock.today(load_policy("CO").time_zone), 30)


def test_unknown_npi_in_a_fleet_file(demo):
    with demo() as uow:
        drivers = ("provider_npi,driver_id,name,licence_number,licence_expires,background_check_expires,"
                   f"training_expires\n{make_npi('188000009')},X1,Jo Example,L-9,2027-01-01,2027-01-01,2027-01-01\n")
        with pytest.raises(ImportRejected) as err:
            network.import_drivers(uow, _actor(uow, "admin"), "d.csv", drivers.encode())
        assert err.value.errors[0].reason == "no transportation provider with this NPI"
