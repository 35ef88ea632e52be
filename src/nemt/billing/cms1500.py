"""CMS-1500 (NUCC 02/12) paper claim as a printable PDF, filled per the manual's CMS 1500 Paper Claim Reference Table.

The data are printed on the form's 10-pitch, 6-lines-per-inch grid (:mod:`nemt.billing.cms1500_grid`), each box at
the line and column where a payer's scanner reads it, in Courier upper case: the sheet is meant to be printed onto
the red OCR form (scanners drop the red; a black copy of the form itself would not scan), so only the data are
drawn — no box outlines and no labels.

"The paper claim form allows entry of up to six detailed billing lines ... Each claim form must be fully completed
(totaled). Do not file continuation claims (e.g., Page 1 of 2)." A claim with more lines is therefore written as
several complete forms, each with its own total in field 28 and no page numbering.

Dates and amounts follow the NUCC 02/12 manual: item 3 "8-digit (MM | DD | YYYY)"; 24A "6-digit (MM | DD | YY)";
12 and 31 "6-digit (MMDDYY)" is accepted; amounts with no dollar sign, comma or decimal point, the cents printed
apart from the dollars ("Enter 00 in the cents area if the amount is a whole number").
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from nemt.billing.cms1500_grid import BOX, FONT, FONT_SIZE, LINE_COLUMNS, Box, line_rows, point_of
from nemt.billing.x12_837p import BillingProviderInfo, ClaimSubmission, ServiceLine, phone_digits
from nemt.policy import Policy

__all__ = ["Cms1500Form", "amount_box", "birth_date_box", "forms_for_claim", "mmddyy", "render_cms1500",
           "service_date_box", "sex_column"]


def mmddyy(day: dt.date) -> str:
    """A six-digit date with no dividers, for items 12 and 31 "DATE": NUCC 02/12 items 12 and 31 accept
    "6-digit (MMDDYY)"."""
    return day.strftime("%m%d%y")


def birth_date_box(day: dt.date) -> tuple[str, str, str]:
    """Item 3: "Enter the patient's 8-digit birth date (MM | DD | YYYY)" — the three parts go in their own places
    between the form's dividers."""
    return day.strftime("%m"), day.strftime("%d"), day.strftime("%Y")


def service_date_box(day: dt.date) -> tuple[str, str, str]:
    """Item 24A "From": the six-digit date (MM | DD | YY) the manual asks for ("Enter the six-digit date of service in
    the 'From' field") and NUCC 02/12 accepts."""
    return day.strftime("%m"), day.strftime("%d"), day.strftime("%y")


def sex_column(gender: str) -> str | None:
    """Item 3 SEX: "Enter an X in the correct box ... Only one box can be marked. If sex is unknown, leave blank"
    (NUCC 02/12); the member's sex is the 837P's code (DMG03: F, M, U). The grid box name, or None."""
    return {"M": "3_sex_m", "F": "3_sex_f"}.get(gender)


def amount_box(amount: Decimal) -> str:
    """Items 24F and 28: eight characters, the dollars right-justified, a space where the form's dotted divider is,
    then the cents — "Do not use commas, dollar signs or decimal points" (NUCC 02/12)."""
    if amount < 0:
        raise ValueError("negative amounts are not allowed on the 1500")
    return f"{amount:8.2f}".replace(".", " ")


@dataclass(frozen=True)
class Cms1500Form:
    """One complete paper form: at most ``claims.cms1500_lines_per_form`` lines and their own total."""

    claim: ClaimSubmission
    lines: tuple[ServiceLine, ...]

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0.00"))


def forms_for_claim(claim: ClaimSubmission, policy: Policy) -> list[Cms1500Form]:
    """Split a claim into complete forms of at most six lines each (CMS 1500 Paper Claim Reference Table, 24)."""
    per_form = policy.get("claims.cms1500_lines_per_form")
    return [Cms1500Form(claim, claim.lines[i:i + per_form]) for i in range(0, len(claim.lines), per_form)]


def _resubmission_code(claim: ClaimSubmission, policy: Policy) -> str:
    """Field 22: "7 - Replacement of prior claim / 8 - Void/Cancel of prior claim"; blank for an original."""
    if claim.frequency == "replacement":
        return str(policy.get("claims.frequency_replacement"))
    if claim.frequency == "void":
        return str(policy.get("claims.frequency_void"))
    return ""


@dataclass(frozen=True)
class _Page:
    """What every form of one rendering shares: the billing provider, the signer and the policy's fixed values."""

    billing_provider: BillingProviderInfo
    billing_phone: str
    facility: tuple[str, str, str]
    policy: Policy
    payer_name: str
    signed_on: dt.date
    signer: str
    transport_cert: bool


