"""The trip log (append-only events) and claims: lines, billed legs, batches, remittances."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nemt.billing.payers import PayerPath
from nemt.domain.statuses import ClaimStatus
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

    # One event of each kind per leg; corrections may repeat (migration 0005_one_event_each).
    __table_args__ = (Index("uq_trip_log_one_event_each", "leg_id", "kind", unique=True,
                            postgresql_where=text("kind <> 'correction'"), sqlite_where=text("kind <> 'correction'")),)


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
    # One of nemt.domain.statuses.ClaimStatus (the one vocabulary of claim statuses).
    status: Mapped[str] = mapped_column(String(20), default=ClaimStatus.READY, index=True)
    total_charge: Mapped[str] = mapped_column(String(20), default="0.00")  # Decimal as text: exact on both DBs
    paid_amount: Mapped[str | None] = mapped_column(String(20), default=None)
    edits: Mapped[list] = mapped_column(JSON, default=list)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("claim_batches.id"), default=None)
    # From the 835 (migration 0004_claims): the payer's claim control number (CLP07), which a later replacement or
    # void refers to (REF*F8), and the claim-level adjudication (status code, adjustments with reason codes).
    payer_claim_number: Mapped[str | None] = mapped_column(String(50), default=None)
    # Who pays it (migration 0009_claim_payer): nemt.billing.payers.PayerPath — the Department, or the State
    # Contracted Broker inside the broker service area ("Payment for Covered Services"). Set at build from the
    # member's county and kept by replacements and voids; the 837P of one payer never carries another's claim.
    payer: Mapped[str] = mapped_column(String(20), default=PayerPath.DEPARTMENT,
                                       server_default=PayerPath.DEPARTMENT.value, index=True)
    adjudication: Mapped[dict | None] = mapped_column(JSON, default=dict)
    # The payer's front end on this claim (migration 0012_acknowledgments), from a 277CA: "accepted" (taken into
    # adjudication) or "rejected" (returned: correct and send again), with the category, status code and file.
    front_end: Mapped[str | None] = mapped_column(String(10), default=None)
    front_end_detail: Mapped[dict | None] = mapped_column(JSON, default=None)
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
    # What the receiver's 999 (or TA1) said of the batch (migration 0012_acknowledgments): "accepted",
    # "partially-accepted" or "rejected", with the segments in error.
    ack_status: Mapped[str | None] = mapped_column(String(20), default=None)
    ack_detail: Mapped[dict | None] = mapped_column(JSON, default=None)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Remittance(Base):
    __tablename__ = "remittances"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    payer: Mapped[str] = mapped_column(String(100), default="")
    check_number: Mapped[str] = mapped_column(String(50), default="")
    paid_total: Mapped[str] = mapped_column(String(20), default="0.00")
    claims: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Acknowledgment(Base):
    """One acknowledgment file read (999, TA1 or 277CA; migration 0012_acknowledgments): the same file twice changes
    nothing (``sha256`` is unique)."""

    __tablename__ = "acknowledgments"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BillingProfile(Base):
    """What a provider's 837P and CMS-1500 need beyond its enrolment (migration 0004_claims): the billing
    provider's taxonomy, pay-to address and tax ID (837P loop 2010AA; CMS 1500 fields 25, 33) and the submitter
    (loop 1000A: ETIN, contact). One per transportation provider."""

    __tablename__ = "billing_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("transport_providers.id"), unique=True)
    taxonomy: Mapped[str] = mapped_column(String(10), default="343900000X")
    address_line: Mapped[str] = mapped_column(String(55))
    city: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    tax_id: Mapped[str] = mapped_column(String(9))
    phone: Mapped[str] = mapped_column(String(20), default="")
    submitter_id: Mapped[str] = mapped_column(String(15))
    submitter_name: Mapped[str] = mapped_column(String(60))
    contact_name: Mapped[str] = mapped_column(String(60))
