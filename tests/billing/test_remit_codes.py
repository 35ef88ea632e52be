"""Remark codes (RARC) read from the 835's MOA and LQ, and both code lists in words from the sourced tables."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nemt.billing import remit_codes
from nemt.billing.remit_codes import carc_text, describe_adjustment, rarc_text
from nemt.billing.x12_835 import RemittanceError, parse_835

from .test_x12_835 import BODY, make_835


def test_moa_and_lq_remarks_are_read():
    body = list(BODY)
    body.insert(body.index("CAS*CO*45*5.00") + 1, "LQ*HE*N431")
    body.insert(body.index("CAS*CO*96*74.00") + 1, "MOA***N211*MA92")
    remittance = parse_835(make_835(body))
    first, denied, _ = remittance.claims
    assert first.services[0].remarks == ("N431",) and first.remarks == ()
    assert denied.remarks == ("N211", "MA92")


def test_a_remark_outside_a_service_line_is_refused():
    body = list(BODY)
    body.insert(body.index("LX*1") + 1, "LQ*HE*N431")
    with pytest.raises(RemittanceError) as exc:
        parse_835(make_835(body))
    assert exc.value.segment_id == "LQ"


def test_codes_in_words():
    assert carc_text("45").startswith("Charge exceeds fee schedule")
    assert describe_adjustment("CO", "16") == ("CO-16: contractual obligation — Claim/service lacks information which "
                                               "is needed for adjudication.")
    assert rarc_text("N211").startswith("The time limit for filing your claim has expired")
    assert "see the X12" in carc_text("999") and "see the X12" in rarc_text("ZZ99")


@pytest.mark.parametrize("name", ["carc.csv", "rarc.csv"])
def test_every_code_has_its_source_and_date(name):
    path = Path(remit_codes.__file__).with_name("codes") / name
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert rows and len({r["code"] for r in rows}) == len(rows)
    for row in rows:
        assert row["description"].strip() and row["source"].startswith("https://") and row["read_on"] == "2026-11-30"
