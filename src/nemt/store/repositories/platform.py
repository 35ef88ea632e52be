"""The platform's repositories: users, organizations, the audit trail and the control-number counters."""

from __future__ import annotations

from sqlalchemy import select, update

from nemt.store.models import AuditEvent, ControlNumber, Organization, User
from nemt.store.repositories.base import Repository


class UserRepository(Repository):
    def by_username(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username))

    def by_id(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)


class OrganizationRepository(Repository):
    def by_name(self, program: str, name: str) -> Organization | None:
        return self.session.scalar(
            select(Organization).where(Organization.program == program, Organization.name == name)
        )

    def by_id(self, org_id: int) -> Organization | None:
        return self.session.get(Organization, org_id)


class AuditRepository(Repository):
    def add(self, event: AuditEvent) -> None:
        self.session.add(event)

    def for_member(self, member_id: int) -> list[AuditEvent]:
        return list(self.session.scalars(select(AuditEvent).where(AuditEvent.member_id == member_id)
                                         .order_by(AuditEvent.id)))

    def recent(self, limit: int = 200, program_org_ids: list[int] | None = None) -> list[AuditEvent]:
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if program_org_ids is not None:
            query = query.where(AuditEvent.organization_id.in_(program_org_ids))
        return list(self.session.scalars(query))


class ControlNumbers(Repository):
    """Gap-tolerant, never-repeating counters. The row lock (PostgreSQL) or the write lock (SQLite) held until
    commit makes two allocators in parallel get different values."""

    def next(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` consecutive values; returns the first."""
        result = self.session.execute(
            update(ControlNumber).where(ControlNumber.name == name)
            .values(last_value=ControlNumber.last_value + count).returning(ControlNumber.last_value)
        ).scalar()
        if result is None:
            self.session.add(ControlNumber(name=name, last_value=count))
            self.session.flush()
            return 1
        return result - count + 1
