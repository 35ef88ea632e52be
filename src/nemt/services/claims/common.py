"""What the claims use cases share: the provider and the claim an action is about, the status a claim's edits give
it, and the rows of its lines."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

from nemt.billing.broker_adjudication import DENYING_EDITS
from nemt.billing.claim_rules import Edit
from nemt.billing.remit_codes import describe_adjustment
from nemt.domain.actors import Actor, Role
from nemt.domain.statuses import ClaimStatus
from nemt.services.platform.errors import Forbidden, InvalidInput, NotFound
from nemt.store.models import Claim, ClaimLine, TransportProvider

# Edits that hold a claim for review instead of sending it: those a payer denies the claim for (the one map of edit
# to reason code, :data:`nemt.billing.broker_adjudication.DENYING_EDITS`).
REVIEW_EDITS = frozenset(DENYING_EDITS)
CLAIM_NUMBER_COUNTER = "claim-number"
ISA_COUNTER = "x12-interchange"
GS_COUNTER = "x12-group"
TIMELY_FILING_EDIT = "timely-filing-limit-passed"


def is_provider_admin(actor: Actor) -> bool:
    """A signed-in provider administrator (the system is none)."""
    return not actor.is_system and actor.role == Role.PROVIDER_ADMIN


def _named_provider(uow: Any, actor: Actor, provider: TransportProvider | str | None) -> TransportProvider:
    if isinstance(provider, TransportProvider):
        return provider
    if provider:
        row = uow.claims.provider_by_npi(str(provider))
        if row is None:
            raise NotFound("no transportation provider with that NPI", field="provider", rule="providers by NPI")
        return row
    if is_provider_admin(actor):
        row = uow.claims.provider_of_organization(actor.organization_id)
        if row is None:
            raise NotFound("your organization has no provider enrolment", field="provider", rule="enrolment")
        return row
    raise InvalidInput("name the provider by NPI", field="provider", rule="claims are per billing provider")


def provider_for(uow: Any, actor: Actor, provider: TransportProvider | str | None) -> TransportProvider:
    """The provider a claims action is about: a provider admin's own (``provider`` may be omitted), else the one
    named by NPI; program-checked."""
    row = _named_provider(uow, actor, provider)
    if actor.is_system:
        return row
    if actor.role == Role.PROVIDER_ADMIN and row.organization_id != actor.organization_id:
        raise Forbidden("not your organization's provider", field="provider",
                        rule="provider admins bill for their organization only")
    if not actor.sees_program(row.organization.program):
        raise NotFound("no transportation provider with that NPI", field="provider", rule="program-based access")
    return row


def claim_for(uow: Any, actor: Actor, claim_number: str, *, lock: bool = False) -> Claim:
    """A claim the actor may see, by number (``lock``: row-locked until the commit, on PostgreSQL)."""
    row = uow.claims.claim(actor, claim_number, lock=lock)
    if row is None:
        raise NotFound("no such claim", field="claim_number", rule="claims by claim number")
    return row


def edit_dict(edit: Edit) -> dict[str, str]:
    return {"code": edit.code, "ref": edit.ref, "message": edit.message, "citation": edit.citation}


def status_of(edits: Iterable[Mapping[str, Any]], holding: Collection[str] = frozenset()) -> ClaimStatus:
    """``review`` when an edit holds the claim for review (or is one of the program's ``holding`` integrity edits,
    issue 15), else ``ready``."""
    return ClaimStatus.REVIEW if any(e["code"] in REVIEW_EDITS or e["code"] in holding for e in edits) \
        else ClaimStatus.READY


def payer_adjustments(row: Claim) -> list[dict[str, Any]]:
    """The payer's adjustments of a claim (835 CAS: claim level, then each line's), each with its ``line_number``
    (``None`` at claim level) and its ``text`` in words from the code tables."""
    found = [{**a, "line_number": None} for a in (row.adjudication or {}).get("adjustments", [])]
    for line in row.lines:
        found += [{**a, "line_number": line.line_number} for a in (line.adjudication or {}).get("adjustments", [])]
    return [{**a, "text": describe_adjustment(a["group"], a["reason"])} for a in found]


def line_rows(lines: Iterable[Any], leg_ids: Mapping[str, int]) -> tuple[list[ClaimLine], list[dict[str, Any]],
                                                                          Decimal]:
    """The stored lines of priced claim lines, the edits of lines the fee schedule does not price, and the total."""
    rows, extra_edits, total = [], [], Decimal("0.00")
    for n, line in enumerate(lines, start=1):
        if line.charge is None:
            extra_edits.append({"code": "no-fee-schedule-rate", "ref": line.ref,
                                "message": f"the fee schedule has no rate for {line.hcpcs} on "
                                           f"{line.date_of_service.isoformat()}", "citation": "Rate and Fee Schedule"})
        else:
            total += line.charge
        rows.append(ClaimLine(
            line_number=n, leg_id=leg_ids.get(line.ref), hcpcs=line.hcpcs,
            modifiers=list(line.modifiers), units=line.units,
            charge=str(line.charge) if line.charge is not None else "", service_date=line.date_of_service,
            rendering_npi=line.rendering_provider_npi, adjudication={}))
    return rows, extra_edits, total


def next_claim_number(uow: Any) -> str:
    return f"CL{uow.control_numbers.next(CLAIM_NUMBER_COUNTER):010d}"
