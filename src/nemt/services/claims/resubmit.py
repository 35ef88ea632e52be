"""Replacing (frequency 7) and voiding (frequency 8) a sent claim — CMS 1500 Paper Claim Reference Table, field 22.
The original is row-locked while it is read and taken (its status changed only if still sent), so it is replaced
or voided once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import RESUBMITTABLE_CLAIM_STATUSES, ClaimStatus
from nemt.policy import Policy, load_policy
from nemt.services.claims.common import (
    TIMELY_FILING_EDIT,
    claim_for,
    edit_dict,
    line_rows,
    next_claim_number,
    provider_for,
    status_of,
)
from nemt.services.claims.derive import Derived, derive
from nemt.services.claims.queries import claim_view
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import Conflict
from nemt.services.platform.permissions import Action
from nemt.store.models import Claim, ClaimLine, TransportProvider

_FREQUENCY_RULE = "claim frequency"


def _resubmittable(uow: Any, actor: Actor, claim_number: str) -> tuple[Claim, TransportProvider, Policy]:
    permissions.require(actor, Action.CLAIM_WRITE)
    original = claim_for(uow, actor, claim_number, lock=True)
    provider = provider_for(uow, actor, uow.claims.provider(original.provider_id))
    if original.status not in RESUBMITTABLE_CLAIM_STATUSES:
        raise Conflict(f"a claim that is {original.status} cannot be replaced or voided (only a sent claim)",
                       field="claim_number", rule="CMS 1500 Paper Claim Reference Table, field 22")
    if original.frequency == load_policy(original.program).get("claims.frequency_void"):
        raise Conflict("a void cannot be replaced or voided", field="claim_number", rule=_FREQUENCY_RULE)
    return original, provider, load_policy(original.program)


def _resubmit(uow: Any, actor: Actor, original: Claim, policy: Policy, frequency_key: str, new_status: ClaimStatus,
              lines: list[ClaimLine], edits: list[dict[str, Any]], total: Decimal, *,
              carries_expenses: bool = False) -> dict[str, Any]:
    if uow.claims.take([original.id], RESUBMITTABLE_CLAIM_STATUSES, new_status) != 1:
        uow.rollback()
        raise Conflict("the claim was replaced or voided meanwhile", field="claim_number", rule=_FREQUENCY_RULE)
    row = uow.claims.add_claim(Claim(
        claim_number=next_claim_number(uow), program=original.program, provider_id=original.provider_id,
        member_id=original.member_id, billing_medicaid_id=original.billing_medicaid_id,
        place_of_service=original.place_of_service, diagnosis=original.diagnosis,
        frequency=policy.get(frequency_key),
        original_claim_number=original.payer_claim_number or original.claim_number,
        status=status_of(edits), total_charge=str(total), edits=edits, adjudication={}, lines=lines,
        payer=original.payer))
    if carries_expenses:  # a replacement bills the original's meals and lodging (Ancillary Services: Meals/Lodging)
        uow.expenses.move_billed(original.id, row.id)
    audit.record(uow, actor, "create", "claim", row.member_id, claim_number=row.claim_number,
                 replaces=original.claim_number, frequency=row.frequency)
    uow.commit()
    uow.claims.expire(original)
    return claim_view(uow, row)


def _replacement(original: Claim, derived: Derived, expense_ids: set[int]) -> tuple[list[Any], list[str]]:
    """The lines the original's legs and meals/lodging expenses now give (same member and place of service) and the
    legs riding on them."""
    own = {ln.leg_id for ln in original.lines if ln.leg_id is not None}
    keys = [k for k, leg in derived.leg_of.items() if leg.id in own]
    keys += [k for k, expense in derived.expense_of.items() if expense.id in expense_ids]
    new_lines = [ln for claim in derived.claims for ln in claim.lines
                 if ln.ref in keys and claim.member_id == original.billing_medicaid_id
                 and claim.place_of_service == original.place_of_service]
    refs = list(dict.fromkeys(ln.ref for ln in new_lines))
    refs += [f for r in refs for f in derived.followers.get(r, ())]
    return new_lines, refs


def replace_claim(uow: Any, actor: Actor, claim_number: str, *, today: dt.date | None = None) -> dict[str, Any]:
    """A replacement (frequency 7) of a sent claim, rebuilt from its legs' current (corrected) trip logs and its meals
    and lodging with the same rules as a build; the original becomes ``replaced`` and its expenses are billed on the
    replacement. Returns the new claim."""
    original, provider, policy = _resubmittable(uow, actor, claim_number)
    today = today or clock.today(policy.time_zone)
    dates = [ln.service_date for ln in original.lines]
    derived = derive(uow, provider, min(dates), max(dates), policy, today)
    new_lines, refs = _replacement(original, derived, uow.expenses.billed_on(original.id))
    if not new_lines:
        raise Conflict("the legs of this claim are no longer billable from their trip logs: void it instead",
                       field="claim_number", rule=_FREQUENCY_RULE)
    rows, extra, total = line_rows(new_lines, {k: leg.id for k, leg in derived.leg_of.items()})
    claim_edits = [edit_dict(e) for r in refs for e in derived.edits.get(r, ()) if e.code != TIMELY_FILING_EDIT]
    return _resubmit(uow, actor, original, policy, "claims.frequency_replacement", ClaimStatus.REPLACED, rows,
                     claim_edits + extra, total, carries_expenses=True)


def void_claim(uow: Any, actor: Actor, claim_number: str) -> dict[str, Any]:
    """A void (frequency 8) of a sent claim with the same lines; the original becomes ``voided``. Returns the void."""
    original, _, policy = _resubmittable(uow, actor, claim_number)
    lines = [ClaimLine(line_number=ln.line_number, leg_id=ln.leg_id, hcpcs=ln.hcpcs, modifiers=list(ln.modifiers),
                       units=ln.units, charge=ln.charge, service_date=ln.service_date,
                       rendering_npi=ln.rendering_npi, adjudication={}) for ln in original.lines]
    return _resubmit(uow, actor, original, policy, "claims.frequency_void", ClaimStatus.VOIDED, lines, [],
                     Decimal(original.total_charge))
