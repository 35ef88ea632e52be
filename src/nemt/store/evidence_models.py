"""The evidence of verified trips, append-only beside the trip log (migration ``0010_trip_evidence``).

Standard Forms Required (Health First Colorado NEMT Billing Manual) asks the trip log for "confirmation by the
member, escort or medical facility that the trip occurred"; GAO-22-105447 names trip logs and GPS data as the
controls that catch trips that never happened. So, with each arrive / pick-up / drop-off event:

- :class:`TripEventEvidence` — the phone's position and the time of its fix (or why there is none: refused by the
  driver, unavailable on the device) and the odometer reading;
- :class:`TripAttestation` — at pick-up or drop-off, who attested (member, escort, medical facility) and how: a drawn
  signature (PNG bytes) or the member's trip PIN (only whether it matched is kept — wrong tries too, as evidence);
- :class:`MemberTripPin` — the hash of the PIN a member holds (the newest row is the current PIN).

Nothing here is ever edited or deleted: triggers refuse UPDATE and DELETE, as on the trip log and the audit trail.
Positions and signatures are member data: they never go into a URL or a log line.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nemt.store.claim_models import TripLogEvent
from nemt.store.models import Base, utcnow

EVIDENCE_TABLES = ("trip_event_evidence", "trip_attestations", "member_trip_pins")


class TripEventEvidence(Base):
    """The phone's position and the odometer at one trip-log event. ``position_status``: ``recorded`` (latitude and
    longitude given), ``refused`` (the driver or the browser denied the position), ``unavailable`` (no position
    on the device, or none in time)."""

    __tablename__ = "trip_event_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("trip_log_events.id"), unique=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("legs.id"), index=True)
    position_status: Mapped[str] = mapped_column(String(12))
    latitude: Mapped[float | None] = mapped_column(default=None)
    longitude: Mapped[float | None] = mapped_column(default=None)
    accuracy_m: Mapped[float | None] = mapped_column(default=None)
    position_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    odometer: Mapped[float | None] = mapped_column(default=None)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    event: Mapped[TripLogEvent] = relationship()


class TripAttestation(Base):
    """Who attested a trip on the driver's screen, and how: ``method`` is ``signature`` (``signature_png`` holds the
    drawn image) or ``pin`` (``pin_ok`` says whether the member's PIN matched; the PIN itself is never stored)."""

    __tablename__ = "trip_attestations"

    id: Mapped[int] = mapped_column(primary_key=True)
    leg_id: Mapped[int] = mapped_column(ForeignKey("legs.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("trip_log_events.id"), default=None)
    attested_by: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(10))
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    pin_ok: Mapped[bool | None] = mapped_column(Boolean, default=None)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    event: Mapped[TripLogEvent | None] = relationship()


class MemberTripPin(Base):
    """The salted hash of the trip PIN a member holds (scrypt; :mod:`nemt.services.trips.evidence`). Issued by the
    call center or an administrator and told to the member once; a new PIN is a new row (the newest one counts)."""

    __tablename__ = "member_trip_pins"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
