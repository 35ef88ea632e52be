"""The broker path end to end (issue 17, item 1): a broker-area provider's claims billed to the broker, adjudicated and
paid by it with an 835 per provider (written by the platform, valid under pyx12, posted like any 835), and reported to
the Department as an 837P encounter file (BHT06 = RP, valid under pyx12)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from nemt.billing.payers import PayerPath, payer_of
from nemt.billing.x12_835 import parse_835
from nemt.billing.x12_validate import validate_x12
from nemt.policy import load_policy
from nemt.services import claims as claims_service
from nemt.services.platform.errors import Forbidden, InvalidInput
from nemt.store.models import Claim, Remittance
from tests.claims_db.conftest import DAY

POLICY = load_policy("CO")


def _segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


@pytest.fixture
def sent_to_broker(billed):
    """The billed fixture's two claims (members of Denver: the broker service area), exported to the broker."""
    with billed.uow() as uow:
        exported = claims_service.export_claims(uow, billed.actor("provider"), payer="broker")
    assert sorted(exported.claim_numbers) == sorted(billed.claim_numbers)
    return billed


def test_the_broker_pays_with_its_own_835_and_reports_encounters(sent_to_broker):
    world = sent_to_broker
    with world.uow() as uow, pytest.raises(Forbidden):  # a provider does not pay itself
        claims_service.pay_provider(uow, world.actor("provider"), world.provider_npi)
    with world.uow() as uow:
        payment = claims_service.pay_provider(uow, world.actor("admin"), world.provider_npi)
    text = payment.content.decode()
    ok, messages = validate_x12(text)
    assert ok, messages
    remittance = parse_835(text)
    assert remittance.payer_name == payer_of(PayerPath.BROKER, POLICY).name
    assert remittance.payee_npi == world.provider_npi
    assert sorted(payment.remittance.posted) == sorted(world.claim_numbers)
    with world.uow() as uow:
        rows = list(uow.session.scalars(select(Claim).where(Claim.claim_number.in_(world.claim_numbers))))
        posted = uow.session.scalar(select(Remittance))
        assert {r.status for r in rows} == {"paid"}
        # Paid at the fee schedule the claims were priced with: the 835, the claims and the remittance agree.
        assert sum(Decimal(r.paid_amount) for r in rows) == remittance.total_paid == Decimal(posted.paid_total)
        assert {r.payer_claim_number for r in rows} == {f"B{n}" for n in world.claim_numbers}
    with world.uow() as uow, pytest.raises(InvalidInput) as exc:  # nothing left to pay
        claims_service.pay_provider(uow, world.actor("admin"), world.provider_npi)
    assert exc.value.field == "provider"

    with world.uow() as uow:
        encounters = claims_service.encounter_file(uow, world.actor("admin"), world.provider_npi, DAY, DAY)
    text = encounters.content.decode()
    ok, messages = validate_x12(text)
    assert ok, messages
    segments = _segments(text)
    assert next(s for s in segments if s[0] == "BHT")[6] == "RP"
    assert segments[0][6].strip() == POLICY.get("payers.broker_payer_id")  # from the broker
    assert segments[0][8].strip() == POLICY.get("x12.receiver_id")  # to the Department
    assert sorted(s[1] for s in segments if s[0] == "CLM") == sorted(world.claim_numbers)


def test_only_claims_sent_to_the_broker_are_paid_by_it(billed):
    with billed.uow() as uow, pytest.raises(InvalidInput) as exc:  # built, not yet sent
        claims_service.pay_provider(uow, billed.actor("admin"), billed.provider_npi)
    assert exc.value.field == "provider" and "Payment for Covered Services" in exc.value.rule
    with billed.uow() as uow, pytest.raises(InvalidInput):
        claims_service.encounter_file(uow, billed.actor("admin"), billed.provider_npi, DAY, DAY)
