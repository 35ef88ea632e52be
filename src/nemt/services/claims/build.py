"""Building claims from completed legs' trip logs.

- **Once per leg.** A leg is billed in one original claim only: ``billed_legs.leg_id`` is a primary key. Each claim
  is written in its own transaction together with its legs' ``billed_legs`` rows; when another builder got there
  first (same legs, another process) the insert fails, the claim is rolled back and skipped.
- **Meals and lodging.** The provider's recorded expenses on the dates (:mod:`.expenses`) go through the same pure
  rules as ``nemt bill`` (per diem up to the amount charged, one unit per day and person, escorts only for a child
  or an at-risk adult, out of state only when not part of an inpatient stay) onto the member's claim; each expense
  is billed once (``billed_expenses.expense_id`` is a primary key, as ``billed_legs.leg_id``).
- **Same-day context.** The claims of a build are computed from *all* completed legs of the provider on the dates
  (billed or not), so repeat modifiers (76/77) and shared rides come out as ``nemt bill`` gives them for the whole
  day; only the lines of legs not billed yet are written.
- **Payer.** Each claim is billed to the payer of its member's county: the State Contracted Broker inside the broker
  service area, the Department elsewhere (``nemt.billing.payers``; Payment for Covered Services).
- **Edits** are stored on the claim of the leg they are about. A claim flagged by the 52-unit review
  (``mileage_review``), past the timely-filing limit (``timely_filing.days``) or with a line the fee schedule does not
  price gets status ``review``; the others ``ready``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from nemt import clock
from nemt.billing.payers import payer_path
from nemt.billing.x12_837p import MAX_LINES_PER_CLAIM
from nemt.domain.actors import Actor
from nemt.policy import Policy, load_policy
from nemt.services import trips
from nemt.services.claims.common import edit_dict, line_rows, next_claim_number, provider_for, status_of
from nemt.services.claims.derive import Derived, derive
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput
from nemt.services.platform.permissions import Action
from nemt.store.models import Claim, TransportProvider
from nemt.store.uow import CONCURRENT_WRITE_ERRORS


@dataclass
class BuildResult:
    provider_npi: str
    first_date: dt.date
    last_date: dt.date
    legs_considered: int = 0
    claims: list[dict[str, Any]] = field(default_factory=list)  # claim_number, status, total_charge, lines, edits
    legs_already_billed: int = 0
    legs_taken_by_other_builder: list[str] = field(default_factory=list)  # leg keys
    edits: list[dict[str, Any]] = field(default_factory=list)  # edits of legs that are on no claim
    # Legs held for review by a plausibility rule (issue 15): {leg_key, rule, message, cite}; never billed silently.
    legs_held: list[dict[str, Any]] = field(default_factory=list)
    expenses_considered: int = 0  # meals and lodging on the dates (Ancillary Services: Meals/Lodging)

    def as_dict(self) -> dict[str, Any]:
        return {"provider_npi": self.provider_npi, "from": self.first_date.isoformat(),
                "to": self.last_date.isoformat(), "legs_considered": self.legs_considered,
                "legs_already_billed": self.legs_already_billed, "claims": self.claims,
                "legs_taken_by_other_builder": self.legs_taken_by_other_builder, "edits": self.edits,
                "legs_held": self.legs_held, "expenses_considered": self.expenses_considered}


@dataclass
class _Build:
    """One build's plain values: each claim is its own transaction, and a rollback expires the rows."""

    uow: Any
    actor: Actor
    policy: Policy
    program: str
    provider_id: int
    derived: Derived
    leg_ids: dict[str, int]
    member_of: dict[str, int]
    billed: set[int]
    result: BuildResult
    on_claims: set[str] = field(default_factory=set)
    expense_ids: dict[str, int] = field(default_factory=dict)  # entry key -> expense id
    expenses_billed: set[int] = field(default_factory=set)

    def new_refs(self, chunk: list[Any]) -> list[str]:
        """The legs of a claim's lines and the shared-ride followers riding on them that are not billed yet."""
        refs = list(dict.fromkeys(ln.ref for ln in chunk))
        refs += [f for r in refs for f in self.derived.followers.get(r, ()) if self.leg_ids[f] not in self.billed]
        return refs

    def is_new(self, ref: str) -> bool:
        """Whether a line's leg or meals/lodging expense is not billed yet."""
        if ref in self.leg_ids:
            return self.leg_ids[ref] not in self.billed
        return ref in self.expense_ids and self.expense_ids[ref] not in self.expenses_billed

    def trip_of(self, ref: str) -> Any:
        return self.derived.leg_of[ref].trip if ref in self.leg_ids else self.derived.expense_of[ref].trip


