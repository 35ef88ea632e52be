"""The demo's completed week bills: every provider's logged legs become claims that export as a pyx12-valid 837P and
as CMS-1500 forms (six lines a form)."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader
from sqlalchemy import select

from nemt import clock
from nemt.billing.x12_validate import validate_x12
from nemt.domain.actors import Actor
from nemt.policy import load_policy
from nemt.services import claims
from nemt.store.models import Claim, Leg, TransportProvider


def test_demo_week_exports_as_837p_and_cms1500(demo_with_rides):
    today = clock.today(load_policy("CO").time_zone)
    system = Actor.system("test")
    with demo_with_rides() as uow:
        completed = uow.session.query(Leg).filter(Leg.status == "completed", Leg.service_date < today).count()
        providers = [p.npi for p in uow.session.scalars(select(TransportProvider).order_by(TransportProvider.id))]
    assert completed > 20, "the demo's past week has completed legs"
    built = 0
    for npi in providers:
        with demo_with_rides() as uow:
            result = claims.build_claims_for_provider(uow, system, npi, (today - dt.timedelta(days=7),
                                                                         today - dt.timedelta(days=1)), today=today)
            built += len(result.claims)
    assert built > 0
    for npi in providers:
        with demo_with_rides() as uow:
            ready = uow.session.scalars(select(Claim.claim_number).join(TransportProvider)
                                        .where(TransportProvider.npi == npi, Claim.status == "ready")).all()
            if len(ready) < 2:
                continue
            # A provider bills a claim once: half of them electronically, the other half on paper.
            electronic, paper = list(ready[: len(ready) // 2]), list(ready[len(ready) // 2:])
            x12 = claims.export_claims(uow, system, fmt="837p", provider=npi, claim_numbers=electronic)
        ok, problems = validate_x12(x12.content.decode())
        assert ok, problems
        assert set(x12.claim_numbers) == set(electronic)
        with demo_with_rides() as uow:
            pdf = claims.export_claims(uow, system, fmt="cms1500", provider=npi, claim_numbers=paper)
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "R68.89" in text or "R6889" in text
