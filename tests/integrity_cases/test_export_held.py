"""A held provider's claims are exported by no path — the service, the API, the provider's page, the command, the
broker's payment — and each says so: how many claims, and why in words. Both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from nemt.domain.actors import Actor
from nemt.domain.statuses import ClaimStatus
from nemt.services import claims, integrity
from nemt.services.platform.errors import InvalidInput
from nemt.store.models import Claim, ClaimBatch, Leg, TransportProvider, Vehicle
from tests.claims_db.conftest import BILLING_PROFILE, DAY, TODAY, fast_complete
from tests.conftest import nemt_cli
from tests.web.helpers import sign_in


def _hold(world) -> str:
    with world.uow() as uow:
        number = integrity.open_case(uow, world.actor("auditor"), world.provider_npi, "a burst after dormancy").number
    with world.uow() as uow:
        integrity.hold_case(uow, world.actor("auditor"), number, "credible allegation of padded miles")
    return number


def _nothing_exported(world) -> None:
    with world.uow() as uow:
        statuses = set(uow.session.scalars(select(Claim.status)))
        assert statuses == {ClaimStatus.READY}
        assert uow.session.scalar(select(func.count()).select_from(ClaimBatch)) == 0


def test_the_export_skips_a_held_provider_and_says_so(billed):
    world = billed
    number = _hold(world)
    for actor, provider in ((world.actor("provider"), None), (world.actor("admin"), world.provider_npi),
                            (world.actor("admin"), None)):
        with world.uow() as uow, pytest.raises(InvalidInput) as caught:
            claims.export_claims(uow, actor, provider=provider)
        message = caught.value.message
        assert f"2 claims of provider {world.provider_npi} held from export" in message, message
        assert f"review case {number} suspends its payments" in message
        assert caught.value.field == "provider" and "455.23" in caught.value.rule
    with world.uow() as uow, pytest.raises(InvalidInput):  # the named claims too
        claims.export_claims(uow, world.actor("provider"), claim_numbers=world.claim_numbers[:1])
    _nothing_exported(world)


def test_the_api_and_the_page_refuse_a_held_claim(billed, client, token_for):
    world = billed
    _hold(world)
    r = client.post("/api/v1/claims/export", headers=token_for("provider"),
                    json={"format": "837p", "claim_numbers": world.claim_numbers[:1]})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert "held from export" in r.json()["detail"] and "455.23" in r.json()["rule"]
    csrf = sign_in(client, "provider")
    r = client.post("/provider/claims/export", data={"csrf_token": csrf, "format": "837p"})
    assert "held from export" in r.text and "review case RC000001 suspends its payments" in r.text
    _nothing_exported(world)


def test_the_command_refuses_a_held_claim(billed, db, tmp_path):
    world = billed
    opened = nemt_cli(db, "integrity", "case", "open", "--provider", world.provider_npi, "--reason", "onset burst")
    assert opened.returncode == 0, opened.stderr
    number = json.loads(opened.stdout)["number"]
    held = nemt_cli(db, "integrity", "case", "hold", number, "--reason", "credible allegation")
    assert held.returncode == 0 and json.loads(held.stdout)["status"] == "held", held.stderr
    out = nemt_cli(db, "claims", "export", "--provider", world.provider_npi, "--out", str(tmp_path / "c.837"))
    assert out.returncode == 2
    assert f"error: provider: 2 claims of provider {world.provider_npi} held from export" in out.stderr
    assert not (tmp_path / "c.837").exists()
    _nothing_exported(world)


def test_the_broker_pays_no_held_provider(billed):
    world = billed
    _hold(world)
    with world.uow() as uow, pytest.raises(InvalidInput) as caught:
        claims.pay_provider(uow, world.actor("admin"), world.provider_npi)
    assert "are suspended by review case RC000001" in caught.value.message


def test_an_export_naming_no_provider_skips_the_held_one_and_lists_it(billed):
    world = billed
    system = Actor.system("test")
    with world.uow() as uow:
        other = uow.session.scalar(select(TransportProvider).where(TransportProvider.id != world.provider_id)
                                   .order_by(TransportProvider.id))
        vehicle = uow.session.scalar(select(Vehicle.id).where(Vehicle.provider_id == other.id))
        other_id, other_npi = other.id, other.npi
    key = world.make_leg(5)
    with world.uow() as uow:
        leg = uow.session.scalar(select(Leg).where(Leg.key == key))
        leg.provider_id, leg.vehicle_id, leg.driver_id = other_id, vehicle, None
        uow.commit()
    fast_complete(world, [key], start_hour=14)
    with world.uow() as uow:
        claims.set_billing_profile(uow, system, other_npi, **BILLING_PROFILE)
    with world.uow() as uow:
        built = claims.build_claims_for_provider(uow, system, other_npi, (DAY, DAY), today=TODAY)
    number = _hold(world)
    with world.uow() as uow:
        result = claims.export_claims(uow, system)
    assert result.claim_numbers == [c["claim_number"] for c in built.claims]
    assert [(h["provider_npi"], h["claims"], h["case"]) for h in result.held] == [(world.provider_npi, 2, number)]
    assert result.as_dict()["held"][0]["message"].startswith(f"2 claims of provider {world.provider_npi} held")
