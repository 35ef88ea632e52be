"""The two money paths (nemt.billing.payers) and the 837P's submitter contact (loop 1000A PER), on the pure writer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from nemt.billing.claim_rules import build_claims
from nemt.billing.fees import load_fee_schedule, price_claims
from nemt.billing.payers import PayerPath, payer_of, payer_path, receiver_of
from nemt.billing.x12_837p import (
    Address,
    BillingProviderInfo,
    Submitter,
    X12WriteError,
    submissions_from_claims,
    valid_contact_phone,
    write_837p,
)
from nemt.billing.x12_validate import validate_x12
from nemt.contracts.bill import parse_bill_input
from nemt.policy import load_policy

SUBMITTER = Submitter("EXAMPLE NEMT BROKER", "TP1234567", "BILLING DESK", "303-555-0100")
WHEN = dt.datetime(2026, 1, 5, 9, 30)


def _case(acceptance_dir, policy, case_id="clm-001"):
    doc = json.loads((acceptance_dir / "claims" / f"{case_id}.json").read_text())["input"]
    log = parse_bill_input(json.dumps(doc), policy)
    claims = price_claims(build_claims(log.legs, log.ancillary, policy).claims, load_fee_schedule(policy))
    provider = BillingProviderInfo("EXAMPLE TRANSIT LLC", log.provider.npi, "343900000X",
                                   Address("100 Main St", "Denver", "CO", "80202"), "123456789")
    return provider, submissions_from_claims(claims, claim_number_prefix="C")


def _write(policy, provider, subs, submitter=SUBMITTER, path=PayerPath.DEPARTMENT):
    return write_837p(subs, submitter=submitter, billing_provider=provider, interchange_control_number=1,
                      group_control_number=1, policy=policy, created_at=WHEN, payer=payer_of(path, policy),
                      receiver=receiver_of(path, policy))


def test_the_path_follows_the_county(policy):
    for county in policy.get("administration.broker_counties"):
        assert payer_path(county, policy) == PayerPath.BROKER
        assert payer_path(f"{county.upper()} County", policy) == PayerPath.BROKER
    assert payer_path("El Paso", policy) == PayerPath.DEPARTMENT
    assert payer_path("", policy) == PayerPath.DEPARTMENT
    assert payer_path("Hartford", load_policy("CT")) == PayerPath.DEPARTMENT  # no broker payer in Connecticut
    assert payer_of(PayerPath.BROKER, policy).name == policy.get("administration.broker_name").upper()
    assert payer_of(PayerPath.DEPARTMENT, policy).id == policy.get("x12.payer_id")
    assert policy.cite("payers").endswith("Payment for Covered Services")


def test_a_claim_of_one_payer_is_never_written_into_another_payers_file(acceptance_dir, policy):
    provider, subs = _case(acceptance_dir, policy)
    broker_claim = dataclasses.replace(subs[0], payer_id=payer_of(PayerPath.BROKER, policy).id)
    with pytest.raises(X12WriteError, match="cannot be sent to CO_TXIX"):
        _write(policy, provider, [broker_claim])
    text = _write(policy, provider, [broker_claim], path=PayerPath.BROKER)
    ok, errors = validate_x12(text)
    assert ok, errors
    assert f"NM1*PR*2*{payer_of(PayerPath.BROKER, policy).name}*****PI*COSDEBROKER~" in text
    assert "CO_TXIX" not in text and "COMEDASSISTPROG" not in text


def test_the_submitter_contact_number_is_required(acceptance_dir, policy):
    """005010X222A1 makes PER03/PER04 of loop 1000A required; pyx12 agrees. No made-up number is written."""
    provider, subs = _case(acceptance_dir, policy)
    text = _write(policy, provider, subs)
    assert "PER*IC*BILLING DESK*TE*3035550100~" in text
    without = text.replace("PER*IC*BILLING DESK*TE*3035550100~", "PER*IC*BILLING DESK~")
    assert not validate_x12(without)[0]  # the guide requires the number: omitting the pair is no option
    for phone in ("", "0000000000", "555-0100", "1234567890"):
        assert not valid_contact_phone(phone)
        with pytest.raises(X12WriteError, match="PER03/PER04"):
            _write(policy, provider, subs, submitter=dataclasses.replace(SUBMITTER, phone=phone))
    assert valid_contact_phone("(303) 555-0100")