class _Sheet:
    """Draws values at grid boxes: upper case, cut to the box's width (NUCC OCR guidelines)."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf

    def put(self, box: Box | str, value: str, *, line: int | None = None) -> None:
        where = BOX[box] if isinstance(box, str) else box
        text = " ".join(str(value).upper().split())[:where.width] if value.strip() else ""
        if text:
            x, y = point_of(line if line is not None else where.line, where.column)
            self.pdf.drawString(x, y, text)


def render_cms1500(
    claims: Sequence[ClaimSubmission],
    billing_provider: BillingProviderInfo,
    policy: Policy,
    *,
    signed_on: dt.date,
    signer: str,
    billing_phone: str = "",
    service_facility: tuple[str, str, str] | None = None,
    transport_cert: bool = True,
    payer_name: str = "",
    output: str | Path | None = None,
) -> bytes:
    """Render every claim as one or more CMS-1500 forms (one page each) in one PDF. Returns the PDF bytes (and writes
    ``output`` when given). ``service_facility`` is field 32 as (name, address line, "city, ST ZIP"); the billing
    provider's address is used when it is None. ``transport_cert`` fills field 19 with "TRANSPORT CERT" ("When
    applicable, enter the words "TRANSPORT CERT" to certify that you have a transportation certificate or trip
    sheet on file"). ``payer_name`` goes in the carrier block."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, pageCompression=0)
    pdf.setTitle("CMS-1500 (02/12) claim data, to print on the red OCR form")
    bp = billing_provider
    bp_city = f"{bp.address.city} {bp.address.state} {bp.address.zip}"
    page = _Page(billing_provider=bp, billing_phone=billing_phone,
                 facility=service_facility or (bp.name, bp.address.line1, bp_city), policy=policy,
                 payer_name=payer_name, signed_on=signed_on, signer=signer, transport_cert=transport_cert)
    for claim in claims:
        for form in forms_for_claim(claim, policy):
            pdf.setFont(FONT, FONT_SIZE)
            sheet = _Sheet(pdf)
            _patient_boxes(sheet, form.claim, page)
            _service_lines(sheet, form, page)
            _provider_boxes(sheet, form, page)
            pdf.showPage()
    pdf.save()
    data = buffer.getvalue()
    if output is not None:
        Path(output).write_bytes(data)
    return data


def _patient_boxes(sheet: _Sheet, claim: ClaimSubmission, page: _Page) -> None:
    """The carrier block and items 1 to 23."""
    sheet.put("carrier_name", page.payer_name)
    sheet.put("1_medicaid", "X")
    sheet.put("1a", claim.subscriber.member_id)
    sheet.put("2", ", ".join(n for n in (claim.subscriber.last_name, claim.subscriber.first_name) if n))
    if claim.subscriber.birth_date:
        for box, part in zip(("3_mm", "3_dd", "3_yyyy"), birth_date_box(claim.subscriber.birth_date), strict=True):
            sheet.put(box, part)
    sex = sex_column(claim.subscriber.gender)
    if sex:
        sheet.put(sex, "X")
    sheet.put("12", "SIGNATURE ON FILE")
    sheet.put("12_date", mmddyy(page.signed_on))
    if page.transport_cert:
        sheet.put("19", "TRANSPORT CERT")
    sheet.put("21_ind", "0")  # ICD-10-CM
    # NUCC item 21: "Do not include the decimal point in the diagnosis code, because it is implied."
    sheet.put("21_a", str(page.policy.get("claims.diagnosis")))
    sheet.put("22_code", _resubmission_code(claim, page.policy))
    sheet.put("22_original", claim.original_claim_number or "")


def _service_lines(sheet: _Sheet, form: Cms1500Form, page: _Page) -> None:
    """Field 24, one service line per form row, on the row's unshaded line (the shaded one stays empty)."""
    emergency = str(page.policy.get("claims.emergency_indicator"))
    for n, line in enumerate(form.lines, start=1):
        _, row = line_rows(n)
        # Single date of service: "Enter the six-digit date of service in the "From" field."
        values = dict(zip(("24a_from_mm", "24a_from_dd", "24a_from_yy"), service_date_box(line.date_of_service),
                          strict=True))
        values.update({"24b": line.place_of_service, "24c": emergency, "24d_code": line.hcpcs,
                       "24d_modifiers": " ".join(line.modifiers), "24e": "A", "24f": amount_box(line.charge),
                       "24g": str(line.units), "24j": line.rendering_npi or page.billing_provider.npi})
        for name, value in values.items():
            sheet.put(LINE_COLUMNS[name], value, line=row)


def _provider_boxes(sheet: _Sheet, form: Cms1500Form, page: _Page) -> None:
    """Items 25 to 33b; item 28 is this form's own total."""
    bp = page.billing_provider
    sheet.put("25", bp.tax_id)
    sheet.put("25_ein", "X")
    sheet.put("26", form.claim.claim_number)
    sheet.put("27_yes", "X")
    sheet.put("28", amount_box(form.total_charge))
    sheet.put("31", page.signer)
    sheet.put("31_date", mmddyy(page.signed_on))
    for box, value in zip(("32_name", "32_street", "32_city"), page.facility, strict=True):
        sheet.put(box, value.replace(",", ""))
    digits = phone_digits(page.billing_phone)[-10:]
    if len(digits) == 10:
        sheet.put("33_phone", f"{digits[:3]} {digits[3:6]}-{digits[6:]}")
    sheet.put("33_name", bp.name)
    sheet.put("33_street", bp.address.line1)
    sheet.put("33_city", f"{bp.address.city} {bp.address.state} {bp.address.zip}")
    sheet.put("33a", bp.npi)
    sheet.put("33b", f"ZZ{bp.taxonomy}")
