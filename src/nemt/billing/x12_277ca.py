"""X12 277CA Health Care Claim Acknowledgment (005010X214): reader and writer.

After a 999 has accepted our 837P's syntax, the payer's front end answers claim by claim: the 277CA's patient level
(HL … PT, loop 2000D) holds, per claim, our claim number (TRN02 = CLM01), the payer's claim control number (REF*1K)
and a status (STC01: category code : status code). A claim whose category is an acknowledgment (A1 received, A2
accepted into adjudication, A5 split) was taken in; a returned or rejected one (A3 returned as unprocessable, A4 not
found, A6 rejected for missing information, A7 rejected for invalid information, A8 rejected for relational field in
error) was not, and the provider must correct and send it again.

Category meanings are those of the X12 external code list "Claim Status Category Codes" (code source 507, WPC);
status codes (code source 508) are kept as numbers: their texts are WPC's and not reproduced here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from nemt.billing.x12_837p import COMPONENT_SEPARATOR, X12WriteError, _money, _text
from nemt.billing.x12_ack import AckError, Segment, envelope, fail, required, segments_of

__all__ = ["CATEGORIES", "ClaimAck", "parse_277ca", "write_277ca"]

VERSION = "005010X214"
CATEGORIES = {
    "A0": "forwarded to another entity", "A1": "received", "A2": "accepted into the adjudication system",
    "A3": "returned as unprocessable", "A4": "not found", "A5": "split", "A6": "rejected for missing information",
    "A7": "rejected for invalid information", "A8": "rejected for relational field in error",
}
ACCEPTED_CATEGORIES = frozenset({"A1", "A2", "A5"})


@dataclass(frozen=True)
class ClaimAck:
    """The front end's answer on one claim."""

    claim_number: str  # TRN02 of loop 2200D: our CLM01
    category: str  # STC01-1
    status_code: str  # STC01-2
    payer_claim_number: str = ""  # REF*1K
    amount: Decimal | None = None  # STC04: the claim's total charge

    @property
    def accepted(self) -> bool:
        return self.category in ACCEPTED_CATEGORIES

    @property
    def meaning(self) -> str:
        return CATEGORIES.get(self.category, f"category {self.category}")


def _stc(segment: Segment) -> tuple[str, str, Decimal | None]:
    composite = required(segment, 1, "health care claim status").split(COMPONENT_SEPARATOR)
    category = composite[0].strip()
    if category not in CATEGORIES:
        raise fail(segment, f"STC01-1 ({category or 'empty'}) is not a claim status category this reader knows")
    amount = segment.get(4).strip()
    try:
        value = Decimal(amount) if amount else None
    except ArithmeticError:
        raise fail(segment, "STC04 (total claim charge amount) is not a number") from None
    return category, composite[1].strip() if len(composite) > 1 else "", value


def parse_277ca(text: str) -> list[ClaimAck]:
    """The claim-level statuses of a 277CA, in file order. Raises :class:`~nemt.billing.x12_ack.AckError` naming the
    segment when the file is malformed or holds no claim."""
    segments = segments_of(text)
    st = next((s for s in segments if s.id == "ST"), None)
    if st is None or st.get(1).strip() != "277":
        raise AckError(st.position if st else 1, "ST", "ST01 must be 277 (claim acknowledgment)")
    out: list[ClaimAck] = []
    level = ""
    draft: dict[str, Any] | None = None
    for segment in segments:
        if segment.id in ("HL", "SE") and draft is not None:
            out.append(_claim(draft))
            draft = None
        if segment.id == "HL":
            level = required(segment, 3, "hierarchical level code")
        elif level == "PT" and segment.id == "NM1" and segment.get(1).strip() == "QC":
            draft = {"segment": segment}
        elif level == "PT" and draft is not None and segment.id == "TRN":
            draft["claim_number"] = required(segment, 2, "patient control number")
        elif level == "PT" and draft is not None and segment.id == "STC" and "category" not in draft:
            draft["category"], draft["status_code"], draft["amount"] = _stc(segment)
        elif level == "PT" and draft is not None and segment.id == "REF" and segment.get(1).strip() == "1K":
            draft["payer_claim_number"] = segment.get(2).strip()
    if not out:
        raise AckError(st.position, "ST", "the 277CA holds no claim (no patient level, HL03 = PT)")
    return out


