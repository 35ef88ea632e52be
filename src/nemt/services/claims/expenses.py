"""Meals and lodging with their receipts (issue 17, point 2; Health First Colorado NEMT Billing Manual — Ancillary
Services: Meals/Lodging).

- :func:`record_expense` — one receipt of a trip: meals or lodging, for the member or one of the trip's escorts, the
  date, the amount actually charged, out of state or not, part of an inpatient stay or not, and the receipt (a PDF,
  PNG or JPEG kept in the database, never in a URL or a log). Recorded by the trip's provider administrator, or by
  the broker's agents (members ask the SDE for out-of-state travel: Train, Air and Out-of-State Travel). Impossible
  entries are refused naming the field and the rule; the rules the claims apply (:func:`nemt.billing.claim_rules.
  ancillary_exclusion`: not charged, an escort's for a member who is neither a child nor an at-risk adult, out of
  state as part of an inpatient stay) refuse them here with the same words.
- :func:`billing_entries` — the provider's expenses as the pure rules' :class:`AncillaryEntry` values: the claims are
  built from them by the same ``build_claims`` as ``nemt bill`` (per diem up to the amount charged, one unit per day
  and person, escorts only for a child or an at-risk adult).
- :func:`trip_expenses` and :func:`expense_receipt` read them back; every read and change is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nemt.billing import claim_rules
from nemt.billing.trip_log import AncillaryEntry
from nemt.billing.trip_log import Member as BillingMember
from nemt.domain.actors import Actor, Role
from nemt.policy import Policy, load_policy
from nemt.services.platform import audit
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.files import FILE_TYPES, media_type_of
from nemt.services.platform.permissions import Action, require
from nemt.store.expense_models import Expense
from nemt.store.models import Trip

__all__ = ["ExpenseIn", "ExpenseView", "MAX_AMOUNT", "RECEIPT_TYPES", "billing_entries", "expense_receipt",
           "record_expense", "trip_expenses"]

# An operational bound, not the manual's: one day's meals or one night's lodging above it is a typing mistake (the
# per diem paid is far lower; the rest of a receipt is never paid anyway).
MAX_AMOUNT = Decimal("1000.00")
RECEIPT_TYPES = FILE_TYPES  # the accepted types, checked by their first bytes (nemt.services.platform.files)
_SECTION = "Ancillary Services: Meals/Lodging"
_ENTRY_PREFIX = "expense-"


class ExpenseIn(BaseModel):
    """One meals or lodging receipt of a trip (the form fields of ``POST /api/v1/trips/{key}/expenses``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: Literal["lodging", "meals"] = Field(description="meals (one day's) or lodging (one night's)")
    person: Literal["member", "escort"] = Field(default="member", alias="for",
                                                description="whose meals or lodging: the member or an escort")
    escort_number: int | None = Field(default=None, ge=1, le=9,
                                      description="which of the trip's escorts (1, 2); only for an escort")
    service_date: dt.date = Field(description="the day of the meals, or the night of the lodging")
    amount: Decimal = Field(description="the amount actually charged, in dollars (the receipt's total)")
    out_of_state: bool = Field(default=False, description="incurred for authorized out-of-state treatment")
    inpatient_stay: bool = Field(default=False, description="part of an inpatient stay")


@dataclass(frozen=True)
class ExpenseView:
    """An expense as the interfaces show it (no member data: the trip is named by its key)."""

    key: str
    trip: str
    kind: str
    person: str
    escort_number: int | None
    service_date: dt.date
    amount: str
    out_of_state: bool
    inpatient_stay: bool
    receipt_type: str
    receipt_bytes: int
    recorded_at: dt.datetime
    claim_number: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "trip": self.trip, "kind": self.kind, "for": self.person,
                "escort_number": self.escort_number, "service_date": self.service_date.isoformat(),
                "amount": self.amount, "out_of_state": self.out_of_state, "inpatient_stay": self.inpatient_stay,
                "receipt_type": self.receipt_type, "receipt_bytes": self.receipt_bytes,
                "recorded_at": self.recorded_at.isoformat(), "claim_number": self.claim_number}


