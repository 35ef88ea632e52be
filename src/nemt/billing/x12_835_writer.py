"""X12 835 (005010X221A1) writer: the remittance the State Contracted Broker sends a provider it paid.

"The broker pays enrolled providers directly for NEMT services" (Payment for Covered Services): in the broker
service area the platform is the payer's side too, so it writes the 835 a provider then posts like any other
(:func:`nemt.billing.x12_835.parse_835` reads what this writes). One call writes one interchange for one payee: ISA /
GS / ST ... SE / GE / IEA, checked by pyx12 by the caller. The payment is a check (BPR04 ``CHK``): no bank account
numbers are invented. Nothing here touches a database or the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from nemt.billing.x12_835 import Adjustment
from nemt.billing.x12_837p import COMPONENT_SEPARATOR, SEGMENT_TERMINATOR, Address, X12WriteError, _money, _text

__all__ = ["Party", "PaidLine", "PaidClaim", "write_835"]

VERSION = "005010X221A1"


@dataclass(frozen=True)
class Party:
    """The payer (loop 1000A) or the payee (1000B): name, X12 id (ISA/GS; the payee's NPI in N1*PE), address."""

    name: str
    id: str
    address: Address
    tax_id: str = ""  # nine digits: TRN03 ("1" + EIN) for the payer, REF*TJ for the payee
    contact_phone: str = ""  # the payer's technical contact (PER*BL), ten digits


@dataclass(frozen=True)
class PaidLine:
    hcpcs: str
    modifiers: tuple[str, ...]
    charge: Decimal
    paid: Decimal
    units: int
    date_of_service: dt.date
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True)
class PaidClaim:
    claim_number: str  # CLP01: the provider's CLM01
    status_code: str  # CLP02: 1 processed as primary, 4 denied
    payer_claim_number: str  # CLP07: what a replacement or void refers to
    member_id: str = field(repr=False)
    member_last: str = field(repr=False)
    member_first: str = field(repr=False)
    place_of_service: str
    frequency: str
    lines: tuple[PaidLine, ...]
    adjustments: tuple[Adjustment, ...] = ()  # claim level (a denial's reason)

    @property
    def charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        return sum((ln.paid for ln in self.lines), Decimal("0.00"))


def _cas(segments: list[str], adjustments: Sequence[Adjustment]) -> None:
    for a in adjustments:
        segments.append(f"CAS*{a.group}*{a.reason}*{_money(a.amount)}")


def _check(claims: Sequence[PaidClaim]) -> None:
    for claim in claims:
        where = f"claim {claim.claim_number}"
        if not claim.lines:
            raise X12WriteError(f"{where}: a paid claim needs its service lines")
        for line in claim.lines:
            adjusted = sum((a.amount for a in line.adjustments), Decimal("0.00"))
            if line.charge - line.paid != adjusted:
                raise X12WriteError(f"{where}: line {line.hcpcs} charge minus payment must equal its adjustments "
                                    "(835 balancing: SVC02 - SVC03 = CAS)")
        if claim.paid < 0:
            raise X12WriteError(f"{where}: a negative payment")


def _header(payer: Party, payee: Party, total: Decimal, trace: str, paid_on: dt.date) -> list[str]:
    segments = [
        "ST*835*0001",
        f"BPR*I*{_money(total)}*C*CHK************{paid_on:%Y%m%d}" if total > 0 else
        f"BPR*H*0*C*NON************{paid_on:%Y%m%d}",
        f"TRN*1*{_text(trace, 50)}*1{payer.tax_id}",
        f"DTM*405*{paid_on:%Y%m%d}",
        f"N1*PR*{_text(payer.name, 60)}",
        f"N3*{_text(payer.address.line1, 55)}",
        f"N4*{_text(payer.address.city, 30)}*{payer.address.state}*{payer.address.zip}",
        f"PER*BL*CLAIMS OFFICE*TE*{payer.contact_phone}",
        f"N1*PE*{_text(payee.name, 60)}*XX*{payee.id}",
        f"N3*{_text(payee.address.line1, 55)}",
        f"N4*{_text(payee.address.city, 30)}*{payee.address.state}*{payee.address.zip}",
    ]
    if payee.tax_id:
        segments.append(f"REF*TJ*{payee.tax_id}")
    return segments


def _claim(segments: list[str], claim: PaidClaim) -> None:
    segments.append(f"CLP*{_text(claim.claim_number, 38)}*{claim.status_code}*{_money(claim.charge)}*"
                    f"{_money(claim.paid)}**MC*{_text(claim.payer_claim_number, 50)}*{claim.place_of_service}*"
                    f"{claim.frequency}")
    _cas(segments, claim.adjustments)
    segments.append(f"NM1*QC*1*{_text(claim.member_last, 60)}*{_text(claim.member_first, 35)}****MI*"
                    f"{claim.member_id}")
    for line in claim.lines:
        procedure = COMPONENT_SEPARATOR.join(("HC", line.hcpcs) + tuple(line.modifiers))
        segments.append(f"SVC*{procedure}*{_money(line.charge)}*{_money(line.paid)}**{line.units}")
        segments.append(f"DTM*472*{line.date_of_service:%Y%m%d}")
        _cas(segments, line.adjustments)


def write_835(claims: Sequence[PaidClaim], *, payer: Party, payee: Party, trace_number: str, paid_on: dt.date,
              interchange_control_number: int, group_control_number: int, created_at: dt.datetime) -> str:
    """One 835 interchange paying ``claims`` to ``payee``. The claim-level adjustments of a denial and the line
    adjustments must balance (charge - paid = the CAS amounts), as the TR3 requires and the writer checks."""
    if not claims:
        raise X12WriteError("no claims to remit")
    if not 0 < interchange_control_number <= 999_999_999 or not 0 < group_control_number <= 999_999_999:
        raise X12WriteError("control numbers must be 1..999999999")
    _check(claims)
    total = sum((c.paid for c in claims), Decimal("0.00"))
    segments = _header(payer, payee, total, trace_number, paid_on)
    segments.append("LX*1")
    for claim in claims:
        _claim(segments, claim)
    segments.append(f"SE*{len(segments) + 1}*0001")
    isa = (f"ISA*00*{'':10}*00*{'':10}*ZZ*{_text(payer.id, 15):<15}*ZZ*{_text(payee.id, 15):<15}"
           f"*{created_at:%y%m%d}*{created_at:%H%M}*^*00501*{interchange_control_number:09d}*0*T*{COMPONENT_SEPARATOR}")
    gs = (f"GS*HP*{_text(payer.id, 15)}*{_text(payee.id, 15)}*{created_at:%Y%m%d}*{created_at:%H%M}"
          f"*{group_control_number}*X*{VERSION}")
    envelope = [isa, gs, *segments, f"GE*1*{group_control_number}", f"IEA*1*{interchange_control_number:09d}"]
    return "".join(segment + SEGMENT_TERMINATOR + "\n" for segment in envelope)
