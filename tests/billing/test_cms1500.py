"""CMS-1500 PDF: six lines per form, each form totaled; fields read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from nemt.billing.claim_rules import build_claims
from nemt.billing.cms1500 import forms_for_claim, mmddyy, render_cms1500
from nemt.billing.fees import load_fee_schedule, price_claims
from nemt.billing.trip_log import Stop
from nemt.billing.x12_837p import Address, BillingProviderInfo, submissions_from_claims

from .billing_factories import NPI_A, NPI_B, leg, member

PROVIDER = BillingProviderInfo("EXAMPLE TRANSIT LLC", NPI_A, "343900000X",
                               Address("100 Main St", "Denver", "CO", "80202"), "123456789")


def _claim_with_8_lines(policy, **kwargs):
    kid = member(birth_date=dt.date(2014, 7, 1))
    legs = [leg(f"L{i}", member=kid, pickup=Stop("1 A St, Denver, CO 80202", dt.time(8 + i, 0)),
                rendering_provider_npi=NPI_A if i < 3 else NPI_B) for i in range(4)]
    claims = price_claims(build_claims(legs, [], policy).claims, load_fee_schedule(policy))
    return submissions_from_claims(claims, claim_number_prefix="PDF", **kwargs)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _rows(text: str) -> list[list[str]]:
    """Service-line rows of one form: number, 24A, 24B, 24C, 24D, 24E, 24F, 24G, 24J."""
    body = text.split("24J RENDERING NPI", 1)[1].split("26 PATIENT'S ACCOUNT NO.", 1)[0]
    tokens = [t.strip() for t in body.splitlines() if t.strip()]
    return [tokens[i:i + 9] for i in range(0, len(tokens), 9)]


def test_eight_lines_make_two_complete_forms(policy):
    subs = _claim_with_8_lines(policy)
    assert len(subs) == 1 and len(subs[0].lines) == 8
    forms = forms_for_claim(subs[0], policy)
    assert [len(f.lines) for f in forms] == [6, 2]
    pdf = render_cms1500(subs, PROVIDER, policy, signed_on=dt.date(2025, 3, 10), signer="Pat Billing")
    pages = _pages(pdf)
    assert len(pages) == 2
    for form, text in zip(forms, pages, strict=True):
        assert f"28 TOTAL CHARGE: {form.total_charge:.2f}" in text  # each form fully totaled
        assert "of 2" not in text and "Page" not in text  # "Do not file continuation claims"
    assert sum(f.total_charge for f in forms) == subs[0].total_charge


def test_fields_of_the_reference_table(policy):
    subs = _claim_with_8_lines(policy)
    text = _pages(render_cms1500(subs, PROVIDER, policy, signed_on=dt.date(2025, 3, 10), signer="Pat Billing"))[0]
    assert "1 MEDICAID: X" in text
    assert "1a INSURED'S ID NUMBER: Z100001" in text
    assert "2 PATIENT'S NAME: Person, Test" in text
    assert "3 PATIENT'S BIRTH DATE: 070114" in text  # MMDDYY as in "070114 for July 1, 2014"
    assert "12 PATIENT'S SIGNATURE: SOF" in text
    assert "19 ADDITIONAL CLAIM INFORMATION: TRANSPORT CERT" in text
    assert "21 DIAGNOSIS ICD IND: 0" in text and "A: R68.89" in text
    rows = _rows(text)
    assert len(rows) == 6
    assert rows[0] == ["1", "030425", "41", "N", "A0130", "A", "25.00", "1", NPI_A]  # placeholder rate
    assert rows[3][4] == "S0209 76" and rows[3][7] == "10"
    second = _rows(_pages(render_cms1500(subs, PROVIDER, policy, signed_on=dt.date(2025, 3, 10), signer="x"))[1])
    assert [r[4] for r in second] == ["A0130 77", "S0209 77"] and {r[8] for r in second} == {NPI_B}  # 24D, 24J
    assert "27 ACCEPT ASSIGNMENT: YES" in text
    assert "31 SIGNATURE OF PHYSICIAN OR SUPPLIER: Pat Billing 031025" in text
    assert "32 SERVICE FACILITY: EXAMPLE TRANSIT LLC" in text
    assert f"33a NPI: {NPI_A}" in text
    assert "22 RESUBMISSION CODE: ORIGINAL" not in text


@pytest.mark.parametrize("frequency, code", [("replacement", "7"), ("void", "8")])
def test_field_22_resubmission(policy, frequency, code):
    subs = _claim_with_8_lines(policy, frequency=frequency, original_claim_numbers=["2025069000777"])
    text = _pages(render_cms1500(subs, PROVIDER, policy, signed_on=dt.date(2025, 3, 10), signer="x"))[0]
    assert f"22 RESUBMISSION CODE: {code}" in text and "ORIGINAL REF. NO.: 2025069000777" in text


def test_transport_cert_only_when_applicable(policy):
    subs = _claim_with_8_lines(policy)
    text = _pages(render_cms1500(subs, PROVIDER, policy, signed_on=dt.date(2025, 3, 10), signer="x",
                                 transport_cert=False))[0]
    assert "TRANSPORT CERT" not in text


def test_mmddyy():
    assert mmddyy(dt.date(2016, 1, 1)) == "010116"
