"""Members, their coverage and documented needs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from nemt.store.models import Member
from nemt.store.repositories.base import Repository


class MemberRepository(Repository):
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
