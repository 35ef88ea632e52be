"""Eligibility with the payer: the 270 inquiries we sent and the 271 answers read (``eligibility_checks``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nemt.store.eligibility_models import EligibilityCheck
from nemt.store.repositories.base import Repository


class EligibilityRepository(Repository):
    def add(self, check: EligibilityCheck) -> EligibilityCheck:
        self.session.add(check)
        self.session.flush()
        return check

    def by_traces(self, traces: list[str]) -> dict[str, EligibilityCheck]:
        """The inquiries with these trace numbers, by trace (locked on PostgreSQL: one reader answers each)."""
        if not traces:
            return {}
        query = select(EligibilityCheck).where(EligibilityCheck.trace.in_(sorted(set(traces))))
        if self.dialect == "postgresql":
            query = query.with_for_update()
        return {c.trace: c for c in self.session.scalars(query)}

    def answer_for(self, member_id: int, day: dt.date) -> EligibilityCheck | None:
        """The payer's newest answer (status ``answered``) on the member and date of service, if any."""
        return self.session.scalars(
            select(EligibilityCheck)
            .where(EligibilityCheck.member_id == member_id, EligibilityCheck.date_of_service == day,
                   EligibilityCheck.status == "answered")
            .order_by(EligibilityCheck.answered_at.desc(), EligibilityCheck.id.desc()).limit(1)
        ).first()

    def for_member(self, member_id: int) -> list[EligibilityCheck]:
        return list(self.session.scalars(select(EligibilityCheck).where(EligibilityCheck.member_id == member_id)
                                         .order_by(EligibilityCheck.id)))
