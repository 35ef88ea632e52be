"""Posting an 835 remittance (X12 835 005010X221A1): payments, adjustments and denials onto the claims by claim
number (CLP01). A malformed file is rejected whole, naming the segment; the same file twice changes nothing
(``remittances.sha256``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from nemt.billing.x12_835 import REVERSAL, RemittanceError, parse_835
from nemt.domain.actors import Actor
from nemt.domain.statuses import ClaimStatus
from nemt.services.claims.checks import refuse_unless_valid
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput
from nemt.services.platform.permissions import Action
from nemt.store.models import Claim, Remittance
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

_X12_835 = "X12 835 005010X221A1"
# A payer adjudicates only a claim it was sent: one still ready or in review was never exported.
_NEVER_SENT = frozenset({ClaimStatus.READY, ClaimStatus.REVIEW})


@dataclass
class RemitResult:
    sha256: str
    unchanged: bool = False
    posted: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    paid_total: str = "0.00"
    remittance_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _adjustments(items: Any) -> list[dict[str, str]]:
    return [{"group": a.group, "reason": a.reason, "amount": str(a.amount),
             **({"quantity": str(a.quantity)} if a.quantity is not None else {})} for a in items]


def _parse(raw: bytes) -> Any:
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise InvalidInput("an 835 is ASCII text", field="file", rule=_X12_835) from None
    try:
        return parse_835(text)
    except RemittanceError as exc:
        raise InvalidInput(f"{exc.message}; nothing was posted", field=exc.path, rule=_X12_835) from None


def _status(payment: Any) -> ClaimStatus:
    if payment.denied:
        return ClaimStatus.DENIED
    return ClaimStatus.REVERSED if payment.status_code == REVERSAL else ClaimStatus.PAID


def _post_lines(row: Claim, services: Any) -> None:
    """Each service line of the payment onto the first unused claim line of the same code, modifiers and date."""
    unused = list(row.lines)
    for service in services:
        line = next((ln for ln in unused if ln.hcpcs == service.hcpcs
                     and tuple(ln.modifiers or ()) == service.modifiers
                     and (service.date_of_service is None or ln.service_date == service.date_of_service)), None)
        if line is None:
            continue
        unused.remove(line)
        line.adjudication = {"charge": str(service.charge), "paid": str(service.paid),
                             "units": str(service.units) if service.units is not None else None,
                             "adjustments": _adjustments(service.adjustments), "remarks": list(service.remarks)}


def _post(row: Claim, payment: Any, remittance: Any, record: Remittance) -> ClaimStatus:
    status = _status(payment)
    row.status = status
    row.paid_amount = str(payment.paid)
    row.payer_claim_number = payment.payer_claim_number
    row.adjudication = {
        "status_code": payment.status_code, "status": payment.status, "charge": str(payment.charge),
        "paid": str(payment.paid), "patient_responsibility": str(payment.patient_responsibility),
        "adjustments": _adjustments(payment.adjustments), "remarks": list(payment.remarks),
        "remittance_id": record.id,
        "trace_number": remittance.trace_number,
        "payment_date": remittance.payment_date.isoformat() if remittance.payment_date else None,
    }
    _post_lines(row, payment.services)
    return status


def _require_sent(rows: dict[str, Claim]) -> None:
    """Refuse the whole file if it pays or denies a claim that was never exported (nothing is posted)."""
    unsent = sorted(number for number, row in rows.items() if row.status in _NEVER_SENT)
    if unsent:
        more = f" and {len(unsent) - 1} more" if len(unsent) > 1 else ""
        raise InvalidInput(f"claim {unsent[0]}{more} was never exported, so no payer can have adjudicated it; "
                           "nothing was posted", field="CLP01", rule="only exported claims are adjudicated")


def post_remittance(uow: Any, actor: Actor, content: bytes | str) -> RemitResult:
    """Post an 835: payments, adjustments and denials onto the claims by claim number (CLP01). Nothing is posted
    from a malformed file (the error names the segment): our reader's checks first (balancing, amounts, codes),
    then pyx12's (the TR3's loops, lengths and code lists; the broker's own 835 too: it is checked here, once). The
    same file twice changes nothing. Claims the actor may not see, or does not know, are listed as unmatched."""
    permissions.require(actor, Action.CLAIM_WRITE)
    raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    digest = hashlib.sha256(raw).hexdigest()
    if uow.claims.remittance_posted(digest):
        return RemitResult(digest, unchanged=True)
    remittance = _parse(raw)
    refuse_unless_valid(raw.decode("ascii"), "835", _X12_835, nothing="nothing was posted")
    rows = uow.claims.visible_by_numbers(actor, [c.claim_number for c in remittance.claims])
    _require_sent(rows)
    try:
        record = uow.claims.add_remittance(Remittance(
            sha256=digest, payer=remittance.payer_name[:100], check_number=remittance.trace_number[:50],
            paid_total=str(remittance.total_paid), claims=len(remittance.claims)))
    except CONCURRENT_WRITE_ERRORS:  # the same file, posted by someone else a moment ago
        uow.rollback()
        return RemitResult(digest, unchanged=True)
    result = RemitResult(digest, paid_total=str(remittance.total_paid), remittance_id=record.id)
    for payment in remittance.claims:
        row = rows.get(payment.claim_number)
        if row is None:
            result.unmatched.append(payment.claim_number)
            continue
        status = _post(row, payment, remittance, record)
        (result.denied if payment.denied else result.posted).append(payment.claim_number)
        audit.record(uow, actor, "update", "claim", row.member_id, claim_number=row.claim_number,
                     remittance=record.id, status=status)
    uow.commit()
    return result
