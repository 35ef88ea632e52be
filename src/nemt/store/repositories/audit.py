"""The audit trail's repository: append-only events, read by member or newest first within what an actor may see."""

from __future__ import annotations

from sqlalchemy import select

from nemt.domain.actors import Actor
from nemt.store import visibility
from nemt.store.models import AuditEvent
from nemt.store.repositories.base import Repository


class AuditRepository(Repository):
    def add(self, event: AuditEvent) -> None:
        self.session.add(event)

    def for_member(self, member_id: int) -> list[AuditEvent]:
        return list(self.session.scalars(select(AuditEvent).where(AuditEvent.member_id == member_id)
                                         .order_by(AuditEvent.id)))

    def recent(self, limit: int = 200, actor: Actor | None = None) -> list[AuditEvent]:
        """The latest ``limit`` events, newest first: those ``actor`` may see (``visibility.audit_events``), or every
        event when no actor is given."""
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        condition = visibility.audit_events(actor) if actor is not None else None
        if condition is not None:
            query = query.where(condition)
        return list(self.session.scalars(query))
