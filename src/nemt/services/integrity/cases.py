"""Review cases on transportation providers: an auditor opens a case (why, who, when), may hold the provider's
claims from export — a payment suspension, recorded with who, when and why — notes findings (append-only), and
closes it by releasing the claims (exportable again) or denying them (each held claim denied with the rule).

The power: a State Medicaid agency suspends payments to a provider against which there is a credible allegation of
fraud (42 CFR 455.23); Colorado's HB24-1146 (2024) gave the Department the power to suspend payments to NEMT
providers after the 2023 losses (issue 15 cites it). Neither the billing manual nor the Connecticut notice has a
section on it, so the rule is named by those texts.

Every step is audited; an impossible step (holding a released case, denying one never held) is refused with the
rule in words; two auditors acting at once take each step once (``CaseRepository.move``) and open one case per
provider (a unique index); a hold and an export of the same provider never interleave (``CaseRepository``'s
docstring). While a case holds the claims, :func:`export_hold` tells every export path what it skips and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import ACTIVE_CASE_STATUSES, CASE_STEPS, CaseStatus, ClaimStatus
from nemt.services.claims.common import provider_for
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import Conflict, InvalidInput, NotFound
from nemt.services.platform.permissions import Action
from nemt.store.models import ReviewCase, ReviewCaseNote, TransportProvider
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

CASE_COUNTER = "review-case"
MAX_TEXT = 2000
# The claims a hold keeps from export and a denial denies: those not yet sent (ready, or suspended for review).
HELD_CLAIM_STATUSES = frozenset({ClaimStatus.READY, ClaimStatus.REVIEW})
DENIAL_EDIT = "payment-suspension-denied"
_ONE_ACTIVE = "one active review case per provider"
_WORDS = {CaseStatus.OPEN: "open", CaseStatus.HELD: "holding the provider's claims",
          CaseStatus.RELEASED: "released", CaseStatus.DENIED: "denied"}
_STEP_RULES = {CaseStatus.HELD: "only an open case can hold the provider's claims",
               CaseStatus.RELEASED: "only an open or held case can be released",
               CaseStatus.DENIED: "only a case holding the provider's claims can deny them"}


def suspension_rule(program: str | None) -> str:
    """The rule a hold (and a denial) is made under, in words."""
    if program == "CO":
        return "payment suspension (42 CFR 455.23; Colorado HB24-1146)"
    return "payment suspension (42 CFR 455.23)"


@dataclass
class CaseView:
    number: str
    provider_npi: str
    provider_name: str
    program: str
    status: str
    reason: str
    opened_by: str
    opened_at: str
    hold_reason: str | None = None
    held_by: str | None = None
    held_at: str | None = None
    held_claims: int = 0
    closing_reason: str | None = None
    closed_by: str | None = None
    closed_at: str | None = None
    denied_claims: int = 0
    waiting_claims: int = 0  # the provider's claims a hold keeps from export now
    rule: str = ""
    notes: list[dict[str, str]] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_CASE_STATUSES

    @property
    def status_words(self) -> str:
        return _WORDS.get(CaseStatus(self.status), self.status)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class HoldNotice:
    """What an export says when it skips a held provider's claims: how many, and why in words."""

    provider_npi: str
    claims: int
    case_number: str
    rule: str

    @property
    def message(self) -> str:
        count = f"{self.claims} claim{'s' if self.claims != 1 else ''}" if self.claims else "the claims"
        return (f"{count} of provider {self.provider_npi} held from export: review case {self.case_number} suspends "
                f"its payments; nothing of this provider was exported")

    def as_dict(self) -> dict[str, Any]:
        return {"provider_npi": self.provider_npi, "claims": self.claims, "case": self.case_number,
                "rule": self.rule, "message": self.message}


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _view(uow: Any, row: ReviewCase, *, notes: bool = False) -> CaseView:
    waiting = uow.cases.claim_count(row.provider_id, HELD_CLAIM_STATUSES) if row.status == CaseStatus.HELD else 0
    view = CaseView(row.number, row.provider.npi, row.provider.organization.name, row.program, row.status, row.reason,
                    row.opened_by_name, _iso(row.opened_at) or "", row.hold_reason, row.held_by_name,
                    _iso(row.held_at), row.held_claims, row.closing_reason, row.closed_by_name, _iso(row.closed_at),
                    row.denied_claims, waiting, suspension_rule(row.program))
    if notes:
        view.notes = [{"text": n.text, "by": n.written_by_name, "at": _iso(n.written_at) or ""}
                      for n in uow.cases.notes(row.id)]
    return view


