"""CMS-1500 paper claim as PDF (reportlab), filled per the manual's CMS 1500 Paper Claim Reference Table.

"The paper claim form allows entry of up to six detailed billing lines ... Each claim form must be fully completed
(totaled). Do not file continuation claims (e.g., Page 1 of 2)." A claim with more lines is therefore written
as several complete forms, each with its own total in field 28 and no page numbering.

The PDF is a plain rendering of the form's fields with their numbers and labels (not an overlay on the red
OCR form), so that the values can be read back (e.g. with pypdf) and checked.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from nemt.billing.x12_837p import BillingProviderInfo, ClaimSubmission, ServiceLine
from nemt.policy import Policy

__all__ = ["Cms1500Form", "forms_for_claim", "render_cms1500", "mmddyy"]


def mmddyy(day: dt.date) -> str:
    """Six-digit dates, "Example: 070114 for July 1, 2014" (fields 3, 24A, 31)."""
    return day.strftime("%m%d%y")


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
    billing_city: str
    billing_phone: str
    facility: tuple[str, str, str]
    policy: Policy
    diagnosis: str
    emergency: str
    signed_on: dt.date
    signer: str
    transport_cert: bool


# Field 24: the column headers and their x positions.
_LINE_HEADERS = ("24A FROM", "TO", "24B POS", "24C EMG", "24D CPT/HCPCS MODIFIER", "24E PTR",
                 "24F $ CHARGES", "24G UNITS", "24J RENDERING NPI")
_LINE_COLUMNS = (40, 85, 130, 170, 210, 330, 370, 440, 490)


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
    output: str | Path | None = None,
) -> bytes:
    """Render every claim as one or more CMS-1500 forms in one PDF. Returns the PDF bytes (and writes ``output``
    when given). ``service_facility`` is field 32 as (name, address line, "city, ST ZIP"); the billing provider's
    address is used when it is None. ``transport_cert`` fills field 19 with "TRANSPORT CERT" ("When applicable,
    enter the words "TRANSPORT CERT" to certify that you have a transportation certificate or trip sheet on
    file")."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, pageCompression=0)
    pdf.setTitle("CMS-1500 Health Insurance Claim Form")
    _, height = letter
    bp = billing_provider
    bp_city = f"{bp.address.city}, {bp.address.state} {bp.address.zip}"
    page = _Page(
        billing_provider=bp, billing_city=bp_city, billing_phone=billing_phone,
        facility=service_facility or (bp.name, bp.address.line1, bp_city), policy=policy,
        diagnosis=policy.get("claims.diagnosis_display"), emergency=policy.get("claims.emergency_indicator"),
        signed_on=signed_on, signer=signer, transport_cert=transport_cert,
    )
    for claim in claims:
        for form in forms_for_claim(claim, policy):
            _draw_form(pdf, form, page, height)
            pdf.showPage()
    pdf.save()
    data = buffer.getvalue()
    if output is not None:
        Path(output).write_bytes(data)
    return data


def _field(pdf: Any, label: str, value: str, x: float, y: float) -> None:
    pdf.drawString(x, y, f"{label}: {value}")


def _draw_form(pdf: Any, form: Cms1500Form, page: _Page, height: float) -> None:
    """One complete form: the header fields, the service lines (24) and the totals and signatures."""
    y = height - 40
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(40, y, "HEALTH INSURANCE CLAIM FORM (CMS-1500 02/12)")
    pdf.setFont("Helvetica", 8)
    y = _draw_patient_fields(pdf, form.claim, page, y - 24)
    y = _draw_lines(pdf, form, page, y - 22)
    _draw_provider_fields(pdf, form, page, y - 24)


def _draw_patient_fields(pdf: Any, claim: ClaimSubmission, page: _Page, y: float) -> float:
    """Fields 1 to 22, from ``y`` down; returns the y of the last row."""
    field = partial(_field, pdf)
    field("1 MEDICAID", "X", 40, y)
    field("1a INSURED'S ID NUMBER", claim.subscriber.member_id, 200, y)
    y -= 14
    name = f"{claim.subscriber.last_name}, {claim.subscriber.first_name}".strip(", ")
    field("2 PATIENT'S NAME", name, 40, y)
    birth = mmddyy(claim.subscriber.birth_date) if claim.subscriber.birth_date else ""
    field("3 PATIENT'S BIRTH DATE", birth, 330, y)
    y -= 14
    field("12 PATIENT'S SIGNATURE", "SOF", 40, y)
    field("DATE", mmddyy(page.signed_on), 200, y)
    y -= 14
    field("19 ADDITIONAL CLAIM INFORMATION", "TRANSPORT CERT" if page.transport_cert else "", 40, y)
    y -= 14
    field("21 DIAGNOSIS ICD IND", "0", 40, y)
    field("A", page.diagnosis, 160, y)
    y -= 14
    field("22 RESUBMISSION CODE", _resubmission_code(claim, page.policy), 40, y)
    field("ORIGINAL REF. NO.", claim.original_claim_number or "", 200, y)
    return y


def _draw_lines(pdf: Any, form: Cms1500Form, page: _Page, y: float) -> float:
    """Field 24: the headers at ``y`` and one row per line below; returns the y of the last row."""
    pdf.setFont("Helvetica-Bold", 8)
    for x, header in zip(_LINE_COLUMNS, _LINE_HEADERS, strict=True):
        pdf.drawString(x, y, header)
    pdf.setFont("Helvetica", 8)
    for n, line in enumerate(form.lines, start=1):
        y -= 14
        # Single date of service: "Enter the six-digit date of service in the "From" field."
        values = [
            mmddyy(line.date_of_service), "", line.place_of_service, page.emergency,
            " ".join((line.hcpcs,) + tuple(line.modifiers)), "A", f"{line.charge:.2f}", str(line.units),
            line.rendering_npi or page.billing_provider.npi,
        ]
        pdf.drawString(30, y, str(n))
        for x, value in zip(_LINE_COLUMNS, values, strict=True):
            pdf.drawString(x, y, value)
    return y


def _draw_provider_fields(pdf: Any, form: Cms1500Form, page: _Page, y: float) -> None:
    """Fields 26 to 33a, from ``y`` down."""
    field = partial(_field, pdf)
    bp = page.billing_provider
    field("26 PATIENT'S ACCOUNT NO.", form.claim.claim_number, 40, y)
    field("27 ACCEPT ASSIGNMENT", "YES", 250, y)
    field("28 TOTAL CHARGE", f"{form.total_charge:.2f}", 400, y)
    y -= 14
    field("31 SIGNATURE OF PHYSICIAN OR SUPPLIER", f"{page.signer} {mmddyy(page.signed_on)}", 40, y)
    y -= 14
    field("32 SERVICE FACILITY", " / ".join(page.facility), 40, y)
    y -= 14
    billing_info = f"{bp.name} / {bp.address.line1} / {page.billing_city} {page.billing_phone}".strip()
    field("33 BILLING PROVIDER INFO & PH #", billing_info, 40, y)
    y -= 14
    field("33a NPI", bp.npi, 40, y)
