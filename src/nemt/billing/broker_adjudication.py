"""The State Contracted Broker's adjudication of a claim sent to it, with the same rules as the Department's.

"The broker pays enrolled providers directly for NEMT services" (Payment for Covered Services). A claim is paid line by
line at the Rate and Fee Schedule's allowed amount for its date of service (rate x units), never more than was
charged; a charge above the allowed amount is adjusted CO-45 ("charge exceeds fee schedule/maximum allowable"). A
claim carrying one of the build's denying edits (the edits a claim is held for review with) is denied whole with the
edit's reason code. Pure: plain values in, :class:`~nemt.billing.x12_835_writer.PaidClaim` values out.

The Claim Adjustment Reason Codes (CARC) used are X12's (https://x12.org/codes/claim-adjustment-reason-codes):
16 "Claim/service lacks information or has submission/billing error(s)", 29 "The time limit for filing has
expired", 45 "Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from nemt.billing.fees import FeeSchedule, FeeScheduleError
from nemt.billing.x12_835 import Adjustment
from nemt.billing.x12_835_writer import PaidClaim, PaidLine
from nemt.billing.x12_837p import ClaimSubmission

__all__ = ["DENYING_EDITS", "ClaimToPay", "LineToPay", "adjudicate", "claim_to_pay"]

PAID, DENIED = "1", "4"  # CLP02
CONTRACTUAL = "CO"  # CAS01: contractual obligation (the provider may not bill the member: "Balance billing is
#                    prohibited", Payment for Covered Services)
OVER_FEE_SCHEDULE = "45"
NO_RATE = "16"
# The build's edits that deny a claim, with the CARC the denial carries: the one map of these edits (the build holds
# a claim carrying one of them for review: nemt.services.claims.common.REVIEW_EDITS is its keys).
DENYING_EDITS = {
    "timely-filing-limit-passed": "29",
    "attachment-missing-denied": "16",
    "attachment-insufficient-denied": "16",
    "mileage-over-52-units-needs-attachment": "16",
    "no-fee-schedule-rate": "16",
}


@dataclass(frozen=True)
class LineToPay:
    hcpcs: str
    modifiers: tuple[str, ...]
    units: int
    charge: Decimal
    date_of_service: dt.date


@dataclass(frozen=True)
class ClaimToPay:
    claim_number: str
    payer_claim_number: str
    member_id: str
    member_last: str
    member_first: str
    place_of_service: str
    frequency: str
    lines: tuple[LineToPay, ...]
    edit_codes: tuple[str, ...] = ()


def claim_to_pay(claim: ClaimSubmission, frequency: str, edit_codes: Collection[str] = ()) -> ClaimToPay:
    """A claim the broker received (its 837P values), with its frequency code (CLM05-3) and the codes of the build's
    edits in force on it, as the adjudication takes it. The broker's claim number (CLP07) is ``B`` + the provider's."""
    lines = tuple(LineToPay(ln.hcpcs, tuple(ln.modifiers), ln.units, ln.charge, ln.date_of_service)
                  for ln in claim.lines)
    subscriber = claim.subscriber
    return ClaimToPay(claim.claim_number, f"B{claim.claim_number}", subscriber.member_id, subscriber.last_name,
                      subscriber.first_name, claim.place_of_service, frequency, lines, tuple(edit_codes))


def _denied(claim: ClaimToPay, reason: str) -> PaidClaim:
    lines = tuple(PaidLine(ln.hcpcs, ln.modifiers, ln.charge, Decimal("0.00"), ln.units, ln.date_of_service,
                           (Adjustment(CONTRACTUAL, reason, ln.charge),)) for ln in claim.lines)
    return _paid_claim(claim, DENIED, lines)


def _paid_claim(claim: ClaimToPay, status: str, lines: tuple[PaidLine, ...]) -> PaidClaim:
    return PaidClaim(claim.claim_number, status, claim.payer_claim_number, claim.member_id, claim.member_last,
                     claim.member_first, claim.place_of_service, claim.frequency, lines)


def _line(line: LineToPay, schedule: FeeSchedule) -> PaidLine:
    try:
        allowed = schedule.price(line.hcpcs, line.modifiers, line.units, line.date_of_service)
    except FeeScheduleError:
        return PaidLine(line.hcpcs, line.modifiers, line.charge, Decimal("0.00"), line.units, line.date_of_service,
                        (Adjustment(CONTRACTUAL, NO_RATE, line.charge),))
    paid = min(allowed, line.charge).quantize(Decimal("0.01"))
    over = line.charge - paid
    adjustments = (Adjustment(CONTRACTUAL, OVER_FEE_SCHEDULE, over),) if over else ()
    return PaidLine(line.hcpcs, line.modifiers, line.charge, paid, line.units, line.date_of_service, adjustments)


def adjudicate(claims: Iterable[ClaimToPay], schedule: FeeSchedule) -> list[PaidClaim]:
    """Each claim paid at the fee schedule (denied whole when the build's edits deny it; CLP02 4 when no line is
    paid)."""
    out: list[PaidClaim] = []
    for claim in claims:
        reason = next((DENYING_EDITS[c] for c in claim.edit_codes if c in DENYING_EDITS), None)
        if reason is not None:
            out.append(_denied(claim, reason))
            continue
        lines = tuple(_line(ln, schedule) for ln in claim.lines)
        out.append(_paid_claim(claim, PAID if any(ln.paid for ln in lines) else DENIED, lines))
    return out