def _store(build: _Build, claim: Any, chunk: list[Any], refs: list[str]) -> None:
    """Write one claim with its billed legs and commit; when another builder billed a leg first, skip it."""
    uow = build.uow
    claim_edits = [edit_dict(e) for r in refs for e in build.derived.edits.get(r, ())]
    rows, extra, total = line_rows(chunk, build.leg_ids)
    claim_edits += extra
    status = status_of(claim_edits, build.derived.holding)
    trip = build.trip_of(refs[0])
    payer = payer_path(trip.member.county, build.policy)
    try:
        row = uow.claims.add_claim(Claim(
            claim_number=next_claim_number(uow), program=build.program, provider_id=build.provider_id,
            member_id=trip.member_id, billing_medicaid_id=claim.member_id,
            place_of_service=claim.place_of_service, diagnosis=claim.diagnosis,
            frequency=build.policy.get("claims.frequency_original"), status=status, total_charge=str(total),
            edits=claim_edits, adjudication={}, lines=rows, payer=payer),
            [build.leg_ids[r] for r in refs if r in build.leg_ids])
        uow.expenses.mark_billed([build.expense_ids[r] for r in refs if r in build.expense_ids], row.id)
        audit.record(uow, build.actor, "create", "claim", row.member_id, claim_number=row.claim_number,
                     lines=len(rows), status=status, payer=payer)
        uow.commit()
    except CONCURRENT_WRITE_ERRORS:
        uow.rollback()  # another builder billed these legs first
        build.result.legs_taken_by_other_builder.extend(refs)
        return
    build.result.claims.append({"claim_number": row.claim_number, "status": status, "payer": payer,
                                "total_charge": str(total),
                                "lines": len(rows), "edits": [e["code"] for e in claim_edits]})


def _store_claim(build: _Build, claim: Any) -> None:
    """The new lines of one computed claim, as claims of at most MAX_LINES_PER_CLAIM lines."""
    new_lines = [ln for ln in claim.lines if build.is_new(ln.ref)]
    for start in range(0, len(new_lines), MAX_LINES_PER_CLAIM):
        chunk = new_lines[start:start + MAX_LINES_PER_CLAIM]
        refs = build.new_refs(chunk)
        build.on_claims.update(refs)
        _store(build, claim, chunk, refs)


def _start(uow: Any, actor: Actor, provider: TransportProvider, first: dt.date, last: dt.date,
           today: dt.date | None) -> _Build:
    program = provider.organization.program
    policy = load_policy(program)
    derived = derive(uow, provider, first, last, policy, today or clock.today(policy.time_zone))
    leg_ids = {key: leg.id for key, leg in derived.leg_of.items()}
    member_of = {key: leg.trip.member_id for key, leg in derived.leg_of.items()}
    billed = uow.claims.billed(set(leg_ids.values()))
    expense_ids = {key: row.id for key, row in derived.expense_of.items()}
    result = BuildResult(provider.npi, first, last, legs_considered=len(leg_ids),
                         legs_already_billed=sum(1 for i in leg_ids.values() if i in billed),
                         expenses_considered=len(expense_ids))
    return _Build(uow, actor, policy, program, provider.id, derived, leg_ids, member_of, billed, result,
                  expense_ids=expense_ids, expenses_billed=uow.expenses.billed(set(expense_ids.values())))


def build_claims_for_provider(uow: Any, actor: Actor, provider: TransportProvider | str | None,
                              service_dates: tuple[dt.date, dt.date], *, today: dt.date | None = None
                              ) -> BuildResult:
    """Build, price and store the claims of the provider's completed, not yet billed legs whose date of service is
    in ``service_dates`` (first, last — inclusive). Each claim is committed in its own transaction with its legs'
    ``billed_legs`` rows; a claim whose legs another builder billed meanwhile is skipped. ``today`` (default: the
    program's today) is the filing date the timely-filing limit is measured to. Safe to run twice or in parallel."""
    permissions.require(actor, Action.CLAIM_WRITE)
    first, last = service_dates
    if first > last:
        raise InvalidInput("the first date is after the last", field="from", rule="date range")
    build = _start(uow, actor, provider_for(uow, actor, provider), first, last, today)
    for key, findings in trips.holds_of(uow, [build.derived.leg_of[k] for k, i in build.leg_ids.items()
                                              if i not in build.billed]).items():
        build.billed.add(build.leg_ids[key])  # held for review: skipped like a billed leg, and said why
        build.result.legs_held += [{"leg_key": key, "rule": f.rule, "message": f.message, "cite": f.cite}
                                   for f in findings]
    for claim in build.derived.claims:
        _store_claim(build, claim)
    for key in [*build.leg_ids, *build.expense_ids]:
        if key not in build.on_claims and build.is_new(key):
            build.result.edits.extend(edit_dict(e) for e in build.derived.edits.get(key, ()))
    return build.result
