"""The trip log (append-only events) and claims: lines, billed legs, batches, remittances."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nemt.store.models import Base, new_key, utcnow


class TripLogEvent(Base):
    """The Standard Trip Log as append-only events per leg (arrived, picked-up, dropped-off, no-show, …). A correction
    is a new event that supersedes fields of an earlier one; nothing is ever edited (triggers refuse it)."""

    __tablename__ = "trip_log_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("legs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column()
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Claim(Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    claim_number: Mapped[str] = mapped_column(String(30), unique=True)
    program: Mapped[str] = mapped_column(String(2))
    provider_id: Mapped[int] = mapped_column(ForeignKey("transport_providers.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    billing_medicaid_id: Mapped[str] = mapped_column(String(20))
    place_of_service: Mapped[str] = mapped_column(String(2))
    diagnosis: Mapped[str] = mapped_column(String(8))
    frequency: Mapped[str] = mapped_column(String(1), default="1")  # 1 original, 7 replacement, 8 void
    original_claim_number: Mapped[str | None] = mapped_column(String(30), default=None)
    status: Mapped[str] = mapped_column(String(20), default="ready")  # ready|review|exported|paid|denied|void…
    total_charge: Mapped[str] = mapped_column(String(20), default="0.00")  # Decimal as text: exact on both DBs
    paid_amount: Mapped[str | None] = mapped_column(String(20), default=None)
    edits: Mapped[list] = mapped_column(JSON, default=list)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("claim_batches.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    lines: Mapped[list[ClaimLine]] = relationship(back_populates="claim", cascade="all, delete-orphan",
                                                  order_by="ClaimLine.line_number")


class ClaimLine(Base):
    __tablename__ = "claim_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    line_number: Mapped[int] = mapped_column(Integer)
    leg_id: Mapped[int | None] = mapped_column(ForeignKey("legs.id"), default=None, index=True)
    hcpcs: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[list] = mapped_column(JSON, default=list)
    units: Mapped[int] = mapped_column(Integer)
    charge: Mapped[str] = mapped_column(String(20))
    service_date: Mapped[dt.date] = mapped_column(Date)
    rendering_npi: Mapped[str] = mapped_column(String(10))
    adjudication: Mapped[dict] = mapped_column(JSON, default=dict)

    claim: Mapped[Claim] = relationship(back_populates="lines")


class BilledLeg(Base):
    """One row per leg ever billed in an original claim: the unique key is what makes billing a leg twice
    impossible, even from two processes at once."""

    __tablename__ = "billed_legs"

    leg_id: Mapped[int] = mapped_column(ForeignKey("legs.id"), primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))


class ClaimBatch(Base):
    __tablename__ = "claim_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(10))
    interchange_control_number: Mapped[int | None] = mapped_column(Integer, unique=True, default=None)
    group_control_number: Mapped[int | None] = mapped_column(Integer, default=None)
    sha256: Mapped[str] = mapped_column(String(64))
    claims: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Remittance(Base):
    __tablename__ = "remittances"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    payer: Mapped[str] = mapped_column(String(100), default="")
    check_number: Mapped[str] = mapped_column(String(50), default="")
    paid_total: Mapped[str] = mapped_column(String(20), default="0.00")
    claims: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
