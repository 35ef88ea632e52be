"""Acknowledgments on the database: a 999 marks the batch accepted or rejected (with the segment in error), a 277CA
marks each claim accepted or rejected at the front end; pyx12 checks every file first; a malformed file changes
nothing; the same file twice changes nothing. The sample files come from our own writers (checked by pyx12)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from nemt.billing.x12_validate import validate_x12
from nemt.services import claims as claims_service
from nemt.services.platform.errors import InvalidInput
from nemt.store.claim_models import Acknowledgment
from nemt.store.models import Claim, ClaimBatch
from tests.conftest import nemt_cli


def _exported(world) -> int:
    """Export the ready claims of the first payer that has any; the batch id."""
    with world.uow() as uow:
        payers = sorted({c.payer for c in uow.session.scalars(select(Claim).where(Claim.status == "ready"))})
    with world.uow() as uow:
        return claims_service.export_claims(uow, world.actor("provider"), payer=payers[0]).batch_id


def _samples(world, batch_id: int, **kwargs):
    with world.uow() as uow:
        return claims_service.sample_acknowledgments(uow, world.actor("provider"), batch_id, **kwargs)


def _read(world, content: str, actor: str = "provider"):
    with world.uow() as uow:
        return claims_service.read_acknowledgment(uow, world.actor(actor), content)


def _batch(world, batch_id: int) -> ClaimBatch:
    with world.uow() as uow:
        row = uow.session.get(ClaimBatch, batch_id)
        uow.session.expunge(row)
        return row


def _front_end(world) -> dict[str, tuple]:
    with world.uow() as uow:
        return {c.claim_number: (c.front_end, c.payer_claim_number)
                for c in uow.session.scalars(select(Claim).where(Claim.batch_id.is_not(None)))}


def test_999_accepts_the_batch_and_277ca_marks_each_claim(billed):
    batch_id = _exported(billed)
    with billed.uow() as uow:
        numbers = sorted(uow.session.scalars(select(Claim.claim_number).where(Claim.batch_id == batch_id)))
    rejected = numbers[-1]
    samples = _samples(billed, batch_id, reject=[rejected])
    assert validate_x12(samples.ack_999)[0] and validate_x12(samples.ack_277ca)[0]  # our writers, pyx12-valid
    result = _read(billed, samples.ack_999)
    assert result.kind == "999" and result.batches == [
        {"batch_id": batch_id, "status": "accepted", "meaning": "accepted", "errors": []}]
    assert _batch(billed, batch_id).ack_status == "accepted"
    result = _read(billed, samples.ack_277ca)
    assert result.kind == "277CA" and result.rejected == [rejected] and sorted(result.accepted) == numbers[:-1]
    marks = _front_end(billed)
    assert marks[rejected] == ("rejected", None)
    assert all(marks[n][0] == "accepted" and marks[n][1].startswith("P") for n in numbers[:-1])  # REF*1K kept
    again = _read(billed, samples.ack_277ca)
    assert again.unchanged and again.accepted == []  # the same file twice changes nothing
    with billed.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Acknowledgment)) == 2
    worklist = _worklist(billed, kind="rejected")
    assert [r["claim_number"] for r in worklist.rows] == [rejected]
    assert "rejected for invalid information" in worklist.rows[0]["reasons"][0]["text"]


def _worklist(world, **filters):
    with world.uow() as uow:
        return claims_service.denied_worklist(uow, world.actor("provider"), **filters)


def test_a_rejecting_999_names_the_segment_in_error(billed):
    batch_id = _exported(billed)
    samples = _samples(billed, batch_id, reject_batch=True)
    assert samples.ack_277ca is None
    (batch,) = _read(billed, samples.ack_999).batches
    assert batch["status"] == "rejected"
    assert batch["errors"] == ["segment CLM at position 15 (loop 2300): segment has data element errors; "
                               "element 5:1: invalid code value"]
    row = _batch(billed, batch_id)
    assert row.ack_status == "rejected" and row.ack_detail["errors"] == batch["errors"]


@pytest.mark.parametrize("edit, field", [
    (("STC*A2:20*", "STC*A2*"), "(STC)"),  # STC01-2 missing: pyx12 refuses it
    (("STC*A2:20*", "STC*A9:20*"), "(STC)"),  # pyx12 passes it; our reader knows no category A9
])
def test_a_malformed_277ca_is_refused_naming_the_segment_and_changes_nothing(billed, edit, field):
    batch_id = _exported(billed)
    text = _samples(billed, batch_id).ack_277ca.replace(*edit, 1)
    with pytest.raises(InvalidInput) as exc:
        _read(billed, text)
    assert exc.value.field.startswith("segment ") and exc.value.field.endswith(field)
    assert "nothing was changed" in exc.value.message and "277CA" in exc.value.rule
    assert set(_front_end(billed).values()) == {(None, None)}
    with billed.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Acknowledgment)) == 0


def test_a_999_of_another_organizations_batch_is_unmatched(billed):
    batch_id = _exported(billed)
    samples = _samples(billed, batch_id, reject=[])
    result = _read(billed, samples.ack_999, actor="ct-provider")  # another program's provider: not theirs
    assert result.batches == [] and result.unmatched == [f"999 {_batch(billed, batch_id).group_control_number}"]
    assert _batch(billed, batch_id).ack_status is None
    result = _read(billed, samples.ack_277ca, actor="ct-provider")
    assert result.accepted == [] and len(result.unmatched) == 2
    assert set(_front_end(billed).values()) == {(None, None)}


def test_not_an_acknowledgment_is_refused(billed):
    from tests.claims_db.conftest import make_835

    with pytest.raises(InvalidInput) as exc:
        _read(billed, make_835([("CL1", "1", "1.00", "1.00", "P1", None)]))
    assert exc.value.field == "ST01"


def test_the_api_reads_an_acknowledgment_and_serves_the_worklist(billed, client, token_for):
    batch_id = _exported(billed)
    samples = _samples(billed, batch_id, reject_batch=True)
    provider, auditor = token_for("provider"), token_for("auditor")
    r = client.post("/api/v1/claims/acknowledgments", headers=auditor, files={"file": ("a.999", samples.ack_999)})
    assert r.status_code == 403
    r = client.post("/api/v1/claims/acknowledgments", headers=provider, files={"file": ("a.999", samples.ack_999)})
    assert r.status_code == 200, r.text
    assert r.json()["batches"][0]["status"] == "rejected"
    bad = samples.ack_999.replace("AK9*R", "AK9*Z")
    r = client.post("/api/v1/claims/acknowledgments", headers=provider, files={"file": ("b.999", bad)})
    assert r.status_code == 422 and r.json()["field"].startswith("segment ")
    r = client.get("/api/v1/claims/worklist", headers=auditor, params={"kind": "denied"})
    assert r.status_code == 200 and r.json()["count"] == 0


def test_the_cli_writes_samples_and_reads_them(billed, db, tmp_path):
    if db.dialect.name != "sqlite":
        pytest.skip("the commands are the same code on both databases (tested there by the service tests)")
    batch_id = _exported(billed)
    r = nemt_cli(db, "claims", "sample-acks", "--batch", str(batch_id), "--out-dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    paths = json.loads(r.stdout)
    r = nemt_cli(db, "claims", "ack", paths["999"])
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["batches"][0]["status"] == "accepted"
    broken = tmp_path / "broken.277"
    broken.write_text(open(paths["277CA"]).read().replace("STC*A2:20*", "STC*A2*", 1))
    r = nemt_cli(db, "claims", "ack", str(broken))
    assert r.returncode == 2 and r.stdout == "" and "(STC)" in r.stderr and "nothing was changed" in r.stderr
    r = nemt_cli(db, "claims", "ack", paths["277CA"])
    assert r.returncode == 0 and json.loads(r.stdout)["rejected"] == []


def test_a_ta1_rejects_the_interchange_of_the_batch(billed):
    import datetime as dt

    from nemt.billing.x12_999 import write_ta1

    batch_id = _exported(billed)
    batch = _batch(billed, batch_id)
    now = dt.datetime(2026, 3, 8, 12, 0)
    ta1 = write_ta1(batch.interchange_control_number, now, "R", "022", sender="COMEDASSISTPROG",
                    receiver="TP1234567", interchange_control_number=77, created_at=now)
    (result,) = _read(billed, ta1).batches
    assert result["status"] == "rejected" and result["meaning"] == "rejected: invalid control structure"
    assert _batch(billed, batch_id).ack_detail["kind"] == "TA1"


def test_the_worklist_csv_escapes_formulas_and_the_query_filters_payer_and_dates(billed):
    """The worklist's CSV is written by the platform's one CSV writer: a payer claim number a spreadsheet would run
    as a formula comes out as text (OWASP CSV injection). Payer and dates of service are filtered in the query."""
    batch_id = _exported(billed)
    with billed.uow() as uow:
        numbers = sorted(uow.session.scalars(select(Claim.claim_number).where(Claim.batch_id == batch_id)))
    _read(billed, _samples(billed, batch_id, reject=numbers[:1]).ack_277ca)
    with billed.uow() as uow:
        row = uow.session.scalar(select(Claim).where(Claim.claim_number == numbers[0]))
        row.payer_claim_number = "=1+1"
        payer, day = row.payer, min(ln.service_date for ln in row.lines)
        uow.commit()
    worklist = _worklist(billed, kind="rejected")
    text = claims_service.worklist_csv(worklist)
    assert "'=1+1" in text and ",=1+1" not in text
    assert [r["claim_number"] for r in _worklist(billed, payer=payer, first=day, last=day).rows] == numbers[:1]
    other = "broker" if payer == "department" else "department"
    assert _worklist(billed, payer=other).rows == []
    assert _worklist(billed, first=day + dt.timedelta(days=1)).rows == []
    assert _worklist(billed, last=day - dt.timedelta(days=1)).rows == []