def _view(row: Expense, claim_number: str | None) -> ExpenseView:
    return ExpenseView(row.key, row.trip.key, row.kind, row.person, row.escort_number, row.service_date, row.amount,
                       row.out_of_state, row.inpatient_stay, row.receipt_type, row.receipt_bytes, row.recorded_at,
                       claim_number)


def _trip(uow: Any, actor: Actor, trip_key: str) -> Trip:
    trip = uow.rides.visible_trip(actor, trip_key)
    if trip is None:
        raise NotFound("no such trip", field="trip", rule="trips by key")
    return trip


def _provider_id(uow: Any, actor: Actor, trip: Trip) -> int:
    """The transportation provider the expense is billed by: the trip's (for a provider administrator, their own)."""
    providers = [leg.provider_id for leg in trip.legs if leg.provider_id is not None]
    if actor.role == Role.PROVIDER_ADMIN and not actor.is_system:
        own = uow.claims.provider_of_organization(actor.organization_id)
        providers = [p for p in providers if own is not None and p == own.id]
    if not providers:
        raise InvalidInput("the trip has no transportation provider yet: meals and lodging are billed by the trip's "
                           "provider", field="trip", rule="claims are per billing provider")
    return providers[0]


def _amount(value: Decimal) -> Decimal:
    try:
        ok = value.is_finite() and value > 0 and value == value.quantize(Decimal("0.01"))
    except InvalidOperation:
        ok = False
    if not ok:
        raise InvalidInput("must be a positive amount in dollars and cents: only what the person was actually charged "
                           "is reimbursed", field="amount", rule=_SECTION)
    if value > MAX_AMOUNT:
        raise InvalidInput(f"is over ${MAX_AMOUNT:,.0f}, more than one day's meals or one night's lodging: check the "
                           "receipt", field="amount", rule="expense amount bound (operational)")
    return value


def _travel(trip: Trip) -> tuple[dt.date, dt.date]:
    days = [leg.service_date for leg in trip.legs] or [trip.service_date]
    return min(days), max(days)


def _check_dates(trip: Trip, command: ExpenseIn, today: dt.date, policy: Policy) -> None:
    first, last = _travel(trip)
    if not first <= command.service_date <= last:
        raise InvalidInput(f"is outside the trip's travel ({first.isoformat()} to {last.isoformat()}): meals and "
                           "lodging belong to the days of the trip", field="service_date", rule=policy.cite(_SECTION))
    if command.service_date > today:
        raise InvalidInput("is in the future: a receipt is recorded once the person was charged",
                           field="service_date", rule=policy.cite(_SECTION))
    if command.out_of_state and trip.destination_state == policy.state:
        raise InvalidInput(f"the trip's destination is in {policy.state}: out-of-state meals and lodging are for "
                           "authorized out-of-state treatment", field="out_of_state", rule=policy.cite(_SECTION))
    if not command.out_of_state and first == last:
        raise InvalidInput("the trip's travel is completed in one calendar day: in-state meals and lodging are covered "
                           "only when travel cannot be completed in one calendar day", field="service_date",
                           rule=policy.cite(_SECTION))


def _check_escort(trip: Trip, command: ExpenseIn, policy: Policy) -> None:
    if command.person == "member":
        if command.escort_number is not None:
            raise InvalidInput("is only given for an escort's meals or lodging", field="escort_number",
                               rule=policy.cite(_SECTION))
        return
    if trip.escorts < 1:
        raise InvalidInput("the trip carries no escort", field="for", rule=policy.cite("Ancillary Services: Escort"))
    if command.escort_number is None or command.escort_number > trip.escorts:
        raise InvalidInput(f"name which of the trip's {trip.escorts} escort(s) it is for (1 to {trip.escorts})",
                           field="escort_number", rule=policy.cite(_SECTION))


def _entry(row: Expense, member: Any, npi: str) -> AncillaryEntry:
    """An expense as the pure rules' meals/lodging entry (an escort is told apart by its number, never its name)."""
    return AncillaryEntry(
        entry_id=f"{_ENTRY_PREFIX}{row.key}", date_of_service=row.service_date, kind=row.kind, person=row.person,
        member=BillingMember(member.medicaid_id, f"{member.first_name} {member.last_name}".strip(),
                             member.birth_date, bool(member.at_risk_adult)),
        charged=Decimal(row.amount) > 0, rendering_provider_npi=npi,
        escort_name=f"escort {row.escort_number}" if row.person == "escort" else None,
        amount=Decimal(row.amount), out_of_state=row.out_of_state, inpatient_stay=row.inpatient_stay)


