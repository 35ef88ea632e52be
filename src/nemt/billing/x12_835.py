"""X12 835 (005010X221A1) remittance parser: payments, adjustments and denials per claim, as plain values.

A malformed 835 is rejected whole (nothing is posted from it) with :class:`RemittanceError`, which names the
segment by its position (1-based, counting from ISA) and id. Money is Decimal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypedDict

from nemt.contracts import ContractError

__all__ = [
    "RemittanceError",
    "Adjustment",
    "ServicePayment",
    "ClaimPayment",
    "Remittance",
    "parse_835",
    "CLAIM_STATUS",
    "REVERSAL",
]

# CLP02 claim status codes (X12 835 TR3).
CLAIM_STATUS = {
    "1": "processed-as-primary",
    "2": "processed-as-secondary",
    "3": "processed-as-tertiary",
    "4": "denied",
    "19": "processed-as-primary-forwarded",
    "20": "processed-as-secondary-forwarded",
    "21": "processed-as-tertiary-forwarded",
    "22": "reversal-of-previous-payment",
    "23": "not-our-claim-forwarded",
    "25": "predetermination-pricing-only",
}
# A monetary amount (X12 data element type R, at most 18 digits): a plain decimal, optionally signed. Exponent
# notation, which Decimal would read (1E+999999), is no amount a payer sends nor one a claim can store.
_AMOUNT = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
_AMOUNT_DIGITS = 18
REVERSAL = "22"  # CLP02: reversal of a previous payment
CAS_GROUPS = ("CO", "CR", "OA", "PI", "PR")


class RemittanceError(ContractError):
    """A malformed 835: ``path`` is ``segment <n> (<id>)``."""

    def __init__(self, position: int, segment_id: str, message: str):
        self.position, self.segment_id = position, segment_id
        super().__init__(f"segment {position} ({segment_id or '?'})", message)


@dataclass(frozen=True)
class Adjustment:
    group: str  # CAS01: CO contractual, PR patient responsibility, OA other, PI payer initiated, CR correction
    reason: str  # CARC, e.g. 45, 96, 18
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True)
class ServicePayment:
    hcpcs: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: Decimal | None
    date_of_service: dt.date | None
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[str, ...] = ()  # RARC of the line (LQ*HE)


@dataclass(frozen=True)
class ClaimPayment:
    claim_number: str  # CLP01: our CLM01
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_claim_number: str  # CLP07: the number a replacement or void refers to (REF*F8)
    adjustments: tuple[Adjustment, ...]
    services: tuple[ServicePayment, ...]
    remarks: tuple[str, ...] = ()  # RARC of the claim (MOA03-MOA07, outpatient adjudication)

    @property
    def status(self) -> str:
        return CLAIM_STATUS.get(self.status_code, "unknown")

    @property
    def denied(self) -> bool:
        return self.status_code == "4"

    @property
    def all_adjustments(self) -> tuple[Adjustment, ...]:
        return self.adjustments + tuple(a for s in self.services for a in s.adjustments)


@dataclass(frozen=True)
class Remittance:
    total_paid: Decimal  # BPR02
    payment_method: str  # BPR04: ACH, CHK, NON
    payment_date: dt.date | None  # BPR16
    trace_number: str  # TRN02: check or EFT number
    payer_name: str
    payee_name: str
    payee_npi: str | None
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: Decimal  # sum of PLB amounts (positive reduces the payment)

    @property
    def denials(self) -> tuple[ClaimPayment, ...]:
        return tuple(c for c in self.claims if c.denied)


class _Segment:
    __slots__ = ("position", "id", "elements")

    def __init__(self, position: int, elements: list[str]):
        self.position, self.id, self.elements = position, elements[0], elements

    def get(self, index: int) -> str:
        return self.elements[index] if index < len(self.elements) else ""

    def error(self, message: str) -> RemittanceError:
        return RemittanceError(self.position, self.id, message)

    def require(self, index: int, what: str) -> str:
        value = self.get(index).strip()
        if not value:
            raise self.error(f"{self.id}{index:02d} ({what}) is required")
        return value

    def money(self, index: int, what: str, *, required: bool = True) -> Decimal:
        value = self.get(index).strip()
        if not value and not required:
            return Decimal("0.00")
        if not value:
            raise self.error(f"{self.id}{index:02d} ({what}) is required")
        if not _AMOUNT.fullmatch(value):
            raise self.error(f"{self.id}{index:02d} ({what}) is not a number (a plain decimal amount)")
        if sum(ch.isdigit() for ch in value) > _AMOUNT_DIGITS:
            raise self.error(f"{self.id}{index:02d} ({what}) has more than {_AMOUNT_DIGITS} digits")
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only what Decimal reads
            raise self.error(f"{self.id}{index:02d} ({what}) is not a number") from None

    def not_negative(self, index: int, what: str, amount: Decimal, why: str) -> Decimal:
        if amount < 0:
            raise self.error(f"{self.id}{index:02d} ({what}) is negative; {why}")
        return amount

    def date(self, index: int, what: str) -> dt.date | None:
        value = self.get(index).strip()
        if not value:
            return None
        try:
            return dt.datetime.strptime(value, "%Y%m%d").date()
        except ValueError:
            raise self.error(f"{self.id}{index:02d} ({what}) is not a date CCYYMMDD") from None


class _ServiceDraft(TypedDict):
    """A service line (SVC) while its DTM and CAS segments are read; becomes a :class:`ServicePayment`."""

    hcpcs: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: Decimal | None
    date_of_service: dt.date | None
    adjustments: list[Adjustment]
    remarks: list[str]


class _ClaimDraft(TypedDict):
    """A claim (CLP) while its SVC and CAS segments are read; becomes a :class:`ClaimPayment`."""

    claim_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_claim_number: str
    adjustments: list[Adjustment]
    services: list[_ServiceDraft]
    remarks: list[str]


def _split(text: str) -> list[_Segment]:
    text = text.lstrip()
    if not text.startswith("ISA") or len(text) < 106:
        raise RemittanceError(1, "ISA", "the interchange must start with a complete ISA segment")
    element_sep, segment_term = text[3], text[105]
    if element_sep.isalnum() or segment_term.isalnum():
        raise RemittanceError(1, "ISA", "cannot read the delimiters")
    raw = [s.strip("\r\n ") for s in text.split(segment_term)]
    return [_Segment(n, s.split(element_sep)) for n, s in enumerate((s for s in raw if s), start=1)]


def _adjustments(seg: _Segment) -> list[Adjustment]:
    """CAS: group code, then up to six (reason, amount, quantity) triples."""
    group = seg.require(1, "claim adjustment group code")
    if group not in CAS_GROUPS:
        raise seg.error(f"CAS01 must be one of {', '.join(CAS_GROUPS)}")
    out = []
    for start in range(2, 20, 3):
        reason = seg.get(start).strip()
        if not reason:
            if seg.get(start + 1).strip():
                raise seg.error(f"CAS{start:02d} (reason code) is required with an amount")
            continue
        amount = seg.money(start + 1, "adjustment amount")
        quantity_text = seg.get(start + 2).strip()
        quantity = seg.money(start + 2, "adjustment quantity") if quantity_text else None
        out.append(Adjustment(group, reason, amount, quantity))
    if not out:
        raise seg.error("CAS needs at least one reason code and amount")
    return out


def parse_835(text: str, *, component_separator: str | None = None) -> Remittance:
    """Parse one 835 interchange (one transaction set). Raises :class:`RemittanceError` naming the segment."""
    segments = _split(text)
    isa = segments[0]
    component = component_separator or (isa.get(16)[:1] if isa.get(16) else ":")
    ids = [s.id for s in segments]
    for needed in ("ST", "BPR", "SE"):
        if needed not in ids:
            last = segments[-1]
            raise RemittanceError(last.position, last.id, f"missing {needed} segment")

    st_position = None
    bpr: _Segment | None = None
    trace = payer = payee = ""
    payee_npi = None
    claims: list[_ClaimDraft] = []
    current_claim: _ClaimDraft | None = None
    current_service: _ServiceDraft | None = None
    plb_total = Decimal("0.00")
    entity = ""

    for seg in segments:
        if seg.id == "ST":
            if seg.get(1) != "835":
                raise seg.error("ST01 must be 835 (this parser reads remittance advice only)")
            st_position = seg.position
        elif seg.id == "BPR":
            bpr = seg
            seg.not_negative(2, "total actual provider payment amount",
                             seg.money(2, "total actual provider payment amount"), "a payment is never below zero")
            if seg.get(3) not in ("C", "D", "I", "H", "P", "U", "X"):
                raise seg.error("BPR03 (credit/debit flag) is not valid")
        elif seg.id == "TRN":
            trace = seg.require(2, "check or EFT trace number")
        elif seg.id == "N1":
            entity = seg.get(1)
            if entity == "PR":
                payer = seg.get(2)
            elif entity == "PE":
                payee = seg.get(2)
                if seg.get(3) == "XX":
                    payee_npi = seg.get(4)
        elif seg.id == "CLP":
            if bpr is None:
                raise seg.error("CLP before BPR")
            current_service = None
            current_claim = {
                "claim_number": seg.require(1, "patient control number"),
                "status_code": seg.require(2, "claim status code"),
                "charge": seg.money(3, "total claim charge"),
                "paid": seg.money(4, "claim payment amount"),
                "patient_responsibility": seg.money(5, "patient responsibility", required=False),
                "payer_claim_number": seg.require(7, "payer claim control number"),
                "adjustments": [],
                "services": [],
                "remarks": [],
            }
            if current_claim["status_code"] not in CLAIM_STATUS:
                raise seg.error("CLP02 (claim status code) is not a valid code")
            if current_claim["status_code"] != REVERSAL:
                why = "only a reversal (CLP02 22) negates the original's amounts (835 TR3: reversals and corrections)"
                seg.not_negative(3, "total claim charge", current_claim["charge"], why)
                seg.not_negative(4, "claim payment amount", current_claim["paid"], why)
            claims.append(current_claim)
        elif seg.id == "SVC":
            if current_claim is None:
                raise seg.error("SVC outside a claim (no CLP before it)")
            composite = seg.require(1, "procedure").split(component)
            if len(composite) < 2 or composite[0] not in ("HC", "ER", "AD", "HP", "IV", "N4", "NU", "WK"):
                raise seg.error("SVC01 must be a qualifier and a procedure code (e.g. HC:A0130)")
            units_text = seg.get(5).strip()
            current_service = {
                "hcpcs": composite[1],
                "modifiers": tuple(m for m in composite[2:6] if m),
                "charge": seg.money(2, "line charge"),
                "paid": seg.money(3, "line payment"),
                "units": seg.money(5, "units paid") if units_text else None,
                "date_of_service": None,
                "adjustments": [],
                "remarks": [],
            }
            current_claim["services"].append(current_service)
        elif seg.id == "DTM" and seg.get(1) == "472":
            if current_service is None:
                raise seg.error("DTM*472 (service date) outside a service line")
            current_service["date_of_service"] = seg.date(2, "service date")
        elif seg.id == "CAS":
            if current_claim is None:
                raise seg.error("CAS outside a claim (no CLP before it)")
            target = current_service if current_service is not None else current_claim
            target["adjustments"].extend(_adjustments(seg))
        elif seg.id == "MOA" and current_claim is not None:
            # Remark codes (RARC) of the claim: MOA03 … MOA07.
            current_claim["remarks"].extend(code for code in (seg.get(i).strip() for i in range(3, 8)) if code)
        elif seg.id == "LQ" and seg.get(1) == "HE":
            if current_service is None:
                raise seg.error("LQ (remark code) outside a service line")
            current_service["remarks"].append(seg.require(2, "remark code"))
        elif seg.id == "PLB":
            current_claim = current_service = None
            for start in range(3, 14, 2):
                if seg.get(start).strip():
                    plb_total += seg.money(start + 1, "provider adjustment amount")
        elif seg.id == "SE":
            if st_position is None:
                raise seg.error("SE without ST")
            try:
                count = int(seg.get(1))
            except ValueError:
                raise seg.error("SE01 (number of included segments) is not a number") from None
            actual = seg.position - st_position + 1
            if count != actual:
                raise seg.error(f"SE01 says {count} segments, the transaction has {actual}")

    assert bpr is not None
    total_paid = bpr.money(2, "total actual provider payment amount")
    built = []
    for c in claims:
        services = tuple(ServicePayment(
            hcpcs=s["hcpcs"], modifiers=s["modifiers"], charge=s["charge"], paid=s["paid"], units=s["units"],
            date_of_service=s["date_of_service"], adjustments=tuple(s["adjustments"]), remarks=tuple(s["remarks"]),
        ) for s in c["services"])
        built.append(ClaimPayment(
            claim_number=c["claim_number"], status_code=c["status_code"], charge=c["charge"], paid=c["paid"],
            patient_responsibility=c["patient_responsibility"], payer_claim_number=c["payer_claim_number"],
            adjustments=tuple(c["adjustments"]), services=services, remarks=tuple(c["remarks"]),
        ))
    # Balancing (835 TR3): BPR02 = sum of CLP04 - sum of PLB adjustments.
    expected = sum((c.paid for c in built), Decimal("0.00")) - plb_total
    if expected != total_paid:
        raise bpr.error(
            f"BPR02 {total_paid} does not balance with the claim payments less provider adjustments ({expected})"
        )
    return Remittance(
        total_paid=total_paid, payment_method=bpr.get(4), payment_date=bpr.date(16, "payment date"),
        trace_number=trace, payer_name=payer, payee_name=payee, payee_npi=payee_npi, claims=tuple(built),
        provider_adjustments=plb_total,
    )
