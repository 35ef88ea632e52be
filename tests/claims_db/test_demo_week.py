"""The demo's completed week bills: every provider's logged legs become claims that export as a pyx12-valid 837P and
as CMS-1500 forms (six lines a form)."""

from __future__ import annotations

import datetime as dt
import io
import itertools

from pypdf import PdfReader
from sqlalchemy import select

from nemt import clock
from nemt.billing.payers import PayerPath, payer_of
from nemt.billing.x12_validate import validate_x12
from nemt.domain.actors import Actor
from nemt.policy import load_policy
from nemt.services import claims
from nemt.store.models import Claim, Leg, TransportProvider

POLICY = load_policy("CO")


def test_demo_week_exports_as_837p_and_cms1500(demo_with_rides):
    today = clock.today(load_policy("CO").time_zone)
    system = Actor.system("test")
    with demo_with_rides() as uow:
        completed = uow.session.query(Leg).filter(Leg.status == "completed", Leg.service_date < today).count()
        # Colorado's providers: Connecticut's policy has no fee schedule, so its demo week is not billed.
        providers = [p.npi for p in uow.session.scalars(select(TransportProvider).order_by(TransportProvider.id))
                     if p.organization.program == "CO"]
    assert completed > 20, "the demo's past week has completed legs"
    built = 0
    for npi in providers:
        with demo_with_rides() as uow:
            result = claims.build_claims_for_provider(uow, system, npi, (today - dt.timedelta(days=7),
                                                                         today - dt.timedelta(days=1)), today=today)
            built += len(result.claims)
    assert built > 0
    exported = 0
    for npi, payer in itertools.product(providers, PayerPath):
        with demo_with_rides() as uow:
            ready = uow.session.scalars(select(Claim.claim_number).join(TransportProvider)
                                        .where(TransportProvider.npi == npi, Claim.status == "ready",
                                               Claim.payer == payer)).all()
            if len(ready) < 2:
                continue
            # A provider bills a claim once, to its payer: half of them electronically, the other half on paper.
            electronic, paper = list(ready[: len(ready) // 2]), list(ready[len(ready) // 2:])
            x12 = claims.export_claims(uow, system, fmt="837p", provider=npi, claim_numbers=electronic, payer=payer)
        ok, problems = validate_x12(x12.content.decode())
        assert ok, problems
        assert set(x12.claim_numbers) == set(electronic)
        assert f"*PI*{payer_of(payer, POLICY).id}~" in x12.content.decode()
        with demo_with_rides() as uow:
            pdf = claims.export_claims(uow, system, fmt="cms1500", provider=npi, claim_numbers=paper, payer=payer)
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "R68.89" in text or "R6889" in text
        exported += len(ready)
    assert exported > 0
    # The broker path end to end: the broker pays each broker-area provider's week (its 835) and reports the paid trips
    # to the Department (the encounter file, BHT06 = RP).
    week = (today - dt.timedelta(days=7), today - dt.timedelta(days=1))
    paid = 0
    for npi in providers:
        with demo_with_rides() as uow:
            sent = uow.session.scalars(select(Claim.claim_number).join(TransportProvider).where(
                TransportProvider.npi == npi, Claim.status == "exported", Claim.payer == PayerPath.BROKER)).all()
        if not sent:
            continue
        with demo_with_rides() as uow:
            payment = claims.pay_provider(uow, system, npi)
        assert validate_x12(payment.content.decode())[0] and sorted(payment.remittance.posted) == sorted(sent)
        with demo_with_rides() as uow:
            encounters = claims.encounter_file(uow, system, npi, *week)
        assert validate_x12(encounters.content.decode())[0] and "*RP~" in encounters.content.decode()
        assert sorted(encounters.claim_numbers) == sorted(sent)
        paid += 1
    assert paid > 0
