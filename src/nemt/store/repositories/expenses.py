"""Meals and lodging expenses (``expenses``) and which of them an original claim billed (``billed_expenses``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload, undefer

from nemt.domain.actors import Actor
from nemt.store import visibility
from nemt.store.claim_models import Claim
from nemt.store.expense_models import BilledExpense, Expense
from nemt.store.repositories.base import Repository, chunked
from nemt.store.ride_models import Trip


class ExpenseRepository(Repository):
    def add(self, row: Expense) -> Expense:
        """Add one expense and flush (its key and id are set); the unit of work commits."""
        self.session.add(row)
        self.session.flush()
        return row

    def of_trip(self, trip_id: int) -> list[Expense]:
        """A trip's expenses by date, then recording order (the receipts' bytes are not read)."""
        return list(self.session.scalars(select(Expense).where(Expense.trip_id == trip_id)
                                         .order_by(Expense.service_date, Expense.id)))

    def visible(self, actor: Actor, key: str, *, with_receipt: bool = False) -> Expense | None:
        """An expense by key, if the actor may see its trip (``with_receipt``: its bytes read at once)."""
        query = select(Expense).join(Trip, Trip.id == Expense.trip_id).where(Expense.key == key)
        condition = visibility.trips(actor)
        if condition is not None:
            query = query.where(condition)
        if with_receipt:
            query = query.options(undefer(Expense.receipt))
        return self.session.scalar(query)

    def for_billing(self, provider_id: int, first: dt.date, last: dt.date) -> list[Expense]:
        """The provider's expenses dated ``first`` to ``last`` (billed or not), with their trip and member."""
        return list(self.session.scalars(
            select(Expense).where(Expense.provider_id == provider_id, Expense.service_date >= first,
                                  Expense.service_date <= last)
            .options(selectinload(Expense.trip).selectinload(Trip.member))
            .order_by(Expense.service_date, Expense.id)))

    def billed(self, expense_ids: Collection[int]) -> set[int]:
        """Which of the expenses an original claim already billed."""
        out: set[int] = set()
        for chunk in chunked(expense_ids):
            out.update(self.session.scalars(select(BilledExpense.expense_id)
                                            .where(BilledExpense.expense_id.in_(chunk))))
        return out

    def mark_billed(self, expense_ids: Iterable[int], claim_id: int) -> None:
        """Record the expenses as billed by the claim; the primary key refuses an expense billed already (at the
        flush, or at the commit when another builder's row is not visible yet)."""
        self.session.add_all(BilledExpense(expense_id=i, claim_id=claim_id) for i in expense_ids)
        self.session.flush()

    def claim_numbers(self, expense_ids: Collection[int]) -> dict[int, str]:
        """The claim number of each billed expense."""
        out: dict[int, str] = {}
        for chunk in chunked(expense_ids):
            rows = self.session.execute(select(BilledExpense.expense_id, Claim.claim_number)
                                        .join(Claim, Claim.id == BilledExpense.claim_id)
                                        .where(BilledExpense.expense_id.in_(chunk)))
            out.update({int(i): str(n) for i, n in rows})
        return out

    def billed_on(self, claim_id: int) -> set[int]:
        """The expenses the claim bills (an original claim, or the replacement they moved to)."""
        return set(self.session.scalars(select(BilledExpense.expense_id).where(BilledExpense.claim_id == claim_id)))

    def move_billed(self, from_claim_id: int, to_claim_id: int) -> None:
        """A replacement (frequency 7) bills its original's expenses from now on: the claim each is billed on is the
        replacement (the expenses stay billed once)."""
        self.session.execute(update(BilledExpense).where(BilledExpense.claim_id == from_claim_id)
                             .values(claim_id=to_claim_id))
