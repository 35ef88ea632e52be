"""Review cases on transportation providers (program integrity, issue 15; migration ``0020_review_cases``).

An auditor opens a case on a provider (why, who, when); the case may hold the provider's claims from export — a
payment suspension, recorded with who, when and why (42 CFR 455.23; Colorado gained the power to suspend payments in
HB24-1146) — and is closed by releasing the claims or denying them. Findings are notes, append-only: triggers refuse
UPDATE and DELETE (SQLite and PostgreSQL), as on the trip log and the audit trail.

A provider has at most one active (open or held) case: a partial unique index on ``provider_id`` where the status is
``open`` or ``held``, so two auditors opening a case on one provider at once get one case and a conflict.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nemt.domain.statuses import CaseStatus
from nemt.store.models import Base, TransportProvider, new_key, utcnow

_ACTIVE = text("status IN ('open', 'held')")


class ReviewCase(Base):
    """A review case: the provider, why it was opened, and each step's who, when and why. ``number`` is shown to
    people (``RC000001``); ``key`` addresses it in URLs."""

    __tablename__ = "review_cases"
    __table_args__ = (Index("uq_review_cases_active_provider", "provider_id", unique=True, sqlite_where=_ACTIVE,
                            postgresql_where=_ACTIVE),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    program: Mapped[str] = mapped_column(String(2), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("transport_providers.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.OPEN)
    reason: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    opened_by_name: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    hold_reason: Mapped[str | None] = mapped_column(Text, default=None)
    held_by_name: Mapped[str | None] = mapped_column(String(80), default=None)
    held_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    held_claims: Mapped[int] = mapped_column(default=0)  # ready claims at the hold
    closing_reason: Mapped[str | None] = mapped_column(Text, default=None)
    closed_by_name: Mapped[str | None] = mapped_column(String(80), default=None)
    closed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    denied_claims: Mapped[int] = mapped_column(default=0)

    provider: Mapped[TransportProvider] = relationship()
    notes: Mapped[list[ReviewCaseNote]] = relationship(order_by="ReviewCaseNote.id", viewonly=True)


class ReviewCaseNote(Base):
    """A finding noted on a case (append-only)."""

    __tablename__ = "review_case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("review_cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    written_by_name: Mapped[str] = mapped_column(String(80))
    written_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

