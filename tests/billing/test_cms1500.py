"""CMS-1500 (NUCC 02/12) PDF: each box on the form's 10-pitch, 6-lines-per-inch grid, read back with pypdf's text
positions; six service lines per form, further lines on a further form, each form totaled."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from nemt.billing.claim_rules import build_claims
from nemt.billing.cms1500 import amount_box, birth_date_box, forms_for_claim, mmddyy, render_cms1500, service_date_box
from nemt.billing.cms1500_grid import BOX, COLUMN_PT, LINE_PT, cell_of, line_rows, point_of
from nemt.billing.fees import load_fee_schedule, price_claims
from nemt.billing.trip_log import Stop
from nemt.billing.x12_837p import Address, BillingProviderInfo, submissions_from_claims

from .billing_factories import NPI_A, NPI_B, leg, member
from .pdf_grid import at, grid_pages

PROVIDER = BillingProviderInfo("EXAMPLE TRANSIT LLC", NPI_A, "343900000X",
                               Address("100 Main St", "Denver", "CO", "80202"), "123456789")
SIGNED = dt.date(2025, 3, 10)


def _claim_with_8_lines(policy, **kwargs):
    kid = member(birth_date=dt.date(2014, 7, 1))
    legs = [leg(f"L{i}", member=kid, pickup=Stop("1 A St, Denver, CO 80202", dt.time(8 + i, 0)),
                rendering_provider_npi=NPI_A if i < 3 else NPI_B) for i in range(4)]
    claims = price_claims(build_claims(legs, [], policy).claims, load_fee_schedule(policy))
    return submissions_from_claims(claims, claim_number_prefix="PDF", **kwargs)


def _render(subs, policy, **kwargs):
    return grid_pages(render_cms1500(subs, PROVIDER, policy, signed_on=SIGNED, signer="Pat Billing", **kwargs))


def test_the_grid_is_10_pitch_and_6_lines_per_inch():
    assert COLUMN_PT == 7.2 and LINE_PT == 12.0
    x1, y1 = point_of(8, 50)
    x2, y2 = point_of(9, 60)
    assert (x2 - x1, y1 - y2) == pytest.approx((72.0, 12.0))  # ten columns: one inch; one line: 1/6 inch
    assert cell_of(*point_of(61, 63)) == (61, 63)
    assert line_rows(1) == (43, 44) and line_rows(6) == (53, 54)
    with pytest.raises(ValueError):
        line_rows(7)


def test_box_1a_and_the_patient_boxes_are_at_their_places(policy):
    page = _render(_claim_with_8_lines(policy), policy, payer_name="HEALTH FIRST COLORADO")[0]
    assert at(page, 8, 8) == "X"  # item 1: Medicaid
    assert at(page, BOX["1a"].line, BOX["1a"].column) == "Z100001"  # item 1a at line 8, column 50
    assert (BOX["1a"].line, BOX["1a"].column) == (8, 50)
    assert at(page, 10, 1) == "PERSON, TEST"  # item 2
    assert (at(page, 10, 31), at(page, 10, 34), at(page, 10, 37)) == ("07", "01", "2014")  # item 3: 8 digits
    assert at(page, 10, 42) == at(page, 10, 47) == ""  # sex unknown: "leave blank"
    assert at(page, 2, 41) == "HEALTH FIRST COLORADO"
    assert at(page, 29, 7) == "SIGNATURE ON FILE" and at(page, 29, 37) == "031025"  # item 12
    assert at(page, 36, 1) == "TRANSPORT CERT"  # item 19
    assert at(page, 37, 42) == "0" and at(page, 38, 3) == "R6889"  # item 21: ICD-10, no decimal point
    assert at(page, 38, 50) == ""  # item 22: blank for an original


def test_six_lines_then_a_second_form_each_with_its_own_total(policy):
    subs = _claim_with_8_lines(policy)
    assert len(subs) == 1 and len(subs[0].lines) == 8
    forms = forms_for_claim(subs[0], policy)
    assert [len(f.lines) for f in forms] == [6, 2]
    pages = _render(subs, policy)
    assert len(pages) == 2
    first, second = pages
    rows = [line_rows(n)[1] for n in range(1, 7)]
    assert [at(first, r, 25) for r in rows] == ["A0130", "S0209"] * 3  # six lines on the first form
    assert [at(first, r, 33) for r in rows] == ["", "", "76", "76", "76", "76"]
    assert [at(second, r, 25) for r in rows] == ["A0130", "S0209", "", "", "", ""]  # the rest on the second
    assert [at(second, r, 33) for r in rows[:2]] == ["77", "77"] and at(second, rows[0], 68) == NPI_B  # 24D, 24J
    assert (at(first, 44, 1), at(first, 44, 4), at(first, 44, 7)) == ("03", "04", "25")  # 24A MM DD YY
    assert (at(first, 44, 19), at(first, 44, 22), at(first, 44, 45)) == ("41", "N", "A")  # 24B, 24C, 24E
    assert (at(first, 44, 50), at(first, 44, 59), at(first, 44, 68)) == ("25 00", "1", NPI_A)  # 24F, 24G, 24J
    assert at(first, 46, 59) == "10"
    for form, page in zip(forms, pages, strict=True):
        assert at(page, 56, 52) == amount_box(form.total_charge).strip()  # item 28: this form's lines only
        assert at(page, 56, 23) == "PDF00001" and at(page, 61, 50) == NPI_A  # items 26, 33a on every form
        assert not any("PAGE" in text or " OF 2" in text for text in page.values())  # no continuation claims
    assert sum(f.total_charge for f in forms) == subs[0].total_charge
    assert at(first, 56, 52) == "135 00" and at(second, 56, 52) == "45 00"


def test_provider_boxes(policy):
    page = _render(_claim_with_8_lines(policy), policy, billing_phone="(303) 555-0100")[0]
    assert at(page, 56, 1) == "123456789" and at(page, 56, 19) == "X"  # item 25, EIN
    assert at(page, 56, 38) == "X"  # item 27: YES
    assert at(page, 60, 1) == "PAT BILLING" and at(page, 61, 6) == "031025"  # item 31
    assert at(page, 58, 23) == "EXAMPLE TRANSIT LLC" and at(page, 60, 23) == "DENVER CO 80202"  # item 32
    assert at(page, 57, 66) == "303 555-0100" and at(page, 59, 50) == "100 MAIN ST"  # item 33
    assert at(page, 61, 63) == "ZZ343900000X"  # item 33b


@pytest.mark.parametrize("frequency, code", [("replacement", "7"), ("void", "8")])
def test_field_22_resubmission(policy, frequency, code):
    subs = _claim_with_8_lines(policy, frequency=frequency, original_claim_numbers=["2025069000777"])
    page = _render(subs, policy)[0]
    assert at(page, 38, 50) == code and at(page, 38, 62) == "2025069000777"


def test_transport_cert_only_when_applicable(policy):
    page = _render(_claim_with_8_lines(policy), policy, transport_cert=False)[0]
    assert at(page, 36, 1) == ""


@pytest.mark.parametrize("gender, column", [("F", 47), ("M", 42)])
def test_item_3_sex_box_is_filled(policy, gender, column):
    subs = _claim_with_8_lines(policy)
    marked = [dataclasses.replace(s, subscriber=dataclasses.replace(s.subscriber, gender=gender)) for s in subs]
    page = _render(marked, policy)[0]
    assert at(page, 10, column) == "X"
    assert [at(page, 10, c) for c in (42, 47)].count("X") == 1  # "Only one box can be marked"


def test_nucc_dates_and_amounts():
    assert birth_date_box(dt.date(2014, 7, 1)) == ("07", "01", "2014")
    assert service_date_box(dt.date(2025, 3, 4)) == ("03", "04", "25")
    assert mmddyy(dt.date(2016, 1, 1)) == "010116"
    assert amount_box(Decimal("1234.5")) == " 1234 50" and amount_box(Decimal("7")) == "    7 00"
    with pytest.raises(ValueError):
        amount_box(Decimal("-1"))
