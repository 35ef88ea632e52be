"""Reading acknowledgments: a 999 (or TA1) marks an exported 837P batch accepted or rejected, with the segment in
error; a 277CA marks each claim accepted into adjudication or rejected at the payer's front end.

Every file is checked by pyx12 before anything is read from it (:func:`nemt.billing.x12_ack.validate_acknowledgment`)
and then read whole (:mod:`nemt.billing.x12_999`, :mod:`nemt.billing.x12_277ca`): a malformed file is refused with the
segment named, and changes nothing. The same file twice changes nothing (``acknowledgments.sha256``). Batches and
claims the actor may not see, or that are not ours, are listed as unmatched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from nemt import clock
from nemt.billing.x12_277ca import ClaimAck, parse_277ca
from nemt.billing.x12_999 import BatchAck, parse_999
from nemt.billing.x12_ack import AckError, segments_of, validate_acknowledgment
from nemt.domain.actors import Actor
from nemt.services.claims.checks import refuse_unless_valid
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput
from nemt.services.platform.permissions import Action
from nemt.store.claim_models import Acknowledgment
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

RULES = {"999": "X12 999 005010X231A1", "TA1": "X12 TA1 interchange acknowledgment", "277CA": "X12 277CA 005010X214"}


@dataclass
class AckResult:
    kind: str
    sha256: str
    unchanged: bool = False
    batches: list[dict[str, Any]] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _text(raw: bytes) -> str:
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        raise InvalidInput("an X12 acknowledgment is ASCII text", field="file", rule="X12") from None


def _kind(text: str) -> str:
    try:
        segments = segments_of(text)
    except AckError as exc:
        raise InvalidInput(f"{exc.message}; nothing was changed", field=exc.path, rule="X12") from None
    st = next((s for s in segments if s.id == "ST"), None)
    if st is None:
        return "TA1"
    return {"999": "999", "277": "277CA"}.get(st.get(1).strip(), st.get(1).strip() or "?")


def _checked(text: str, kind: str) -> None:
    """pyx12 first: a file it refuses is refused whole, naming the first segment in error."""
    if kind not in RULES:
        raise InvalidInput("this is not an acknowledgment this platform reads (999, TA1 or 277CA)", field="ST01",
                           rule="X12 acknowledgments")
    refuse_unless_valid(text, kind, RULES[kind], validate=validate_acknowledgment)


def _parsed(text: str, kind: str) -> list[BatchAck] | list[ClaimAck]:
    try:
        return parse_277ca(text) if kind == "277CA" else parse_999(text)
    except AckError as exc:
        raise InvalidInput(f"{exc.message}; nothing was changed", field=exc.path, rule=RULES[kind]) from None


def _mark_batch(uow: Any, actor: Actor, ack: BatchAck, now: Any, result: AckResult, file_id: int) -> None:
    batch = (uow.claims.batch_by_group(ack.group_control_number) if ack.kind == "999"
             else uow.claims.batch_by_interchange(ack.interchange_control_number))
    rows = uow.claims.visible_in_batch(actor, batch.id) if batch is not None else []
    if not rows:
        result.unmatched.append(f"{ack.kind} {ack.group_control_number or ack.interchange_control_number}")
        return
    batch.ack_status = ack.status
    batch.ack_detail = {"kind": ack.kind, "code": ack.code, "meaning": ack.meaning, "file": file_id,
                        "errors": [e.describe() for e in ack.errors]}
    batch.acknowledged_at = now
    result.batches.append({"batch_id": batch.id, "status": ack.status, "meaning": ack.meaning,
                           "errors": batch.ack_detail["errors"]})
    for row in rows:
        audit.record(uow, actor, "update", "claim", row.member_id, claim_number=row.claim_number,
                     acknowledgment=file_id, batch_status=ack.status)


def _mark_claims(uow: Any, actor: Actor, acks: list[ClaimAck], result: AckResult, file_id: int) -> None:
    rows = uow.claims.visible_by_numbers(actor, [a.claim_number for a in acks])
    for ack in acks:
        row = rows.get(ack.claim_number)
        if row is None:
            result.unmatched.append(ack.claim_number)
            continue
        row.front_end = "accepted" if ack.accepted else "rejected"
        row.front_end_detail = {"category": ack.category, "meaning": ack.meaning, "status_code": ack.status_code,
                                "payer_claim_number": ack.payer_claim_number, "file": file_id}
        if ack.payer_claim_number and not row.payer_claim_number:
            row.payer_claim_number = ack.payer_claim_number
        (result.accepted if ack.accepted else result.rejected).append(ack.claim_number)
        audit.record(uow, actor, "update", "claim", row.member_id, claim_number=row.claim_number,
                     acknowledgment=file_id, front_end=row.front_end)


def read_acknowledgment(uow: Any, actor: Actor, content: bytes | str) -> AckResult:
    """Read a 999, TA1 or 277CA onto the batches and claims. Checked by pyx12 and read whole before anything changes;
    a malformed file is refused naming the segment; the same file twice changes nothing."""
    permissions.require(actor, Action.CLAIM_WRITE)
    raw = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    digest = hashlib.sha256(raw).hexdigest()
    text = _text(raw)
    kind = _kind(text)
    if uow.claims.acknowledgment_read(digest):
        return AckResult(kind, digest, unchanged=True)
    _checked(text, kind)
    parsed = _parsed(text, kind)
    if kind != "277CA":
        kind = "999" if any(a.kind == "999" for a in parsed) else "TA1"  # type: ignore[union-attr]
    try:
        record = uow.claims.add_acknowledgment(Acknowledgment(sha256=digest, kind=kind, summary={}))
    except CONCURRENT_WRITE_ERRORS:  # the same file, read by someone else a moment ago
        uow.rollback()
        return AckResult(kind, digest, unchanged=True)
    result = AckResult(kind, digest)
    if kind == "277CA":
        _mark_claims(uow, actor, parsed, result, record.id)  # type: ignore[arg-type]
    else:
        now = clock.now()
        for ack in parsed:
            _mark_batch(uow, actor, ack, now, result, record.id)  # type: ignore[arg-type]
    record.summary = {"batches": result.batches, "accepted": len(result.accepted), "rejected": len(result.rejected),
                      "unmatched": len(result.unmatched)}
    uow.commit()
    return result
