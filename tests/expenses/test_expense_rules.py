"""The pure rules the recorded expenses are billed by, as ``nemt bill`` runs them: per diem up to the amount charged,
out of state only when not part of an inpatient stay; without the optional fields the acceptance case is unchanged."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from nemt.cli.billing import run_bill
from nemt.contracts import ContractError

CASE = json.loads((Path(__file__).parents[1] / "data/acceptance/claims/clm-016.json").read_text())["input"]


def _lines(output):
    return [(ln["hcpcs"], ln.get("charge")) for claim in output["claims"] for ln in claim["lines"]
            if ln["hcpcs"] in ("A0180", "A0190", "A0200", "A0210")]


def _with(**fields):
    document = copy.deepcopy(CASE)
    for entry in document["ancillary"]:
        entry.update(fields)
    return document


def test_per_diem_up_to_the_amount_charged():
    plain = _lines(run_bill(json.dumps(CASE)))
    assert plain and all(charge is not None for _, charge in plain)
    per_diem = {code: charge for code, charge in plain}
    cheap = _lines(run_bill(json.dumps(_with(amount="12.50"))))
    assert [(code, charge) for code, charge in cheap] == [(code, "12.50") for code, _ in plain]
    dear = _lines(run_bill(json.dumps(_with(amount=999))))
    assert {code: charge for code, charge in dear} == per_diem  # never more than the per diem


def test_out_of_state_inpatient_stay_is_not_billed():
    output = run_bill(json.dumps(_with(out_of_state=True, inpatient_stay=True)))
    assert _lines(output) == []
    assert {e["code"] for e in output["edits"]} >= {"meals-lodging-inpatient-stay"}
    assert all("Meals/Lodging" in e["citation"] for e in output["edits"] if e["code"] == "meals-lodging-inpatient-stay")
    assert _lines(run_bill(json.dumps(_with(out_of_state=True)))) == _lines(run_bill(json.dumps(CASE)))


def test_a_bad_amount_names_its_field():
    with pytest.raises(ContractError) as exc:
        run_bill(json.dumps(_with(amount="-1")))
    assert "ancillary[0].amount" in str(exc.value)