def _text(value: str | None, name: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"say {what}", field=name, rule="a review case records why each step was taken")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"{what} is longer than {MAX_TEXT} characters", field=name, rule="field length")
    return text


def _case(uow: Any, actor: Actor, number: str) -> ReviewCase:
    permissions.require(actor, Action.CASE_REVIEW)
    row = uow.cases.by_number(actor, (number or "").strip().upper())
    if row is None:
        raise NotFound("no such review case", field="case", rule="review cases by number")
    return row


def open_case(uow: Any, actor: Actor, provider_npi: str, reason: str, now: Any = None) -> CaseView:
    """Open a review case on the provider (one active case per provider)."""
    permissions.require(actor, Action.CASE_REVIEW)
    reason = _text(reason, "reason", "why the case is opened")
    provider: TransportProvider = provider_for(uow, actor, provider_npi)
    uow.cases.lock_provider(provider.id)
    if (active := uow.cases.active_for(provider.id)) is not None:
        raise Conflict(f"provider {provider.npi} already has review case {active.number}, "
                       f"{_WORDS[CaseStatus(active.status)]}", field="provider", rule=_ONE_ACTIVE)
    number = f"RC{uow.control_numbers.next(CASE_COUNTER):06d}"
    extra = {"opened_at": now} if now is not None else {}
    try:
        row = uow.cases.add(ReviewCase(number=number, program=provider.organization.program, provider_id=provider.id,
                                       status=CaseStatus.OPEN, reason=reason, opened_by=actor.user_id,
                                       opened_by_name=actor.username, held_claims=0, denied_claims=0, **extra))
    except CONCURRENT_WRITE_ERRORS:
        uow.rollback()
        raise Conflict(f"provider {provider.npi} already has an active review case (opened just now by another "
                       "auditor)", field="provider", rule=_ONE_ACTIVE) from None
    audit.record(uow, actor, "open", "review-case", None, case=number, provider=provider.npi)
    uow.commit()
    return _view(uow, row)


def _step(uow: Any, actor: Actor, row: ReviewCase, status: CaseStatus, **values: Any) -> None:
    """Move the case to ``status`` if the step is possible from where it is (checked again in the update: another
    auditor acting at the same time takes the step once)."""
    allowed = CASE_STEPS[status]
    rule = _STEP_RULES[status]
    if row.status not in allowed or not uow.cases.move(row, allowed, status, **values):
        uow.rollback()
        current = uow.cases.by_number(actor, row.number)
        raise Conflict(f"review case {row.number} is {_WORDS[CaseStatus(current.status)]}: {rule}", field="status",
                       rule="review case steps")


def hold_case(uow: Any, actor: Actor, number: str, reason: str, now: Any = None) -> CaseView:
    """Hold the provider's claims from export: a payment suspension with who, when and why."""
    row = _case(uow, actor, number)
    reason = _text(reason, "reason", "why the provider's payments are suspended")
    uow.cases.lock_provider(row.provider_id)
    _step(uow, actor, row, CaseStatus.HELD, hold_reason=reason, held_by_name=actor.username,
          held_at=now or clock.now())
    # Counted once the step holds the lock (PostgreSQL: the provider's row; SQLite: the write lock), so an export
    # that took claims first has committed them, and none counted here is exported after.
    waiting = uow.cases.claim_count(row.provider_id, HELD_CLAIM_STATUSES)
    uow.cases.move(row, {CaseStatus.HELD}, CaseStatus.HELD, held_claims=waiting)
    audit.record(uow, actor, "hold", "review-case", None, case=row.number, provider=row.provider.npi,
                 claims=waiting, rule=suspension_rule(row.program))
    uow.commit()
    return _view(uow, row)


