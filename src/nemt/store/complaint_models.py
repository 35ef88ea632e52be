"""Complaints and grievances (migration ``0017_complaints``): the complaint, its investigation notes (append-only:
triggers refuse UPDATE and DELETE, as on the trip log) and the notice the member gets when it is resolved."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nemt.store.models import Base, Member, new_key, utcnow
from nemt.store.ride_models import Trip

COMPLAINT_TABLES = ("complaints", "complaint_notes", "complaint_notices")


class Complaint(Base):
    """A complaint or grievance: what it is about, who reported it, the trip (and leg) and transportation provider it
    concerns when there is one, its status, due day, finding and resolution."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # "CO-C000012": said on the telephone
    program: Mapped[str] = mapped_column(String(2))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), default=None, index=True)
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id"), default=None, index=True)
    leg_id: Mapped[int | None] = mapped_column(ForeignKey("legs.id"), default=None)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("transport_providers.id"), default=None, index=True)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(24))
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    filed_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), default=None, index=True)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    received_on: Mapped[dt.date] = mapped_column(Date)  # the program's local date of receipt
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    finding: Mapped[str | None] = mapped_column(String(20), default=None)
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    resolved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)  # two investigators at once: one step wins

    member: Mapped[Member | None] = relationship(viewonly=True)
    trip: Mapped[Trip | None] = relationship(viewonly=True)
    notes: Mapped[list[ComplaintNote]] = relationship(order_by="ComplaintNote.id", viewonly=True)
    notices: Mapped[list[ComplaintNotice]] = relationship(order_by="ComplaintNotice.id", viewonly=True)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_complaints_program_received", "program", "received_on"),)


class ComplaintNote(Base):
    """One investigation note: who wrote it and when. Never edited or deleted."""

    __tablename__ = "complaint_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    author: Mapped[str] = mapped_column(String(100))  # the user name at the time
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ComplaintNotice(Base):
    """The notice to the member when their complaint is resolved: the finding and the resolution in words."""

    __tablename__ = "complaint_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
