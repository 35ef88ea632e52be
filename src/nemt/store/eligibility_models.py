"""Eligibility with the payer (migration ``0019_eligibility_edi``): each 270 inquiry we send and the payer's 271
answer to it, by member and date of service.

A row is written when the 270 is written (``status`` ``sent``) and completed when the 271 with its trace number is
read (``answered``: ``active`` and the plans the payer reported active on the date; ``rejected``: the payer could
not answer, ``reasons`` in words; ``incomplete``: active coverage in no named plan, not used by booking). The
booking decision reads the newest answered row for the member and date
(:func:`nemt.services.members.eligibility_edi.payer_coverage`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from nemt.store.models import Base, utcnow


class EligibilityCheck(Base):
    __tablename__ = "eligibility_checks"
    __table_args__ = (Index("ix_eligibility_checks_member_day", "member_id", "date_of_service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trace: Mapped[str] = mapped_column(String(50), unique=True)  # TRN02 of the 270, carried back by the 271
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    program: Mapped[str] = mapped_column(String(2))
    date_of_service: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="sent")  # sent | answered | rejected | incomplete
    interchange_control_number: Mapped[int] = mapped_column()
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    answered_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    active: Mapped[bool | None] = mapped_column(Boolean, default=None)  # a plan covering NEMT on the date
    plans: Mapped[list] = mapped_column(JSON, default=list)  # the plans the payer reported active on the date
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # the payer's reject reasons, in words
    response_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
