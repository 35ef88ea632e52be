"""Rides: standing orders, trips and their one-way legs, notices to members, vehicle runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nemt.store.models import Base, Member, new_key, utcnow


class StandingOrder(Base):
    """Recurring appointments (dialysis three times a week for three months): trips are made from it."""

    __tablename__ = "standing_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    program: Mapped[str] = mapped_column(String(2))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    weekdays: Mapped[list] = mapped_column(JSON)  # 0 = Monday
    appointment_time: Mapped[str] = mapped_column(String(5))  # local "HH:MM"
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    request: Mapped[dict] = mapped_column(JSON)  # the ride request every occurrence repeats
    # The same standing order sent twice (a retry) makes one order: client Idempotency-Key or a content hash.
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True, default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Trip(Base):
    """A ride request and its decision. Its legs (one-way, or two for a round trip) are what gets scheduled."""

    __tablename__ = "trips"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    confirmation: Mapped[str] = mapped_column(String(20), unique=True)
    # Same request twice (a retry, two agents at once) -> one trip: the key is unique.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # One active trip per member, appointment, destination and direction, whatever key each caller sent: the hash
    # a booking without a key is keyed by (migration 0005_one_event_each; unique among active trips).
    content_key: Mapped[str | None] = mapped_column(String(64), default=None)
    program: Mapped[str] = mapped_column(String(2), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    standing_order_id: Mapped[int | None] = mapped_column(ForeignKey("standing_orders.id"), default=None)
    requested_by: Mapped[str] = mapped_column(String(20))
    booked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    booked_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), default=None, index=True)
    requested_at: Mapped[dt.datetime] = mapped_column()
    appointment_at: Mapped[dt.datetime] = mapped_column(index=True)
    service_date: Mapped[dt.date] = mapped_column(Date, index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    pickup_address: Mapped[str] = mapped_column(String(300))
    pickup_zip: Mapped[str] = mapped_column(String(10))
    destination_provider_id: Mapped[int | None] = mapped_column(ForeignKey("medical_providers.id"), default=None)
    destination_name: Mapped[str] = mapped_column(String(200))
    destination_address: Mapped[str] = mapped_column(String(300))
    destination_zip: Mapped[str] = mapped_column(String(10))
    destination_county: Mapped[str] = mapped_column(String(100))
    destination_state: Mapped[str] = mapped_column(String(2))
    miles: Mapped[float] = mapped_column(default=0.0)
    requested_mode: Mapped[str] = mapped_column(String(30))
    mode: Mapped[str | None] = mapped_column(String(30), default=None)
    outcome: Mapped[str] = mapped_column(String(10))
    arranged_by: Mapped[str] = mapped_column(String(30))
    reason_codes: Mapped[list] = mapped_column(JSON, default=list)
    decision: Mapped[dict] = mapped_column(JSON, default=dict)
    request: Mapped[dict] = mapped_column(JSON, default=dict)  # the decision input, for audits and re-decisions
    round_trip: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    space: Mapped[str] = mapped_column(String(12), default="seat")  # seat | wheelchair | stretcher
    escorts: Mapped[int] = mapped_column(Integer, default=0)
    passengers: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | cancelled
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    # What the driver should know (gate code, which door, "call on arrival"); never shown in a URL (0022_member_search).
    driver_notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    member: Mapped[Member] = relationship()
    legs: Mapped[list[Leg]] = relationship(back_populates="trip", order_by="Leg.sequence",
                                           cascade="all, delete-orphan")

    __table_args__ = (Index("uq_trips_active_content_key", "content_key", unique=True,
                            postgresql_where=text("status = 'active'"), sqlite_where=text("status = 'active'")),)


class Leg(Base):
    """One one-way leg: the unit scheduled on a vehicle run, logged by the driver and billed."""

    __tablename__ = "legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trips.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)  # 1 = to the appointment, 2 = the return
    service_date: Mapped[dt.date] = mapped_column(Date, index=True)
    origin_address: Mapped[str] = mapped_column(String(300))
    origin_zip: Mapped[str] = mapped_column(String(10))
    destination_address: Mapped[str] = mapped_column(String(300))
    destination_zip: Mapped[str] = mapped_column(String(10))
    # Requested times: pick up no earlier than / arrive no later than (either may be open).
    pickup_earliest: Mapped[dt.datetime | None] = mapped_column(default=None)
    dropoff_latest: Mapped[dt.datetime | None] = mapped_column(default=None)
    miles: Mapped[float] = mapped_column(default=0.0)
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("transport_providers.id"), default=None, index=True)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"), default=None, index=True)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id"), default=None, index=True)
    planned_pickup: Mapped[dt.datetime | None] = mapped_column(default=None)
    planned_dropoff: Mapped[dt.datetime | None] = mapped_column(default=None)
    run_position: Mapped[int | None] = mapped_column(Integer, default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)  # optimistic lock for assignment
    # A return the member calls for when ready: ``pickup_earliest`` is only the earliest guess until the call
    # (``services.dispatch.events.will_call_ready``); migration 0022_member_search.
    will_call: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    trip: Mapped[Trip] = relationship(back_populates="legs")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("trip_id", "sequence", name="uq_leg_sequence"),)


class Notice(Base):
    """A notice to the member: a denial (or pending item) with the reason, the rule and how to appeal."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trips.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # denied | pending
    reasons: Mapped[list] = mapped_column(JSON)  # [{code, message, citation}]
    appeal: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class VehicleRun(Base):
    """A vehicle's run for one day: the ordered stops with times. Every change to the legs on a vehicle's day goes
    through this row and bumps its version, so two dispatchers acting at once cannot both write the same vehicle's
    day: the second gets a conflict and re-plans (optimistic locking), never a double-booked vehicle."""

    __tablename__ = "vehicle_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"), index=True)
    service_date: Mapped[dt.date] = mapped_column(Date)
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id"), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    plan: Mapped[dict] = mapped_column(JSON, default=dict)  # ordered stops with times

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("vehicle_id", "service_date", name="uq_vehicle_run_day"),)
