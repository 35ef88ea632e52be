"""Members, their coverage and documented needs, and the eligibility files already imported.

Which members an actor may see is ``nemt.store.visibility.members``, applied here: a member the actor may not see is
returned exactly like a member that does not exist (``None`` or left out of a list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, literal_column, or_, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from nemt.domain.actors import Actor
from nemt.store import visibility
from nemt.store.models import EligibilityImport, Member
from nemt.store.repositories.base import Repository


def _with_details(query: Select[Any]) -> Select[Any]:
    """Many members with their coverage and needs: one more query for each (``IN`` the members listed)."""
    return query.options(selectinload(Member.coverage), selectinload(Member.needs))


def _one_with_details(session: Session, query: Select[Any]) -> Member | None:
    """The one member ``query`` finds (None: none), its coverage and needs joined to it in the same query: one round
    trip instead of :func:`_with_details`' three, about half the CPU for the booking's look-up of a member
    (``python -m benchmarks load``). The rows repeat the member for each coverage × need; ``unique`` folds them."""
    joined = query.options(joinedload(Member.coverage), joinedload(Member.needs))
    return session.scalars(joined).unique().one_or_none()


# The digits of a stored telephone number: the punctuation people type removed. The same expression is indexed by
# migration 0022_member_search (the constants are inlined so PostgreSQL matches the index's expression).
PHONE_PUNCTUATION = ("-", " ", "(", ")", ".", "+", "/")


def phone_digits(column: Any) -> ColumnElement[str]:
    expression = column
    for mark in PHONE_PUNCTUATION:
        expression = func.replace(expression, literal_column(f"'{mark}'"), literal_column("''"))
    return expression


def _prefix(column: Any, text: str) -> ColumnElement[bool]:
    """``lower(column)`` starts with ``text`` (lower case; LIKE's wildcards in it escaped). On PostgreSQL the
    ``text_pattern_ops`` index of 0022_member_search serves it."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(escaped + "%", escape="\\")


def _visible_to(query: Select[Any], actor: Actor | None) -> Select[Any]:
    condition = visibility.members(actor) if actor is not None else None
    return query if condition is None else query.where(condition)


class MemberRepository(Repository):
    def add(self, member: Member) -> Member:
        self.session.add(member)
        return member

    def by_key(self, key: str) -> Member | None:
        return _one_with_details(self.session, select(Member).where(Member.key == key))

    def visible(self, actor: Actor, key: str) -> Member | None:
        """The member with ``key`` if ``actor`` may see it; ``None`` for an unknown key and for a hidden member."""
        if not key:
            return None
        return _one_with_details(self.session, _visible_to(select(Member).where(Member.key == key), actor))

    def by_key_seen_by(self, actor: Actor, key: str) -> tuple[Member | None, bool]:
        """The member with ``key`` (coverage and needs not loaded) and whether ``actor`` may see it, in one query:
        :meth:`by_key` and :meth:`may_see` in one round trip, for the list of a member's rides that an agent opens
        at every call (``python -m benchmarks load``)."""
        condition = visibility.members(actor)
        seen = true() if condition is None else condition
        row = self.session.execute(select(Member, seen.label("seen")).where(Member.key == key)).first()
        return (None, False) if row is None else (row[0], bool(row[1]))

    def may_see(self, actor: Actor, member_id: int) -> bool:
        condition = visibility.members(actor)
        if condition is None:
            return True
        return bool(self.session.scalar(select(exists().where(Member.id == member_id, condition))))

    def by_medicaid_id(self, program: str, medicaid_id: str) -> Member | None:
        return _one_with_details(
            self.session, select(Member).where(Member.program == program, Member.medicaid_id == medicaid_id))

    def by_medicaid_ids(self, program: str, medicaid_ids: list[str]) -> dict[str, Member]:
        rows = self.session.scalars(
            _with_details(select(Member).where(Member.program == program, Member.medicaid_id.in_(medicaid_ids)))
        )
        return {m.medicaid_id: m for m in rows}

    def with_medicaid_id(self, actor: Actor | None, programs: Sequence[str], medicaid_id: str) -> list[Member]:
        """The members with this Medicaid ID in ``programs`` (in that order) that ``actor`` may see; every one of
        them when ``actor`` is None (a facility's exact-ID look-up to book an urgent ride)."""
        found = []
        for program in programs:
            query = select(Member).where(Member.program == program, Member.medicaid_id == medicaid_id)
            member = _one_with_details(self.session, _visible_to(query, actor))
            if member is not None:
                found.append(member)
        return found

    def by_name_and_birth_date(self, program: str | None, last_name: str, first_name: str | None,
                               birth_date: dt.date, actor: Actor | None = None) -> list[Member]:
        """Members by last name and birth date (first name optional, case ignored), in ``program`` (all: None),
        that ``actor`` may see (every one: None)."""
        query = select(Member).where(
            func.lower(Member.last_name) == last_name.strip().lower(), Member.birth_date == birth_date
        )
        if first_name:
            query = query.where(func.lower(Member.first_name) == first_name.strip().lower())
        if program:
            query = query.where(Member.program == program)
        query = _visible_to(query, actor)
        return list(self.session.scalars(query.order_by(Member.last_name, Member.first_name)))

    def with_phone(self, actor: Actor | None, programs: Sequence[str], digits: str, limit: int) -> list[Member]:
        """Members whose telephone number, punctuation aside, is ``digits`` (10 digits, area code first, or 7 for a
        local number): a 10-digit search also finds a number stored without its area code, a 7-digit one a number
        stored with any area code. In ``programs``, visible to ``actor`` (every one: None)."""
        stored = phone_digits(Member.phone)
        wanted = [stored == digits]
        if len(digits) == 10:
            wanted.append(stored == digits[-7:])
        else:
            wanted.append(and_(func.length(stored) == 10, stored.like("%" + digits)))
        query = select(Member).where(Member.program.in_(list(programs)), or_(*wanted))
        return self._listed(_visible_to(query, actor), limit)

    def with_name(self, actor: Actor | None, programs: Sequence[str], names: Sequence[tuple[str, str | None]],
                  birth_date: dt.date | None, limit: int) -> list[Member]:
        """Members whose last name starts with one of ``names``' first part and, when given, whose first name
        starts with its second (case ignored), born on ``birth_date`` when given; in ``programs``, visible to
        ``actor`` (every one: None). At most ``limit`` rows, by name."""
        either = []
        for last, first in names:
            condition = _prefix(Member.last_name, last.lower())
            if first:
                condition = and_(condition, _prefix(Member.first_name, first.lower()))
            either.append(condition)
        query = select(Member).where(Member.program.in_(list(programs)), or_(*either))
        if birth_date is not None:
            query = query.where(Member.birth_date == birth_date)
        return self._listed(_visible_to(query, actor), limit)

    def _listed(self, query: Select[Any], limit: int) -> list[Member]:
        """At most ``limit`` members of ``query`` by name, with their coverage and needs joined in the same query
        (SQLAlchemy limits the members in a subquery, then joins): for a search's short list, one round trip and
        about two thirds of the CPU of :func:`_with_details`' three."""
        ordered = query.order_by(Member.last_name, Member.first_name, Member.birth_date, Member.id).limit(limit)
        joined = ordered.options(joinedload(Member.coverage), joinedload(Member.needs))
        return list(self.session.scalars(joined).unique())

    def in_program(self, program: str) -> list[Member]:
        """Every member of a program, in the order they were added."""
        return list(self.session.scalars(_with_details(select(Member).where(Member.program == program))
                                         .order_by(Member.id)))

    def count(self, program: str | None = None) -> int:
        query = select(func.count(Member.id))
        if program:
            query = query.where(Member.program == program)
        return self.session.scalar(query) or 0

    # -- eligibility files ------------------------------------------------------------------------------------------

    def file_imported(self, sha256: str) -> bool:
        """Whether an eligibility file with this SHA-256 was imported before."""
        return self.session.scalar(select(EligibilityImport.id).where(EligibilityImport.sha256 == sha256)) is not None

    def add_import(self, record: EligibilityImport) -> None:
        self.session.add(record)
