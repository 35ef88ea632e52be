"""Repositories: the store's vocabulary for the service layer. They add and find; the unit of work commits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from nemt.store.models import AuditEvent, ControlNumber, Member, Organization, User


class MemberRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, member: Member) -> Member:
        self.session.add(member)
        return member

    def by_key(self, key: str) -> Member | None:
        return self.session.scalar(
            select(Member).where(Member.key == key).options(selectinload(Member.coverage), selectinload(Member.needs))
        )

    def by_medicaid_id(self, program: str, medicaid_id: str) -> Member | None:
        return self.session.scalar(
            select(Member)
            .where(Member.program == program, Member.medicaid_id == medicaid_id)
            .options(selectinload(Member.coverage), selectinload(Member.needs))
        )

    def by_medicaid_ids(self, program: str, medicaid_ids: list[str]) -> dict[str, Member]:
        rows = self.session.scalars(
            select(Member)
            .where(Member.program == program, Member.medicaid_id.in_(medicaid_ids))
            .options(selectinload(Member.coverage), selectinload(Member.needs))
        )
        return {m.medicaid_id: m for m in rows}

    def by_name_and_birth_date(self, program: str | None, last_name: str, first_name: str | None,
                               birth_date: dt.date) -> list[Member]:
        query = select(Member).where(
            func.lower(Member.last_name) == last_name.strip().lower(), Member.birth_date == birth_date
        )
        if first_name:
            query = query.where(func.lower(Member.first_name) == first_name.strip().lower())
        if program:
            query = query.where(Member.program == program)
        return list(self.session.scalars(query.order_by(Member.last_name, Member.first_name)))

    def count(self, program: str | None = None) -> int:
        query = select(func.count(Member.id))
        if program:
            query = query.where(Member.program == program)
        return self.session.scalar(query) or 0


class UserRepository:
    def __init__(self, session: Session):
        self.session = session

    def by_username(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username))

    def by_id(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)


class OrganizationRepository:
    def __init__(self, session: Session):
        self.session = session

    def by_name(self, program: str, name: str) -> Organization | None:
        return self.session.scalar(
            select(Organization).where(Organization.program == program, Organization.name == name)
        )

    def by_id(self, org_id: int) -> Organization | None:
        return self.session.get(Organization, org_id)


class AuditRepository:
    def __init__(self, session: Session):
        self.session = session

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


class ControlNumbers:
    """Gap-tolerant, never-repeating counters. The row lock (PostgreSQL) or the write lock (SQLite) held until
    commit makes two allocators in parallel get different values."""

    def __init__(self, session: Session):
        self.session = session

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