def _claim(draft: dict[str, Any]) -> ClaimAck:
    if "claim_number" not in draft or "category" not in draft:
        raise fail(draft["segment"], "a claim of the 277CA lacks its TRN (claim number) or its STC (status)")
    return ClaimAck(draft["claim_number"], draft["category"], draft["status_code"],
                    draft.get("payer_claim_number", ""), draft["amount"])


# --- writer (sample files) ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimAnswer:
    """One claim to acknowledge in :func:`write_277ca`."""

    claim_number: str
    category: str
    status_code: str
    charge: Decimal
    service_date: dt.date
    member_id: str = field(repr=False)
    member_last: str = field(repr=False)
    member_first: str = field(repr=False)
    payer_claim_number: str = ""


def write_277ca(answers: Sequence[ClaimAnswer], *, payer_name: str, payer_id: str, submitter_name: str,
                submitter_id: str, provider_name: str, provider_npi: str, batch_reference: str,
                interchange_control_number: int, group_control_number: int, created_at: dt.datetime) -> str:
    """A 277CA answering one batch of one billing provider's claims, as a payer's front end would."""
    if not answers:
        raise X12WriteError("a 277CA acknowledges at least one claim")
    day = f"{created_at:%Y%m%d}"
    accepted = [a for a in answers if a.category in ACCEPTED_CATEGORIES]
    rejected = [a for a in answers if a.category not in ACCEPTED_CATEGORIES]
    amounts = [f"AMT*YU*{_money(sum((a.charge for a in accepted), Decimal(0)))}"] if accepted else []
    amounts += [f"AMT*YY*{_money(sum((a.charge for a in rejected), Decimal(0)))}"] if rejected else []
    # Loop 2200B counts with QTY*90 / QTY*AA, loop 2200C with QTY*QA / QTY*QC (005010X214).
    receiver_totals = ([f"QTY*90*{len(accepted)}"] if accepted else []) + (
        [f"QTY*AA*{len(rejected)}"] if rejected else []) + amounts
    provider_totals = ([f"QTY*QA*{len(accepted)}"] if accepted else []) + (
        [f"QTY*QC*{len(rejected)}"] if rejected else []) + amounts
    total = _money(sum((a.charge for a in answers), Decimal(0)))
    body = ["ST*277*0001*" + VERSION, f"BHT*0085*08*{_text(batch_reference, 50)}*{day}*{created_at:%H%M}*TH",
            "HL*1**20*1", f"NM1*PR*2*{_text(payer_name, 60)}*****PI*{_text(payer_id, 80)}", f"TRN*1*{day}01",
            f"DTP*050*D8*{day}", f"DTP*009*D8*{day}",
            "HL*2*1*21*1", f"NM1*41*2*{_text(submitter_name, 60)}*****46*{_text(submitter_id, 80)}",
            f"TRN*2*{_text(batch_reference, 50)}",
            f"STC*A1{COMPONENT_SEPARATOR}19{COMPONENT_SEPARATOR}PR*{day}*WQ*{total}", *receiver_totals,
            "HL*3*2*19*1", f"NM1*85*2*{_text(provider_name, 60)}*****XX*{provider_npi}", "TRN*1*0",
            f"STC*A1{COMPONENT_SEPARATOR}19{COMPONENT_SEPARATOR}PR**WQ*{total}", *provider_totals]
    for n, answer in enumerate(answers, start=4):
        body += [f"HL*{n}*3*PT", f"NM1*QC*1*{_text(answer.member_last, 60)}*{_text(answer.member_first, 35)}****MI*"
                 f"{_text(answer.member_id, 80)}", f"TRN*2*{_text(answer.claim_number, 50)}",
                 f"STC*{answer.category}{COMPONENT_SEPARATOR}{answer.status_code}*{day}*"
                 f"{'WQ' if answer.category in ACCEPTED_CATEGORIES else 'U'}*{_money(answer.charge)}"]
        if answer.payer_claim_number:
            body.append(f"REF*1K*{_text(answer.payer_claim_number, 50)}")
        body.append(f"DTP*472*D8*{answer.service_date:%Y%m%d}")
    body.append(f"SE*{len(body) + 1}*0001")
    return envelope(body, functional_id="HN", version=VERSION, sender=payer_id, receiver=submitter_id,
                    interchange_control_number=interchange_control_number,
                    group_control_number=group_control_number, created_at=created_at)
