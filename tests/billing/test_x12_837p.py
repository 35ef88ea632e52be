"""837P writer: files from the acceptance cases, a replacement and a void pass pyx12; our own checks reject what
pyx12 lets through (bad NPI check digit, a decimal point in the diagnosis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest

from nemt.billing.claim_rules import build_claims
from nemt.billing.fees import load_fee_schedule, price_claims
from nemt.billing.x12_837p import (
    Address,
    BillingProviderInfo,
    Submitter,
    X12WriteError,
    count_transaction_segments,
    submissions_from_claims,
    write_837p,
)
from nemt.billing.x12_validate import validate_x12, validate_x12_file
from nemt.contracts.bill import parse_bill_input

SUBMITTER = Submitter("EXAMPLE NEMT BROKER", "TP1234567", "BILLING DESK", "303-555-0100")
WHEN = dt.datetime(2026, 1, 5, 9, 30)


def _provider(npi: str) -> BillingProviderInfo:
    return BillingProviderInfo("EXAMPLE TRANSIT LLC", npi, "343900000X",
                               Address("100 Main St", "Denver", "CO", "80202"), "123456789")


def _submissions(acceptance_dir, policy, case_id, **kwargs):
    doc = json.loads((acceptance_dir / "claims" / f"{case_id}.json").read_text())["input"]
    log = parse_bill_input(json.dumps(doc), policy)
    batch = build_claims(log.legs, log.ancillary, policy)
    claims = price_claims(batch.claims, load_fee_schedule(policy))
    return log, submissions_from_claims(claims, claim_number_prefix=case_id.upper().replace("-", ""), **kwargs)


def _write(policy, log, subs, **kwargs):
    return write_837p(subs, submitter=SUBMITTER, billing_provider=_provider(log.provider.npi),
                      interchange_control_number=kwargs.pop("icn", 42), group_control_number=kwargs.pop("gcn", 7),
                      policy=policy, created_at=WHEN, **kwargs)


# A few representative cases keep the folder fast (pyx12 takes ~0.1 s per small file); all 14 are checked by
# test_every_case_passes_pyx12 below in one combined run.
@pytest.mark.parametrize("case_id", ["clm-001", "clm-002", "clm-003", "clm-007", "clm-012", "clm-014"])
def test_case_file_passes_pyx12(acceptance_dir, policy, case_id):
    log, subs = _submissions(acceptance_dir, policy, case_id)
    text = _write(policy, log, subs)
    ok, errors = validate_x12(text)
    assert ok, errors


def test_every_case_passes_pyx12(acceptance_dir, policy):
    for path in sorted((acceptance_dir / "claims").glob("clm-*.json")):
        log, subs = _submissions(acceptance_dir, policy, path.stem)
        if subs:
            ok, errors = validate_x12(_write(policy, log, subs))
            assert ok, (path.stem, errors)


def test_structure_of_a_written_file(acceptance_dir, policy):
    log, subs = _submissions(acceptance_dir, policy, "clm-001")
    text = _write(policy, log, subs, icn=123456789, gcn=55)
    segments = [s.strip() for s in text.split("~") if s.strip()]
    assert segments[0].startswith("ISA*00*") and segments[0].endswith("*123456789*0*T*:")
    assert "GS*HC*TP1234567*COMEDASSISTPROG*20260105*0930*55*X*005010X222A1" in segments
    assert segments[-2:] == ["GE*1*55", "IEA*1*123456789"]
    assert "HI*ABK:R6889" in segments
    assert "SV1*HC:A0130:76*25.00*UN*1*41**1" in segments  # charge from the placeholder schedule
    assert "DTP*472*D8*20250304" in segments and not any(s.startswith("DTP*472*RD8") for s in segments)
    assert any(s.startswith("NM1*PW*2") for s in segments) and any(s.startswith("NM1*45*2") for s in segments)
    clm = next(s for s in segments if s.startswith("CLM*"))
    charges = [Decimal(s.split("*")[2]) for s in segments if s.startswith("SV1*")]
    assert Decimal(clm.split("*")[2]) == sum(charges)
    assert clm.split("*")[5] == "41:B:1"
    se = next(s for s in segments if s.startswith("SE*"))
    assert int(se.split("*")[1]) == count_transaction_segments(text)


def test_other_rendering_provider_is_named_on_the_line(acceptance_dir, policy):
    log, subs = _submissions(acceptance_dir, policy, "clm-002")
    text = _write(policy, log, subs)
    others = [line.rendering_npi for s in subs for line in s.lines if line.rendering_npi != log.provider.npi]
    assert others and text.count("NM1*82*2*") == len(others)
    assert all(f"*XX*{npi}~" in text for npi in others) and validate_x12(text)[0]


@pytest.mark.parametrize("frequency, code", [("replacement", "7"), ("void", "8")])
def test_replacement_and_void_pass_pyx12(acceptance_dir, policy, frequency, code):
    log, subs = _submissions(acceptance_dir, policy, "clm-010", frequency=frequency,
                             original_claim_numbers=["2025308000123"])
    text = _write(policy, log, subs)
    assert f"41:B:{code}*" in text and "REF*F8*2025308000123~" in text
    ok, errors = validate_x12(text)
    assert ok, errors


def test_replacement_without_original_number_is_refused(acceptance_dir, policy):
    log, subs = _submissions(acceptance_dir, policy, "clm-010", frequency="replacement")
    with pytest.raises(X12WriteError, match="F8"):
        _write(policy, log, subs)


def test_broken_file_fails_pyx12(acceptance_dir, policy):
    log, subs = _submissions(acceptance_dir, policy, "clm-001")
    text = _write(policy, log, subs).replace("*UN*", "*XX*", 1)
    ok, errors = validate_x12(text)
    assert not ok and any("SV103" in e for e in errors)


def test_shared_negative_fixture_fails_and_samples_pass(x12_dir, tmp_path):
    x12 = tmp_path  # x12valid writes <file>.997 beside its input: work on copies
    for sample in x12_dir.glob("*"):
        (tmp_path / sample.name).write_bytes(sample.read_bytes())
    assert validate_x12_file(x12 / "synthetic_nemt_wheelchair_837p.x12") == (True, [])
    assert validate_x12_file(x12 / "lfh_ambulance_example5_a1_bad_sv103.x12")[0] is False
    ok, errors = validate_x12_file(x12 / "lfh_ambulance_example5_original.837")  # unknown GS08: EngineError caught
    assert not ok and "Map not found" in errors[0]


def test_bad_npi_rejected_by_our_check(acceptance_dir, policy):
    log, subs = _submissions(acceptance_dir, policy, "clm-001")
    bad = log.provider.npi[:-1] + str((int(log.provider.npi[-1]) + 1) % 10)
    with pytest.raises(X12WriteError, match="check digit"):
        write_837p(subs, submitter=SUBMITTER, billing_provider=_provider(bad), interchange_control_number=1,
                   group_control_number=1, policy=policy, created_at=WHEN)
    bad_line = dataclasses.replace(subs[0].lines[0], rendering_npi=bad)
    subs2 = [dataclasses.replace(subs[0], lines=(bad_line,) + subs[0].lines[1:])]
    with pytest.raises(X12WriteError, match="rendering NPI"):
        _write(policy, log, subs2)


def test_diagnosis_with_decimal_point_rejected_by_our_check(acceptance_dir, policy):
    log, subs = _submissions(acceptance_dir, policy, "clm-001")
    with_dot = [dataclasses.replace(subs[0], diagnosis="R68.89")]
    with pytest.raises(X12WriteError, match="decimal point"):
        _write(policy, log, with_dot)
    # pyx12 alone would let it through (../shared/data/x12/README.md): our check is the one that counts.
    text = _write(policy, log, subs).replace("ABK:R6889", "ABK:R68.89")
    assert validate_x12(text)[0] is True


def test_unpriced_line_is_refused(acceptance_dir, policy):
    doc = json.loads((acceptance_dir / "claims" / "clm-001.json").read_text())["input"]
    log = parse_bill_input(json.dumps(doc), policy)
    batch = build_claims(log.legs, log.ancillary, policy)
    with pytest.raises(X12WriteError, match="no charge"):
        submissions_from_claims(batch.claims, claim_number_prefix="X")


def test_long_claim_is_split_at_50_lines(policy):
    from nemt.billing.trip_log import Stop

    from .billing_factories import leg

    legs = [leg(f"L{i}", pickup=Stop("1 A St, Denver, CO 80202", dt.time(6 + i // 60, i % 60))) for i in range(30)]
    claims = price_claims(build_claims(legs, [], policy).claims, load_fee_schedule(policy))
    subs = submissions_from_claims(claims, claim_number_prefix="LONG")
    assert [len(s.lines) for s in subs] == [50, 10]
    text = write_837p(subs, submitter=SUBMITTER, billing_provider=_provider(legs[0].rendering_provider_npi),
                      interchange_control_number=3, group_control_number=3, policy=policy, created_at=WHEN)
    ok, errors = validate_x12(text)
    assert ok, errors


def test_control_numbers_are_checked(acceptance_dir, policy):
    log, subs = _submissions(acceptance_dir, policy, "clm-001")
    with pytest.raises(X12WriteError):
        _write(policy, log, subs, icn=0)
    with pytest.raises(X12WriteError):
        _write(policy, log, subs, icn=1_000_000_000)
