"""The provider's pages for money coming back: post an 835 and read an acknowledgment from the claims page, and the
denied-claims worklist (reasons in words, filters, totals, CSV)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import select

from nemt.services import claims as claims_service
from nemt.store.models import Claim
from tests.claims_db.conftest import make_835
from tests.web.helpers import sign_in


def _export_all(world) -> list[int]:
    batches = []
    for payer in ("department", "broker"):
        with world.uow() as uow:
            if not uow.session.scalars(select(Claim).where(Claim.status == "ready", Claim.payer == payer)).first():
                continue
        with world.uow() as uow:
            batches.append(claims_service.export_claims(uow, world.actor("provider"), payer=payer).batch_id)
    return batches


def _claims(world) -> list[tuple[str, str]]:
    with world.uow() as uow:
        return [(c.claim_number, c.total_charge)
                for c in uow.session.scalars(select(Claim).order_by(Claim.claim_number))]


def test_post_an_835_from_the_page_and_work_the_denials(billed, client):
    _export_all(billed)
    (paid, paid_charge), (denied, denied_charge) = _claims(billed)
    remit = make_835([(paid, "1", paid_charge, paid_charge, "P1", None),
                      (denied, "4", denied_charge, "0", "P2", f"CO*16*{denied_charge}")])
    se = next(line for line in remit.splitlines() if line.startswith("SE*"))
    count = int(se.split("*")[1])
    denial = f"CAS*CO*16*{denied_charge}~\nNM1*QC*1*MEMBER*TEST****MI*Z000001~"
    remit = remit.replace(denial, f"{denial}\nMOA***N211~").replace(
        se, se.replace(f"SE*{count}*", f"SE*{count + 1}*"))  # a remark code (RARC) on the denial
    csrf = sign_in(client, "provider")
    r = client.post("/provider/claims/remittances", data={"csrf_token": csrf},
                    files={"file": ("remit.835", remit.encode(), "text/plain")})
    assert r.status_code == 200, r.text
    assert 'id="remit-result"' in r.text and "1 claim(s) paid, 1 denied" in r.text
    r = client.post("/provider/claims/remittances", data={"csrf_token": csrf},
                    files={"file": ("remit.835", remit.encode(), "text/plain")})
    assert "posted before; nothing changed" in r.text

    page = client.get("/provider/claims/denied")
    assert page.status_code == 200
    assert "CO-16: contractual obligation — Claim/service lacks information which is needed for adjudication." \
        in page.text
    assert "N211: The time limit for filing your claim has expired" in page.text
    assert f"<strong>1</strong> claim(s), <strong>{Decimal(denied_charge):.2f}</strong> charged" in page.text
    assert denied in page.text and paid not in page.text
    assert denied not in client.get("/provider/claims/denied", params={"reason": "45"}).text
    assert denied in client.get("/provider/claims/denied", params={"reason": "co-16"}).text
    assert denied not in client.get("/provider/claims/denied", params={"kind": "rejected"}).text

    r = client.get("/provider/claims/denied", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][0] == "claim_number" and rows[1][0] == denied and rows[1][5] == "CO-16"
    assert rows[-1][:2] == ["TOTAL", "1 claims"] and Decimal(rows[-1][4]) == Decimal(denied_charge)

    bad = remit.replace("*C*ACH*", "*Z*ACH*").replace("EFT0001", "EFT0002")
    r = client.post("/provider/claims/remittances", data={"csrf_token": csrf},
                    files={"file": ("bad.835", bad.encode(), "text/plain")})
    assert r.status_code == 422 and "BPR03" in r.text


def test_read_acknowledgments_from_the_page(billed, client):
    batches = _export_all(billed)
    with billed.uow() as uow:
        samples = claims_service.sample_acknowledgments(uow, billed.actor("provider"), batches[0], reject_batch=True)
    csrf = sign_in(client, "provider")
    r = client.post("/provider/claims/acknowledgments", data={"csrf_token": csrf},
                    files={"file": ("batch.999", samples.ack_999.encode(), "text/plain")})
    assert r.status_code == 200, r.text
    assert f"Batch {batches[0]}: <strong>rejected</strong>" in r.text
    assert "segment CLM at position 15 (loop 2300)" in r.text
    assert 'data-ack="rejected"' in client.get("/provider/claims").text
    r = client.post("/provider/claims/acknowledgments", data={"csrf_token": csrf},
                    files={"file": ("bad.999", samples.ack_999.replace("AK9*R", "AK9*Z").encode(), "text/plain")})
    assert r.status_code == 422 and "pyx12 refused the 999; nothing was changed" in r.text
    r = client.post("/provider/claims/acknowledgments", data={"csrf_token": "wrong"},
                    files={"file": ("batch.999", samples.ack_999.encode(), "text/plain")})
    assert r.status_code in (400, 403)
