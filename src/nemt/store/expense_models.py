"""Meals and lodging expenses with their receipts (migration ``0018_expenses``; Health First Colorado NEMT Billing
Manual — Ancillary Services: Meals/Lodging).

- :class:`Expense` — one meals or lodging receipt of a trip: for the member or one of its escorts, the date, the
  amount actually charged (``Decimal`` as text), whether it was out of state and part of an inpatient stay, and the
  receipt itself (PDF, PNG or JPEG bytes, with its type, size and SHA-256) kept in the database like the drawn
  signatures of the trip evidence — never in a URL, a file path or a log line.
- :class:`BilledExpense` — one row per expense ever billed in an original claim: as ``billed_legs`` for legs, the
  primary key makes billing an expense twice impossible, even from two builders at once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nemt.store.models import Base, new_key, utcnow
from nemt.store.ride_models import Trip

EXPENSE_TABLES = ("expenses", "billed_expenses")


class Expense(Base):
    __tablename__ = "expenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    program: Mapped[str] = mapped_column(String(2))
    trip_id: Mapped[int] = mapped_column(ForeignKey("trips.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("transport_providers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # nemt.billing.trip_log.ANCILLARY_KINDS: lodging | meals
    person: Mapped[str] = mapped_column(String(10))  # ANCILLARY_PERSONS: member | escort
    escort_number: Mapped[int | None] = mapped_column(Integer, default=None)  # 1, 2: which of the trip's escorts
    service_date: Mapped[dt.date] = mapped_column(Date, index=True)
    amount: Mapped[str] = mapped_column(String(20))  # Decimal as text: exact on both databases
    out_of_state: Mapped[bool] = mapped_column(Boolean, default=False)
    inpatient_stay: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only when the receipt is asked for
    receipt_type: Mapped[str] = mapped_column(String(40))  # application/pdf, image/png, image/jpeg
    receipt_bytes: Mapped[int] = mapped_column(Integer)
    receipt_sha256: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    trip: Mapped[Trip] = relationship()


class BilledExpense(Base):
    __tablename__ = "billed_expenses"

    expense_id: Mapped[int] = mapped_column(ForeignKey("expenses.id"), primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
