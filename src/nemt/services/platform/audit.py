"""The audit trail: every read or change of member data writes an append-only record.

Details name fields and counts, never the member's data itself.
"""

from __future__ import annotations

from nemt.domain.actors import Actor
from nemt.store.models import AuditEvent


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