def note_case(uow: Any, actor: Actor, number: str, text: str) -> CaseView:
    """Add a finding to the case (append-only; a closed case takes no more notes)."""
    row = _case(uow, actor, number)
    text = _text(text, "text", "the finding")
    if row.status not in ACTIVE_CASE_STATUSES:
        raise Conflict(f"review case {row.number} is {_WORDS[CaseStatus(row.status)]}: only an open or held case "
                       "takes findings", field="status", rule="review case steps")
    uow.cases.add_note(ReviewCaseNote(case_id=row.id, text=text, written_by=actor.user_id,
                                      written_by_name=actor.username))
    audit.record(uow, actor, "note", "review-case", None, case=row.number, provider=row.provider.npi)
    uow.commit()
    return _view(uow, row, notes=True)


def release_case(uow: Any, actor: Actor, number: str, reason: str, now: Any = None) -> CaseView:
    """Close the case; its claims are exportable again."""
    row = _case(uow, actor, number)
    reason = _text(reason, "reason", "why the case is released")
    uow.cases.lock_provider(row.provider_id)
    _step(uow, actor, row, CaseStatus.RELEASED, closing_reason=reason, closed_by_name=actor.username,
          closed_at=now or clock.now())
    audit.record(uow, actor, "release", "review-case", None, case=row.number, provider=row.provider.npi)
    uow.commit()
    return _view(uow, row)


def deny_case(uow: Any, actor: Actor, number: str, reason: str, now: Any = None) -> CaseView:
    """Close the case denying the held claims: each becomes ``denied`` with the rule among its edits."""
    row = _case(uow, actor, number)
    reason = _text(reason, "reason", "why the held claims are denied")
    uow.cases.lock_provider(row.provider_id)
    rule = suspension_rule(row.program)
    _step(uow, actor, row, CaseStatus.DENIED, closing_reason=reason, closed_by_name=actor.username,
          closed_at=now or clock.now())
    claims = uow.cases.claims_of(row.provider_id, HELD_CLAIM_STATUSES)  # under the lock the step holds
    edit = {"code": DENIAL_EDIT, "ref": row.number, "citation": rule,
            "message": f"denied by review case {row.number} after a payment suspension"}
    denied = uow.cases.deny_claims(claims, HELD_CLAIM_STATUSES, ClaimStatus.DENIED, edit)
    uow.cases.move(row, {CaseStatus.DENIED}, CaseStatus.DENIED, denied_claims=denied)
    audit.record(uow, actor, "deny", "review-case", None, case=row.number, provider=row.provider.npi,
                 claims=denied, rule=rule)
    audit.record_members(uow, actor, "deny", "claim", [c.member_id for c in claims], case=row.number, rule=rule)
    uow.commit()
    return _view(uow, row)


def read_case(uow: Any, actor: Actor, number: str) -> CaseView:
    row = _case(uow, actor, number)
    view = _view(uow, row, notes=True)
    audit.record(uow, actor, "read", "review-case", None, case=row.number)
    uow.commit()
    return view


def list_cases(uow: Any, actor: Actor, *, status: str | None = None, provider_npi: str | None = None) -> list[CaseView]:
    permissions.require(actor, Action.CASE_REVIEW)
    if status and status not in set(CaseStatus):
        raise InvalidInput(f"status must be one of {', '.join(CaseStatus)}", field="status", rule="review case steps")
    provider_id = provider_for(uow, actor, provider_npi).id if provider_npi else None
    return [_view(uow, row) for row in uow.cases.visible(actor, status=status, provider_id=provider_id)]


def export_hold(uow: Any, provider: TransportProvider, claims: int | None = None) -> HoldNotice | None:
    """Whether a review case holds the provider's claims from export, read after the export has taken its claims
    (or locked the provider): what to say, and how many claims it skips (``claims``, else counted)."""
    row = uow.cases.held_case(provider.id)
    if row is None:
        return None
    count = claims if claims is not None else uow.cases.claim_count(provider.id, HELD_CLAIM_STATUSES)
    return HoldNotice(provider.npi, count, row.number, suspension_rule(row.program))
