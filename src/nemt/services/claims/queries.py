"""Reading claims: one claim, the claims an actor may see, the denied claims with the payer's reasons."""

from __future__ import annotations

from typing import Any

from nemt.billing.payers import payer_of
from nemt.domain.actors import Actor
from nemt.domain.statuses import RESUBMITTABLE_CLAIM_STATUSES, ClaimStatus
from nemt.policy import load_policy
from nemt.services.claims.common import claim_for, payer_adjustments, provider_for
from nemt.services.platform import audit, permissions
from nemt.services.platform.inputs import clamp_rows
from nemt.services.platform.permissions import Action
from nemt.store.models import Claim

MAX_LISTED = 5000


def listed_rows(limit: int | None) -> int:
    """The limit rule of the claims list (:func:`~nemt.services.platform.inputs.clamp_rows`, as the audit
    trail's): at most ``MAX_LISTED``, 500 when not given."""
    return clamp_rows(limit, 500, MAX_LISTED)


def _line_view(line: Any, leg_keys: dict[int, str]) -> dict[str, Any]:
    return {
        "line_number": line.line_number, "hcpcs": line.hcpcs, "modifiers": list(line.modifiers or []),
        "units": line.units, "charge": line.charge, "service_date": line.service_date.isoformat(),
        "rendering_npi": line.rendering_npi, "leg_key": leg_keys.get(line.leg_id),
        "adjudication": line.adjudication or {},
    }


def claim_view(uow: Any, claim: Claim) -> dict[str, Any]:
    """A claim as the API and pages show it (the billing ID is there for the billing office; never in URLs)."""
    leg_keys = uow.claims.leg_keys(ln.leg_id for ln in claim.lines)
    return {
        "claim_number": claim.claim_number, "key": claim.key, "status": claim.status, "program": claim.program,
        "frequency": claim.frequency, "original_claim_number": claim.original_claim_number,
        "payer_claim_number": claim.payer_claim_number, "provider_npi": uow.claims.provider_npi(claim.provider_id),
        "member_key": uow.claims.member_key(claim.member_id),
        "billing_medicaid_id": claim.billing_medicaid_id, "place_of_service": claim.place_of_service,
        "diagnosis": claim.diagnosis, "total_charge": claim.total_charge, "paid_amount": claim.paid_amount,
        "edits": list(claim.edits or []), "adjudication": claim.adjudication or {}, "batch_id": claim.batch_id,
        "resubmittable": claim.status in RESUBMITTABLE_CLAIM_STATUSES,
        "payer": claim.payer, "payer_name": payer_of(claim.payer, load_policy(claim.program)).name,
        "front_end": claim.front_end, "front_end_detail": claim.front_end_detail or {},
        "created_at": claim.created_at.isoformat() if claim.created_at else None,
        "lines": [_line_view(ln, leg_keys) for ln in claim.lines],
    }


def list_claims(uow: Any, actor: Actor, *, status: str | None = None, provider: str | None = None,
                limit: int = 500) -> list[dict[str, Any]]:
    """Claims the actor may see (provider admin: the organization's; auditor, admin: the program's), newest
    first."""
    permissions.require(actor, Action.CLAIM_READ)
    provider_id = provider_for(uow, actor, provider).id if provider else None
    rows = uow.claims.visible_claims(actor, status=status, provider_id=provider_id, limit=listed_rows(limit))
    audit.record(uow, actor, "read", "claim", None, rows=len(rows), status=status or "")
    audit.record_members(uow, actor, "read", "claim", [row.member_id for row in rows], via="claim-list")
    uow.commit()
    return [claim_view(uow, row) for row in rows]


def get_claim(uow: Any, actor: Actor, claim_number: str) -> dict[str, Any]:
    permissions.require(actor, Action.CLAIM_READ)
    row = claim_for(uow, actor, claim_number)
    audit.record(uow, actor, "read", "claim", row.member_id, claim_number=row.claim_number)
    uow.commit()
    return claim_view(uow, row)


def _denial(row: Claim) -> dict[str, Any]:
    adjudication = row.adjudication or {}
    reasons = payer_adjustments(row)
    return {"claim_number": row.claim_number, "key": row.key, "total_charge": row.total_charge,
            "payer_claim_number": row.payer_claim_number, "reasons": reasons,
            "reason_codes": sorted({f"{r['group']}-{r['reason']}" for r in reasons}),
            "remittance_trace": adjudication.get("trace_number", "")}


def denied_claims(uow: Any, actor: Actor) -> list[dict[str, Any]]:
    """Denied claims with the payer's reason codes (CARC, with group code) for rework."""
    permissions.require(actor, Action.CLAIM_READ)
    out = []
    for row in uow.claims.visible_claims(actor, status=ClaimStatus.DENIED, newest_first=False):
        out.append(_denial(row))
        audit.record(uow, actor, "read", "claim", row.member_id, claim_number=row.claim_number, view="denied")
    uow.commit()
    return out


def recent_batches(uow: Any, actor: Actor, limit: int = 20) -> list[dict[str, Any]]:
    """The newest export batches of the claims the actor may see, with what the 999/TA1 said of each."""
    permissions.require(actor, Action.CLAIM_READ)
    return [{"id": b.id, "format": b.format, "claims": b.claims, "created_at": b.created_at,
             "interchange_control_number": b.interchange_control_number,
             "group_control_number": b.group_control_number, "ack_status": b.ack_status,
             "ack_detail": b.ack_detail or {}} for b in uow.claims.visible_batches(actor, limit)]
