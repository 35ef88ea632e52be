"""The audit trail: every read or change of member data writes an append-only record; auditors and administrators
read the latest records of their program (``trail``), which is itself recorded.

Details name fields and counts, never the member's data itself.
"""

from __future__ import annotations

from nemt.domain.actors import Actor
from nemt.services.platform.permissions import Action, require
from nemt.store.models import AuditEvent

DEFAULT_TRAIL_ROWS, MAX_TRAIL_ROWS = 200, 1000


def record(uow, actor: Actor, action: str, entity: str, member_id: int | None = None, **detail) -> None:
    uow.audit.add(
        AuditEvent(
            user_id=actor.user_id,
            username=actor.username,
            role=actor.role,
            organization_id=actor.organization_id,
            action=action,
            entity=entity,
            member_id=member_id,
            detail=detail,
        )
    )


def trail_rows(limit: int | None) -> int:
    """The one limit rule of the audit trail: at least 1 row, at most ``MAX_TRAIL_ROWS``, 200 when not given."""
    if limit is None:
        return DEFAULT_TRAIL_ROWS
    return max(1, min(limit, MAX_TRAIL_ROWS))


def trail(uow, actor: Actor, limit: int | None = None) -> list[AuditEvent]:
    """The latest audit records the actor may see (their program's), newest first; the read is itself audited."""
    require(actor, Action.AUDIT_READ)
    events = uow.audit.recent(trail_rows(limit), actor)
    record(uow, actor, "read", "audit-trail", None, rows=len(events))
    uow.commit()
    return events
