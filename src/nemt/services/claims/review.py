"""The reviewer's decision on a claim suspended for review (issue 15): release it (``review`` -> ``ready``, exportable)
or deny it (``review`` -> ``denied``, with an edit naming the rule).

A claim is suspended for review by its edits: the 52-unit review of the billing manual ("Any NEMT claim billed for
procedure codes A0425 or S0209 will be suspended for review if the billed units of service exceed 52. [...] Reviewed
claims will be denied if the attachment is not sufficient", 25 Mile or Longer Trips) and the program's integrity
edits in ``[integrity] hold`` ("suspended until a reviewer releases it"). The reviewers are the program-integrity
reviewers (``Action.CASE_REVIEW``: auditors, administrators).

Each decision carries the reviewer's reason and is recorded with who and when among the claim's edits (``Claim.edits``:
the claim keeps the edits that held it, and says what was decided on them) and in the audit trail. The status changes
only where the claim is still in review (one guarded update, :meth:`ClaimRepository.move`): two reviewers at once
decide once, the other is told. A released claim of a provider a review case holds stays held from export
(:func:`nemt.services.integrity.cases.export_hold`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import ClaimStatus
from nemt.policy import load_policy
from nemt.services.claims.common import REVIEW_EDITS, claim_for
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.services.platform.permissions import Action
from nemt.store.models import Claim

MAX_REASON = 2000
RELEASED_EDIT = "released-on-review"
DENIED_EDIT = "denied-on-review"
RULE = "a claim suspended for review is released or denied by a reviewer (25 Mile or Longer Trips; [integrity] hold)"
_IN_REVIEW = frozenset({ClaimStatus.REVIEW})
_DECISIONS = {RELEASED_EDIT: ("release", ClaimStatus.READY, "released on review"),
              DENIED_EDIT: ("deny", ClaimStatus.DENIED, "denied on review")}


@dataclass
class ReviewClaim:
    """A claim in review as the reviewer sees it: who billed it, for whom (the member's key), and the edits that
    hold it (each with its rule in words)."""

    claim_number: str
    program: str
    provider_npi: str | None
    member_key: str | None
    total_charge: str
    service_date: str | None
    holding: list[dict[str, str]] = field(default_factory=list)
    status: str = ClaimStatus.REVIEW

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def holding_codes(program: str) -> frozenset[str]:
    """The edit codes that suspend a claim of the program for review: the payer's denying edits and the program's
    ``[integrity] hold``."""
    policy = load_policy(program)
    hold = policy.get("integrity.hold") if policy.has("integrity.hold") else ()
    return REVIEW_EDITS | frozenset(hold)


def holding_edits(claim: Claim, codes: Collection[str]) -> list[dict[str, str]]:
    return [{"code": e.get("code", ""), "message": e.get("message", ""), "citation": e.get("citation", "")}
            for e in claim.edits or () if e.get("code") in codes]


def _view(uow: Any, claim: Claim, codes: Collection[str]) -> ReviewClaim:
    first = min((ln.service_date for ln in claim.lines), default=None)
    return ReviewClaim(claim.claim_number, claim.program, uow.claims.provider_npi(claim.provider_id),
                       uow.claims.member_key(claim.member_id), claim.total_charge,
                       first.isoformat() if first else None, holding_edits(claim, codes), claim.status)


def claims_in_review(uow: Any, actor: Actor, program: str | None = None) -> list[ReviewClaim]:
    """The claims in review the actor may see (of ``program`` when given), oldest first, each with the edits that
    hold it. The read is in the audit trail (one record per member)."""
    permissions.require(actor, Action.CASE_REVIEW)
    program = (program or "").strip().upper() or None
    rows = [r for r in uow.claims.visible_claims(actor, status=ClaimStatus.REVIEW, newest_first=False)
            if program is None or r.program == program]
    codes = {p: holding_codes(p) for p in {r.program for r in rows}}
    views = [_view(uow, r, codes[r.program]) for r in rows]
    audit.record_members(uow, actor, "read", "claim", [r.member_id for r in rows], list="in-review")
    uow.commit()
    return views


def _reason(value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput("say why the claim is released or denied", field="reason", rule=RULE)
    if len(text) > MAX_REASON:
        raise InvalidInput(f"the reason is longer than {MAX_REASON} characters", field="reason", rule="field length")
    return text


def edits_in_force(edits: list[dict[str, Any]] | None) -> tuple[str, ...]:
    """The codes of a claim's edits, but those a reviewer released it from (``released-on-review``'s ``held_by``):
    what a payer adjudicating the claim still acts on (the broker's adjudication reads these)."""
    released = {code for e in edits or () if e.get("code") == RELEASED_EDIT for code in e.get("held_by", ())}
    return tuple(c for c in (e.get("code", "") for e in edits or ()) if c not in released)


def _decide(uow: Any, actor: Actor, claim_number: str, reason: str, code: str) -> ReviewClaim:
    permissions.require(actor, Action.CASE_REVIEW)
    reason = _reason(reason)
    verb, status, words = _DECISIONS[code]
    row = claim_for(uow, actor, (claim_number or "").strip(), lock=True)
    if row.status != ClaimStatus.REVIEW:
        raise Conflict(f"claim {row.claim_number} is {row.status}, not in review: only a claim in review can be "
                       f"{words.split(' on ')[0]} on review", field="status", rule=RULE)
    codes = holding_codes(row.program)
    held_by = [e["code"] for e in holding_edits(row, codes)]
    at = clock.now().isoformat(timespec="seconds")
    edit = {"code": code, "ref": row.claim_number, "citation": RULE, "by": actor.username, "at": at,
            "reason": reason, "held_by": held_by, "message": f"{words} by {actor.username}"}
    if not uow.claims.move(row, _IN_REVIEW, status, edit):
        uow.rollback()
        raise Conflict(f"claim {row.claim_number} was decided just now by another reviewer: a claim in review is "
                       "released or denied once", field="status", rule=RULE)
    audit.record(uow, actor, verb, "claim", row.member_id, claim_number=row.claim_number, status=status,
                 held_by=held_by, rule=RULE)
    uow.commit()
    return _view(uow, row, codes)


def release_claim(uow: Any, actor: Actor, claim_number: str, reason: str) -> ReviewClaim:
    """Release a claim in review: it becomes ``ready`` (exportable), with the reviewer's reason, who and when."""
    return _decide(uow, actor, claim_number, reason, RELEASED_EDIT)


def deny_claim(uow: Any, actor: Actor, claim_number: str, reason: str) -> ReviewClaim:
    """Deny a claim in review: it becomes ``denied`` with the edit ``denied-on-review`` naming the rule."""
    return _decide(uow, actor, claim_number, reason, DENIED_EDIT)
