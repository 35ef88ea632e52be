"""A member's documents on file (migration ``0022_member_documents``; issue 16, point 3; the rules are
``nemt.domain.documents``).

:class:`MemberDocument` — one document as it arrived: its kind (a medical professional's written certification, the
Verification Form for Transportation Services More Than 25 Miles, the Department's prior authorization), what it
states (statements; a form's destination and whether the appointments are recurring; an authorization's modes or
out-of-state travel, number and dates), who signed it and when, the dates it counts, the file itself (PDF, PNG or
JPEG bytes with type, size and SHA-256, kept in the database like the receipts — never in a URL, a file path or a
log line), who recorded it and when. Append-only: database triggers refuse UPDATE and DELETE; a newer document
supersedes an older one without changing it (``nemt.domain.documents.superseded``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from nemt.store.models import Base, new_key, utcnow

DOCUMENT_TABLES = ("member_documents",)


class MemberDocument(Base):
    __tablename__ = "member_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    program: Mapped[str] = mapped_column(String(2))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(30))  # nemt.domain.documents.KINDS
    statements: Mapped[list] = mapped_column(JSON, default=list)  # a certification's (the needs vocabulary)
    # A verification form's destination: the directory's medical provider, or a place's name and ZIP code.
    destination_provider_id: Mapped[int | None] = mapped_column(ForeignKey("medical_providers.id"), default=None)
    destination_name: Mapped[str] = mapped_column(String(200), default="")
    destination_zip: Mapped[str] = mapped_column(String(10), default="")
    recurring: Mapped[bool | None] = mapped_column(Boolean, default=None)
    appointment_on: Mapped[dt.date | None] = mapped_column(Date, default=None)  # a form for one appointment
    covers: Mapped[list] = mapped_column(JSON, default=list)  # a prior authorization's modes and/or "out-of-state"
    authorization_number: Mapped[str] = mapped_column(String(40), default="")
    signed_by: Mapped[str] = mapped_column(String(200))  # who signed (for an authorization: who authorized)
    signed_on: Mapped[dt.date] = mapped_column(Date)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_through: Mapped[dt.date | None] = mapped_column(Date, default=None)  # None: no end date
    file: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only when the file is asked for
    file_type: Mapped[str] = mapped_column(String(40))  # application/pdf, image/png, image/jpeg
    file_bytes: Mapped[int] = mapped_column(Integer)
    file_sha256: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_member_documents_member_kind", "member_id", "kind"),)
