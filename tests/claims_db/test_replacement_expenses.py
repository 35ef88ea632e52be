"""A replacement claim (frequency 7) carries its original's meals and lodging lines (Ancillary Services: Meals/Lodging;
CMS 1500 Paper Claim Reference Table, field 22), on both databases: its lines equal the original's — base rate,
mileage and expenses — and a replacement of the replacement still does."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from nemt.billing.x12_validate import validate_x12
from nemt.services import claims
from nemt.services.claims.expenses import ExpenseIn, record_expense, trip_expenses
from nemt.store.models import Claim
from tests.expenses.conftest import (
    DAY,
    NEXT_DAY,
    NOW,
    PDF,
    TODAY,
    trip,  # noqa: F401 - fixture
    world,  # noqa: F401 - fixture
)

EXPENSE_CODES = {"A0180", "A0190", "A0200", "A0210"}


def _record(w, **fields):
    values = {"kind": "meals", "service_date": DAY, "amount": Decimal("25.00"), **fields}
    with w.uow() as uow:
        return record_expense(uow, w.actor("provider"), w.trip_key, ExpenseIn(**values), PDF, NOW)


def _lines(w, claim_number):
    with w.uow() as uow:
        row = uow.session.scalar(select(Claim).where(Claim.claim_number == claim_number))
        return [(ln.hcpcs, tuple(ln.modifiers), ln.units, ln.charge, ln.service_date, ln.leg_id is None)
                for ln in sorted(row.lines, key=lambda ln: ln.line_number)], row.total_charge


def _claims_on_file(w, tmp_path, name):
    with w.uow() as uow:
        exported = claims.export_claims(uow, w.actor("provider"), fmt="837p", out=tmp_path / name)
    ok, messages = validate_x12((tmp_path / name).read_text())
    assert ok, messages
    return exported.claim_numbers


def test_replacement_carries_the_originals_meals_and_lodging(trip, tmp_path):  # noqa: F811 - the fixture
    _record(trip, kind="lodging", amount=Decimal("120.00"))  # over the per diem: billed at the per diem
    _record(trip, kind="meals", service_date=NEXT_DAY, amount=Decimal("18.75"))
    with trip.uow() as uow:
        built = claims.build_claims_for_provider(uow, trip.actor("provider"), None, (DAY, NEXT_DAY), today=TODAY)
    assert len(built.claims) == 1
    (original,) = _claims_on_file(trip, tmp_path, "original.837p")
    lines, total = _lines(trip, original)
    codes = [ln[0] for ln in lines]
    assert EXPENSE_CODES & set(codes) == {"A0180", "A0190"} and "S0209" in codes  # expenses, base and mileage

    with trip.uow() as uow:
        first = claims.replace_claim(uow, trip.actor("provider"), original, today=TODAY)
    assert first["frequency"] == "7" and _lines(trip, first["claim_number"]) == (lines, total)
    with trip.uow() as uow:
        listed = trip_expenses(uow, trip.actor("provider"), trip.trip_key)
    assert {e.claim_number for e in listed} == {first["claim_number"]}  # billed on the replacement now, once

    (sent,) = _claims_on_file(trip, tmp_path, "replacement.837p")
    assert sent == first["claim_number"]
    with trip.uow() as uow:
        second = claims.replace_claim(uow, trip.actor("provider"), sent, today=TODAY)
    assert _lines(trip, second["claim_number"]) == (lines, total)

    with trip.uow() as uow:  # a build after the replacements bills nothing twice
        again = claims.build_claims_for_provider(uow, trip.actor("provider"), None, (DAY, NEXT_DAY), today=TODAY)
    assert again.claims == []
