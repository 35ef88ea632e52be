"""SQLAlchemy models. Tables mirror the domain: organizations and users, members and coverage, the audit trail.

Member rows are addressed from the outside only by ``Member.key`` (an opaque random token), never by the
Medicaid ID, so no URL carries protected health information.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from nemt import clock


def new_key() -> str:
    """Opaque identifier for URLs: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def utcnow() -> dt.datetime:
    """The platform clock (nemt.clock): every stored timestamp is written from it, never from the database's."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on every database. (SQLite keeps no offset: without this it would
    hand back naive values.) A naive datetime is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("datetimes stored must carry a UTC offset")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime()}


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    program: Mapped[str] = mapped_column(String(2), index=True)
    npi: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A deactivated organization's users cannot sign in (nemt.services.platform.organizations).
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    __table_args__ = (UniqueConstraint("program", "name", name="uq_org_program_name"),)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Log-in throttling (nemt.services.platform.auth): consecutive failed log-ins, and when the account was locked
    # for too many of them (an administrator lifts it).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The second factor (nemt.services.platform.totp, RFC 6238): the confirmed secret, one awaiting confirmation,
    # and the last time-step accepted (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_pending: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, default=None)

    organization: Mapped[Organization] = relationship(lazy="joined")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Only a SHA-256 of the token is stored; the token itself is shown once, at creation.
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Every token expires (NEMT_TOKEN_DAYS); its last use is written at most once a minute.
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(lazy="joined")


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    program: Mapped[str] = mapped_column(String(2))
    medicaid_id: Mapped[str] = mapped_column(String(20))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    # F, M or U (unknown): 837P DMG03 and CMS-1500 item 3 (migration 0009_claim_payer).
    sex: Mapped[str] = mapped_column(String(1), default="U", server_default="U")
    address_line: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    county: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30), default="")
    residence: Mapped[str] = mapped_column(String(20), default="home")
    facility_has_vehicle: Mapped[bool | None] = mapped_column(Boolean, default=None)
    has_other_transportation: Mapped[bool] = mapped_column(Boolean, default=False)
    at_risk_adult: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    coverage: Mapped[list[Coverage]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="Coverage.start"
    )
    needs: Mapped[list[MemberNeed]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="MemberNeed.need"
    )

    __table_args__ = (UniqueConstraint("program", "medicaid_id", name="uq_member_program_medicaid_id"),)

    @property
    def documented_needs(self) -> list[str]:
        return [n.need for n in self.needs]


class Coverage(Base):
    """A benefit plan span; ``start`` and ``end`` inclusive, ``end`` None = open-ended."""

    __tablename__ = "coverage"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    plan: Mapped[str] = mapped_column(String(40))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date, default=None)

    member: Mapped[Member] = relationship(back_populates="coverage")

    __table_args__ = (UniqueConstraint("member_id", "plan", "start", name="uq_coverage_span"),)


class MemberNeed(Base):
    """A written certification on file (e.g. ``wheelchair-confined``), with who certified it and when."""

    __tablename__ = "member_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    need: Mapped[str] = mapped_column(String(60))
    certified_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    certified_by: Mapped[str] = mapped_column(String(200), default="")

    member: Mapped[Member] = relationship(back_populates="needs")

    __table_args__ = (UniqueConstraint("member_id", "need", name="uq_member_need"),)


class EligibilityImport(Base):
    """One imported eligibility file, by content hash: importing the same file twice changes nothing."""

    __tablename__ = "eligibility_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    program: Mapped[str] = mapped_column(String(2))
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class AuditEvent(Base):
    """Append-only record of every read or change of member data: who, role, what, which member, when, and through
    what (``channel``: api, page, command or job; ``endpoint``: the route or command) — the accounting of disclosures.

    Database triggers refuse UPDATE and DELETE (the first migration) and TRUNCATE (``0007_audit_chain``); the
    application's database role may only SELECT and INSERT (``nemt db grant``). Each event is chained to the one
    before it: ``seq`` (1, 2, 3, … with no gap), the previous event's ``hash`` in ``prev_hash``, and its own ``hash``
    over its fields and ``prev_hash`` (:mod:`nemt.store.audit_chain`), so an edit, a deletion or a truncation by
    someone who can bypass the triggers is found by ``nemt audit verify`` (45 CFR 164.312(b), (c)(1)).
    """

    __tablename__ = "audit_events"
    # A user's reads over a window (the bulk-read throttle, ``AuditRepository.members_read_by``): 0007_audit_chain.
    __table_args__ = (Index("ix_audit_events_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(32))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), default=None)
    action: Mapped[str] = mapped_column(String(40))  # read, search, create, update, import, …
    entity: Mapped[str] = mapped_column(String(40))  # member, coverage, trip, claim, …
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), default=None, index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    channel: Mapped[str] = mapped_column(String(16), default="")  # api, page, command, job ("" before 0007)
    endpoint: Mapped[str] = mapped_column(String(120), default="")  # "GET /api/v1/members/{key}", "nemt audit …"
    seq: Mapped[int] = mapped_column(BigInteger, index=True, unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The last link of the audit chain (one row, ``id`` 1): its ``seq`` and ``hash``. Writers lock it at commit
    (:mod:`nemt.store.audit_chain`) so that concurrent transactions chain their events one after the other."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class ControlNumber(Base):
    """Counters that must never repeat (X12 interchange and group control numbers, confirmation numbers)."""

    __tablename__ = "control_numbers"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


# --- provider network --------------------------------------------------------------------------------------------


class TransportProvider(Base):
    """A transportation provider's enrolment: provider type 73, its specialty, the modes it is permitted for and the
    counties it serves. One per provider organization."""

    __tablename__ = "transport_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), unique=True)
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    provider_type: Mapped[str] = mapped_column(String(4), default="73")
    specialty: Mapped[str] = mapped_column(String(4))
    modes: Mapped[list] = mapped_column(JSON, default=list)
    service_counties: Mapped[list] = mapped_column(JSON, default=list)
    enrolled: Mapped[bool] = mapped_column(Boolean, default=True)

    organization: Mapped[Organization] = relationship(lazy="joined")


class Driver(Base):
    __tablename__ = "drivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    provider_id: Mapped[int] = mapped_column(ForeignKey("transport_providers.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    provider: Mapped[TransportProvider] = relationship()
    credentials: Mapped[list[CredentialRecord]] = relationship(
        primaryjoin="and_(CredentialRecord.owner_type == 'driver', foreign(CredentialRecord.owner_id) == Driver.id)",
        viewonly=True, lazy="selectin")

    __table_args__ = (UniqueConstraint("provider_id", "external_id", name="uq_driver_external_id"),)


class Vehicle(Base):
    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    provider_id: Mapped[int] = mapped_column(ForeignKey("transport_providers.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(40))
    vehicle_type: Mapped[str] = mapped_column(String(30))
    seats: Mapped[int] = mapped_column(Integer, default=0)
    wheelchair_positions: Mapped[int] = mapped_column(Integer, default=0)
    stretcher_positions: Mapped[int] = mapped_column(Integer, default=0)
    base_zip: Mapped[str] = mapped_column(String(10), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    provider: Mapped[TransportProvider] = relationship()
    credentials: Mapped[list[CredentialRecord]] = relationship(
        primaryjoin="and_(CredentialRecord.owner_type == 'vehicle', foreign(CredentialRecord.owner_id) == Vehicle.id)",
        viewonly=True, lazy="selectin")

    __table_args__ = (UniqueConstraint("provider_id", "external_id", name="uq_vehicle_external_id"),)


class CredentialRecord(Base):
    """A driver's or vehicle's credential with its expiry (licence, background check, training, inspection,
    insurance, permit — ``detail`` holds the permit type)."""

    __tablename__ = "credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(10))
    owner_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(String(60), default="")
    number: Mapped[str] = mapped_column(String(60), default="")
    issued_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, default=None)

    __table_args__ = (UniqueConstraint("owner_type", "owner_id", "kind", "detail", name="uq_credential"),)


class MedicalProvider(Base):
    """A destination: an enrolled medical provider or pharmacy, with the services it offers."""

    __tablename__ = "medical_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    program: Mapped[str] = mapped_column(String(2), index=True)
    npi: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    address_line: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(2))
    zip: Mapped[str] = mapped_column(String(10))
    county: Mapped[str] = mapped_column(String(100), default="")
    services: Mapped[list] = mapped_column(JSON, default=list)
    enrolled: Mapped[bool] = mapped_column(Boolean, default=True)
    accepting_members: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("program", "npi", name="uq_medical_provider_npi"),)


# The ride and claim tables live in their own modules; importing them here registers them with Base.metadata and
# keeps `from nemt.store.models import Trip` working.
from nemt.store.account_models import LoginAttempt, WebSession  # noqa: E402, F401 - re-exported
from nemt.store.admin_models import PasswordLink  # noqa: E402, F401 - re-exported
from nemt.store.case_models import ReviewCase, ReviewCaseNote  # noqa: E402, F401 - re-exported (issue 15)
from nemt.store.claim_models import (  # noqa: E402, F401 - re-exported; must follow Base and Member
    BilledLeg,
    Claim,
    ClaimBatch,
    ClaimLine,
    Remittance,
    TripLogEvent,
)
from nemt.store.complaint_models import Complaint, ComplaintNote, ComplaintNotice  # noqa: E402, F401 - re-exported
from nemt.store.dispatch_models import WillCall  # noqa: E402, F401 - re-exported
from nemt.store.document_models import MemberDocument  # noqa: E402, F401 - re-exported (documents on file)
from nemt.store.eligibility_models import EligibilityCheck  # noqa: E402, F401 - re-exported (270/271)
from nemt.store.evidence_models import (  # noqa: E402, F401 - re-exported; must follow TripLogEvent
    MemberTripPin,
    TripAttestation,
    TripEventEvidence,
)
from nemt.store.expense_models import BilledExpense, Expense  # noqa: E402, F401 - re-exported (meals/lodging)
from nemt.store.matrix_models import TravelMatrix  # noqa: E402, F401 - re-exported (issue 18)
from nemt.store.region_models import RegionDay, RegionPlan  # noqa: E402, F401 - re-exported (issue 18)
from nemt.store.ride_models import Leg, Notice, StandingOrder, Trip, VehicleRun  # noqa: E402, F401 - re-exported

__all__ = [name for name in dir() if not name.startswith("_")]
