"""The broker's adjudication (fee schedule, denying edits), its 835 writer (pyx12-valid, read back by our parser) and
the 837P encounter file (BHT06 = RP), on plain values."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from nemt.billing.broker_adjudication import ClaimToPay, LineToPay, adjudicate
from nemt.billing.fees import load_fee_schedule
from nemt.billing.x12_835 import Adjustment, parse_835
from nemt.billing.x12_835_writer import PaidClaim, PaidLine, Party, write_835
from nemt.billing.x12_837p import Address, X12WriteError
from nemt.billing.x12_validate import validate_x12

DAY = dt.date(2026, 3, 2)
PAYER = Party("EXAMPLE BROKER", "COSDEBROKER", Address("1 Broker Way", "Denver", "CO", "80202"), "840000000",
              "8336433010")
PAYEE = Party("EXAMPLE TRANSIT LLC", "1234567893", Address("100 Main St", "Denver", "CO", "80202"), "123456789")


def _claim(number="CL1", edits=(), charge=None, policy=None, units=1, hcpcs="A0130") -> ClaimToPay:
    rate = load_fee_schedule(policy).price(hcpcs, (), units, DAY)
    line = LineToPay(hcpcs, (), units, rate if charge is None else Decimal(charge), DAY)
    return ClaimToPay(number, f"B{number}", "D100001", "SAMPLE", "AMY", "41", "1", (line,), tuple(edits))


def _write(claims):
    return write_835(claims, payer=PAYER, payee=PAYEE, trace_number="BRK1", paid_on=DAY, interchange_control_number=7,
                     group_control_number=7, created_at=dt.datetime(2026, 3, 9, 10, 0))


def test_paid_at_the_fee_schedule_and_denied_by_the_builds_edits(policy):
    schedule = load_fee_schedule(policy)
    rate = schedule.price("A0130", (), 1, DAY)
    exact, over, late, no_rate = adjudicate([
        _claim("CL1", policy=policy), _claim("CL2", charge=rate + Decimal("5.00"), policy=policy),
        _claim("CL3", edits=["timely-filing-limit-passed"], policy=policy),
        dataclasses.replace(_claim("CL4", policy=policy),
                            lines=(LineToPay("A0130", (), 1, Decimal("9.00"), dt.date(1990, 1, 1)),))], schedule)
    assert (exact.status_code, exact.paid, exact.lines[0].adjustments) == ("1", rate, ())
    assert over.paid == rate and over.lines[0].adjustments == (Adjustment("CO", "45", Decimal("5.00")),)
    assert late.status_code == "4" and late.paid == 0 and late.lines[0].adjustments[0].reason == "29"
    assert no_rate.status_code == "4" and no_rate.lines[0].adjustments[0].reason == "16"

    text = _write([exact, over, late, no_rate])
    ok, messages = validate_x12(text)
    assert ok, messages
    back = parse_835(text)
    assert back.total_paid == 2 * rate and back.payee_npi == PAYEE.id
    assert [(c.claim_number, c.status_code, c.paid) for c in back.claims] == [
        ("CL1", "1", rate), ("CL2", "1", rate), ("CL3", "4", 0), ("CL4", "4", 0)]
    assert back.claims[1].services[0].adjustments == (Adjustment("CO", "45", Decimal("5.00")),)


def test_the_835_balances_or_is_not_written():
    line = PaidLine("A0130", (), Decimal("30.00"), Decimal("20.00"), 1, DAY)  # 10.00 unexplained
    claim = PaidClaim("CL1", "1", "BCL1", "D100001", "SAMPLE", "AMY", "41", "1", (line,))
    with pytest.raises(X12WriteError, match="balancing"):
        _write([claim])
    with pytest.raises(X12WriteError):
        _write([])
    nothing_paid = _write([dataclasses.replace(claim, status_code="4", lines=(dataclasses.replace(
        line, paid=Decimal("0.00"), adjustments=(Adjustment("CO", "16", Decimal("30.00")),)),))])
    assert "BPR*H*0*C*NON" in nothing_paid and validate_x12(nothing_paid)[0]


def test_an_encounter_file_is_a_reporting_837p(acceptance_dir, policy):
    from nemt.billing.x12_837p import write_837p
    from tests.billing.test_payers import SUBMITTER, WHEN, _case

    provider, subs = _case(acceptance_dir, policy)
    text = write_837p(subs, submitter=SUBMITTER, billing_provider=provider, interchange_control_number=3,
                      group_control_number=3, policy=policy, created_at=WHEN, transaction_type="RP")
    assert "*RP~" in text.split("BHT*", 1)[1].split("\n", 1)[0]
    assert validate_x12(text)[0]
    with pytest.raises(X12WriteError, match="BHT06"):
        write_837p(subs, submitter=SUBMITTER, billing_provider=provider, interchange_control_number=3,
                   group_control_number=3, policy=policy, created_at=WHEN, transaction_type="XX")
