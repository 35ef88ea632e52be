"""Exports (837P validated by pyx12, never-repeating control numbers; CMS-1500 PDF), replacement and void
round-trips, 835 posting."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from nemt.billing.payers import payer_of
from nemt.billing.x12_validate import validate_x12
from nemt.policy import load_policy
from nemt.services import claims as claims_service
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.services.trips import record_event
from nemt.store.models import Claim, ClaimBatch, Remittance, TripLogEvent
from tests.claims_db.conftest import DAY, TODAY, fast_complete, make_835


def _segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def _export(world, fmt="837p", tmp_path=None, name="out"):
    out = (tmp_path / f"{name}.{fmt}") if tmp_path else None
    with world.uow() as uow:
        return claims_service.export_claims(uow, world.actor("provider"), fmt=fmt, out=out)


def test_837p_export_is_valid_with_unique_control_numbers(billed, tmp_path):
    first = _export(billed, tmp_path=tmp_path, name="one")
    text = (tmp_path / "one.837p").read_text()
    ok, messages = validate_x12(text)
    assert ok, messages
    assert sorted(first.claim_numbers) == sorted(billed.claim_numbers)
    segments = _segments(text)
    assert [s[1] for s in segments if s[0] == "CLM"] == first.claim_numbers
    assert int(segments[0][13]) == first.interchange_control_number
    # Nothing left to export; a newly completed leg makes a second file with new control numbers.
    with pytest.raises(InvalidInput) as exc:
        _export(billed)
    assert exc.value.field == "status"
    late = billed.make_leg(2)
    fast_complete(billed, [late], start_hour=10)  # not aboard with the first leg: no shared ride billed twice
    with billed.uow() as uow:
        claims_service.build_claims_for_provider(uow, billed.actor("provider"), None, (DAY, DAY), today=TODAY)
    second = _export(billed, tmp_path=tmp_path, name="two")
    assert second.interchange_control_number != first.interchange_control_number
    assert second.group_control_number != first.group_control_number
    assert validate_x12((tmp_path / "two.837p").read_text())[0]
    with billed.uow() as uow:
        statuses = {c.claim_number: (c.status, c.batch_id) for c in uow.session.scalars(select(Claim))}
        batches = list(uow.session.execute(select(ClaimBatch.id, ClaimBatch.interchange_control_number)))
    assert {s for s, _ in statuses.values()} == {"exported"}
    assert {statuses[n][1] for n in first.claim_numbers} == {first.batch_id}
    assert len(batches) == 2 and len({icn for _, icn in batches}) == 2


def test_export_without_billing_profile_fails_and_changes_nothing(world):
    key = world.make_leg(0)
    fast_complete(world, [key])
    with world.uow() as uow:
        claims_service.build_claims_for_provider(uow, world.actor("provider"), None, (DAY, DAY), today=TODAY)
    with world.uow() as uow, pytest.raises(InvalidInput) as exc:
        claims_service.export_claims(uow, world.actor("provider"), fmt="837p")
    assert exc.value.field == "billing_profile"
    with world.uow() as uow:
        assert uow.session.scalar(select(Claim.status)) == "ready"
        assert uow.session.scalar(select(func.count()).select_from(ClaimBatch)) == 0


def test_replacement_and_void_round_trip_through_837p(billed, tmp_path):
    _export(billed)
    original, other = billed.claim_numbers
    # The driver corrects the loaded miles of the first leg; the replacement is rebuilt from the corrected log.
    with billed.uow() as uow:
        dropped = uow.session.scalar(select(TripLogEvent.id).where(TripLogEvent.kind == "dropped-off")
                                     .order_by(TripLogEvent.id))
    with billed.uow() as uow:
        record_event(uow, billed.actor("driver"), billed.keys[0], "correction",
                     {"supersedes": dropped, "fields": {"loaded_miles": 17}, "reason": "odometer"})
    with billed.uow() as uow:
        replacement = claims_service.replace_claim(uow, billed.actor("provider"), original, today=TODAY)
    with billed.uow() as uow:
        void = claims_service.void_claim(uow, billed.actor("provider"), other)
    assert replacement["frequency"] == "7" and replacement["original_claim_number"] == original
    assert {ln["hcpcs"]: ln["units"] for ln in replacement["lines"]}["S0209"] == 17
    assert void["frequency"] == "8" and void["original_claim_number"] == other
    with billed.uow() as uow, pytest.raises(Conflict):
        claims_service.replace_claim(uow, billed.actor("provider"), original, today=TODAY)

    result = _export(billed, tmp_path=tmp_path, name="resubmit")
    text = (tmp_path / "resubmit.837p").read_text()
    assert validate_x12(text)[0]
    clm = {}
    segments = _segments(text)
    for i, s in enumerate(segments):
        if s[0] == "CLM":
            ref = segments[i + 1]
            clm[s[1]] = (s[5], ref[2] if ref[:2] == ["REF", "F8"] else None)
    assert clm == {replacement["claim_number"]: ("41:B:7", original), void["claim_number"]: ("41:B:8", other)}
    with billed.uow() as uow:
        statuses = dict(uow.session.execute(select(Claim.claim_number, Claim.status)).all())
    assert statuses[original] == "replaced" and statuses[other] == "voided"
    assert set(result.claim_numbers) == {replacement["claim_number"], void["claim_number"]}


def test_cms1500_pdf_has_the_fields(billed, tmp_path):
    from nemt.billing.cms1500_grid import line_rows
    from tests.billing.pdf_grid import at, grid_pages

    result = _export(billed, "cms1500", tmp_path=tmp_path)
    pages = grid_pages(result.content)
    assert (tmp_path / "out.cms1500").read_bytes() == result.content
    assert {at(page, 56, 23) for page in pages} == set(billed.claim_numbers)  # item 26 on each claim's form
    codes = {at(page, line_rows(n)[1], 25) for page in pages for n in range(1, 7)}
    assert {"A0130", "S0209"} <= codes
    for page in pages:
        assert at(page, 38, 3) == "R6889" and at(page, 36, 1) == "TRANSPORT CERT"
        assert at(page, 61, 50) == billed.provider_npi and at(page, 56, 52)  # items 33a, 28
    with billed.uow() as uow:
        rows = list(uow.session.scalars(select(Claim)))
        assert {c.status for c in rows} == {"exported"}
        names = {payer_of(c.payer, load_policy("CO")).name[:31].strip() for c in rows}  # the carrier block: 31 chars
        assert {at(page, 2, 41) for page in pages} == names
        assert uow.session.scalar(select(ClaimBatch.format)) == "cms1500"


def test_835_posting_is_idempotent_and_denials_list_reasons(billed):
    _export(billed)
    paid_number, denied_number = billed.claim_numbers
    with billed.uow() as uow:
        charges = dict(uow.session.execute(select(Claim.claim_number, Claim.total_charge)).all())
    remit = make_835([(paid_number, "1", charges[paid_number], charges[paid_number], "PAYER0001", None),
                      (denied_number, "4", charges[denied_number], "0", "PAYER0002",
                       f"CO*96*{charges[denied_number]}"),
                      ("CL9999999999", "1", "10.00", "0", "PAYER0003", None)])
    admin = billed.actor("provider")
    with billed.uow() as uow:
        result = claims_service.post_remittance(uow, admin, remit)
    assert result.posted == [paid_number] and result.denied == [denied_number]
    assert result.unmatched == ["CL9999999999"]
    with billed.uow() as uow:
        again = claims_service.post_remittance(uow, admin, remit)
    assert again.unchanged
    with billed.uow() as uow:
        rows = {c.claim_number: (c.status, c.paid_amount, c.payer_claim_number)
                for c in uow.session.scalars(select(Claim))}
        assert uow.session.scalar(select(func.count()).select_from(Remittance)) == 1
    assert rows[paid_number] == ("paid", charges[paid_number], "PAYER0001")
    assert rows[denied_number] == ("denied", "0", "PAYER0002")
    with billed.uow() as uow:
        denied = claims_service.denied_claims(uow, billed.actor("auditor"))
    assert [d["claim_number"] for d in denied] == [denied_number]
    assert denied[0]["reason_codes"] == ["CO-96"]
    # A replacement of the paid claim refers to the payer's claim number (REF*F8).
    with billed.uow() as uow:
        replacement = claims_service.replace_claim(uow, admin, paid_number, today=TODAY)
    assert replacement["original_claim_number"] == "PAYER0001"


def test_malformed_835_is_rejected_whole_naming_the_segment(billed):
    _export(billed)
    good = make_835([(billed.claim_numbers[0], "1", "10.00", "10.00", "P1", None)])
    bad = good.replace("CLP*" + billed.claim_numbers[0] + "*1*", "CLP*" + billed.claim_numbers[0] + "*X*")
    with billed.uow() as uow, pytest.raises(InvalidInput) as exc:
        claims_service.post_remittance(uow, billed.actor("provider"), bad)
    assert re.fullmatch(r"segment \d+ \(CLP\)", exc.value.field)
    assert "CLP02" in exc.value.message and "nothing was posted" in exc.value.message
    with billed.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Remittance)) == 0
        assert {c.status for c in uow.session.scalars(select(Claim))} == {"exported"}