def _receipt_type(receipt: bytes) -> str:
    return media_type_of(receipt, field="receipt", what="the receipt",
                         rule="meals and lodging are reimbursed on the receipt of what was charged")


def record_expense(uow: Any, actor: Actor, trip_key: str, command: ExpenseIn, receipt: bytes,
                   now: dt.datetime) -> ExpenseView:
    """Record one meals or lodging receipt of a trip (see the module's docstring); all of it or nothing."""
    require(actor, Action.EXPENSE_RECORD)
    trip = _trip(uow, actor, trip_key)
    policy = load_policy(trip.program)
    if not policy.has("ancillary"):
        raise InvalidInput("the program bills no meals or lodging", field="trip", rule=policy.cite("program"))
    if trip.status == "cancelled":
        raise InvalidInput("the trip was cancelled: there is no travel to pay meals or lodging for", field="trip",
                           rule=policy.cite("Exclusions"))
    amount = _amount(command.amount)
    _check_dates(trip, command, now.astimezone(policy.time_zone).date(), policy)
    _check_escort(trip, command, policy)
    media_type = _receipt_type(receipt)
    provider_id = _provider_id(uow, actor, trip)
    row = Expense(program=trip.program, trip_id=trip.id, member_id=trip.member_id, provider_id=provider_id,
                  kind=command.kind, person=command.person, escort_number=command.escort_number,
                  service_date=command.service_date, amount=str(amount), out_of_state=command.out_of_state,
                  inpatient_stay=command.inpatient_stay, receipt=receipt, receipt_type=media_type,
                  receipt_bytes=len(receipt), receipt_sha256=hashlib.sha256(receipt).hexdigest(),
                  recorded_by=actor.user_id, recorded_at=now)
    reason = claim_rules.ancillary_exclusion(_entry(row, trip.member, ""), policy)
    if reason is not None:
        field = "inpatient_stay" if reason == "meals-lodging-inpatient-stay" else "for"
        raise InvalidInput(claim_rules.edit_message(reason), field=field, rule=policy.cite(_SECTION))
    row.trip = trip
    uow.expenses.add(row)
    audit.record(uow, actor, "create", "expense", trip.member_id, expense=row.key, trip=trip.key, kind=row.kind,
                 person=row.person, service_date=row.service_date.isoformat(), amount=row.amount,
                 receipt_sha256=row.receipt_sha256)
    uow.commit()
    return _view(row, None)


def trip_expenses(uow: Any, actor: Actor, trip_key: str) -> list[ExpenseView]:
    """A trip's expenses with the claim each is billed on (one audit event: the member's expenses were read)."""
    require(actor, Action.EXPENSE_READ)
    trip = _trip(uow, actor, trip_key)
    rows = uow.expenses.of_trip(trip.id)
    claims = uow.expenses.claim_numbers([r.id for r in rows])
    audit.record(uow, actor, "read", "expense", trip.member_id, trip=trip.key, expenses=len(rows))
    uow.commit()
    return [_view(r, claims.get(r.id)) for r in rows]


def expense_receipt(uow: Any, actor: Actor, expense_key: str) -> tuple[bytes, str]:
    """The receipt of an expense the actor may see: its bytes and media type (the read is audited)."""
    require(actor, Action.EXPENSE_READ)
    row = uow.expenses.visible(actor, expense_key, with_receipt=True)
    if row is None:
        raise NotFound("no such expense", field="expense", rule="expenses by key")
    content, media_type = bytes(row.receipt), row.receipt_type
    audit.record(uow, actor, "read", "expense-receipt", row.member_id, expense=row.key)
    uow.commit()
    return content, media_type


def billing_entries(uow: Any, provider_id: int, npi: str, first: dt.date,
                    last: dt.date) -> list[tuple[Expense, AncillaryEntry]]:
    """The provider's expenses dated ``first`` to ``last`` (billed or not) with their meals/lodging entries, in
    date and recording order (the order the one-unit-per-day rule takes them in)."""
    return [(row, _entry(row, row.trip.member, npi)) for row in uow.expenses.for_billing(provider_id, first, last)]
