"""Meals and lodging on the database (both databases): recorded with their receipt, impossible entries refused with
the rule, billed through the same pure rules as ``nemt bill`` and exported (837P under pyx12, CMS-1500)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from nemt.billing.x12_validate import validate_x12
from nemt.services import claims
from nemt.services.claims.expenses import ExpenseIn, expense_receipt, record_expense, trip_expenses
from nemt.services.platform.errors import Forbidden, InvalidInput
from nemt.store.models import AuditEvent, ClaimLine
from tests.expenses.conftest import DAY, NEXT_DAY, NOW, PDF, PNG, TODAY, set_member, set_trip
from tests.racing import failures, race


def _record(world, receipt=PDF, user="provider", **fields):
    values = {"kind": "meals", "service_date": DAY, "amount": Decimal("25.00"), **fields}
    with world.uow() as uow:
        return record_expense(uow, world.actor(user), world.trip_key, ExpenseIn(**values), receipt, NOW)


def _build(world):
    with world.uow() as uow:
        return claims.build_claims_for_provider(uow, world.actor("provider"), None, (DAY, NEXT_DAY), today=TODAY)


def _expense_lines(world):
    with world.uow() as uow:
        rows = uow.session.scalars(select(ClaimLine).where(ClaimLine.hcpcs.in_(("A0180", "A0190", "A0200", "A0210")))
                                   .order_by(ClaimLine.service_date, ClaimLine.hcpcs))
        return [(r.hcpcs, r.service_date, r.units, r.charge) for r in rows]


def test_recorded_with_receipt_and_audited(trip):
    view = _record(trip)
    agent_view = _record(trip, receipt=PNG, user="agent", kind="lodging", amount=Decimal("89.50"))
    assert (view.kind, view.person, view.amount, view.receipt_type) == ("meals", "member", "25.00", "application/pdf")
    assert agent_view.receipt_type == "image/png"
    with trip.uow() as uow:
        listed = trip_expenses(uow, trip.actor("provider"), trip.trip_key)
    assert [e.key for e in listed] == [view.key, agent_view.key]
    with trip.uow() as uow:
        content, media_type = expense_receipt(uow, trip.actor("auditor"), view.key)
    assert (content, media_type) == (PDF, "application/pdf")
    with trip.uow() as uow:
        kinds = [(e.action, e.entity) for e in uow.session.scalars(
            select(AuditEvent).where(AuditEvent.entity.in_(("expense", "expense-receipt"))).order_by(AuditEvent.id))]
    assert kinds == [("create", "expense"), ("create", "expense"), ("read", "expense"), ("read", "expense-receipt")]
    with trip.uow() as uow, pytest.raises(Forbidden):
        record_expense(uow, trip.actor("driver"), trip.trip_key, ExpenseIn(kind="meals", service_date=DAY,
                                                                           amount=Decimal("5")), PDF, NOW)


@pytest.mark.parametrize(("fields", "receipt", "field", "words"), [
    ({"amount": Decimal("-3.00")}, PDF, "amount", "positive amount"),
    ({"amount": Decimal("0")}, PDF, "amount", "actually charged"),
    ({"amount": Decimal("12.345")}, PDF, "amount", "dollars and cents"),
    ({"amount": Decimal("4500")}, PDF, "amount", "over $1,000"),
    ({"service_date": DAY.replace(day=1)}, PDF, "service_date", "outside the trip's travel"),
    ({"service_date": NEXT_DAY.replace(day=4)}, PDF, "service_date", "outside the trip's travel"),
    ({"out_of_state": True}, PDF, "out_of_state", "destination is in CO"),
    ({"for": "escort"}, PDF, "escort_number", "which of the trip's 1 escort"),
    ({"for": "escort", "escort_number": 1}, PDF, "for", "child or an at-risk adult"),
    ({"escort_number": 1}, PDF, "escort_number", "only given for an escort"),
    ({}, b"GIF89a not a receipt", "receipt", "PDF, PNG or JPEG"),
])
def test_impossible_entries_refused_with_the_rule(trip, fields, receipt, field, words):
    with pytest.raises(InvalidInput) as exc:
        _record(trip, receipt=receipt, **fields)
    assert exc.value.field == field and words in str(exc.value)
    assert "Meals/Lodging" in (exc.value.rule or "") or field in ("receipt",) or "operational" in exc.value.rule
    with trip.uow() as uow:
        assert trip_expenses(uow, trip.actor("provider"), trip.trip_key) == []  # nothing half-written


def test_in_state_one_day_trip_and_escortless_trip_refused(trip):
    set_trip(trip, trip.trip_key, escorts=0)
    with pytest.raises(InvalidInput) as exc:
        _record(trip, **{"for": "escort", "escort_number": 1})
    assert exc.value.field == "for" and "no escort" in str(exc.value)
    one_day = trip.make_leg(1)
    trip.trip_key = trip.trip_of(one_day)
    with pytest.raises(InvalidInput) as exc:
        _record(trip)
    assert "cannot be completed in one calendar day" in str(exc.value)


def test_out_of_state_inpatient_refused_and_out_of_state_billed(trip):
    set_trip(trip, trip.trip_key, destination_state="NE")
    with pytest.raises(InvalidInput) as exc:
        _record(trip, out_of_state=True, inpatient_stay=True, kind="lodging", amount=Decimal("80.00"))
    assert exc.value.field == "inpatient_stay" and "not part of an inpatient stay" in str(exc.value)
    _record(trip, out_of_state=True, kind="lodging", amount=Decimal("80.00"))
    _build(trip)
    assert _expense_lines(trip) == [("A0180", DAY, 1, "41.20")]


def test_billed_through_the_rules_per_diem_unit_limit_escort(trip):
    set_member(trip, 0, at_risk_adult=True)  # an at-risk adult's escort: meals and lodging covered
    _record(trip, amount=Decimal("25.00"))  # under the per diem: the charge is the receipt
    _record(trip, amount=Decimal("9.00"))  # a second meals unit the same day: the unit limit
    _record(trip, kind="lodging", amount=Decimal("120.00"))  # over the per diem (41.20): the per diem
    _record(trip, kind="meals", service_date=NEXT_DAY, amount=Decimal("30.10"), **{"for": "escort", "escort_number": 1})
    result = _build(trip)
    assert result.expenses_considered == 4
    assert _expense_lines(trip) == [("A0180", DAY, 1, "41.20"), ("A0190", DAY, 1, "25.00"),
                                    ("A0210", NEXT_DAY, 1, "30.10")]
    assert [e["code"] for e in result.edits] == ["ancillary-unit-limit"]
    with trip.uow() as uow:
        listed = trip_expenses(uow, trip.actor("provider"), trip.trip_key)
    assert sum(1 for e in listed if e.claim_number) == 3
    again = _build(trip)  # billed once: a second build adds no expense line
    assert again.claims == [] and len(_expense_lines(trip)) == 3


def test_exported_in_the_837p_and_cms1500(trip, tmp_path):
    _record(trip, kind="lodging", amount=Decimal("60.00"))
    _build(trip)
    with trip.uow() as uow:
        sent = claims.export_claims(uow, trip.actor("provider"), fmt="837p", out=tmp_path / "out.837p")
    text = (tmp_path / "out.837p").read_text()
    ok, messages = validate_x12(text)
    assert ok, messages
    assert "SV1*HC:A0180*41.2*UN*1" in text or "SV1*HC:A0180*41.20*UN*1" in text
    assert sent.claim_numbers
    _record(trip, kind="meals", service_date=NEXT_DAY, amount=Decimal("12.00"))
    _build(trip)
    with trip.uow() as uow:
        pdf = claims.export_claims(uow, trip.actor("provider"), fmt="cms1500")
    assert pdf.content.startswith(b"%PDF") and len(pdf.claim_numbers) == 1


def test_two_builders_at_once_bill_an_expense_once(trip, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("the race needs two writers at once (PostgreSQL)")
    _build(trip)  # the legs are billed first: the expense's claim is the only one left to make
    _record(trip, kind="lodging", amount=Decimal("70.00"))

    def build():
        with trip.uow() as uow:
            return claims.build_claims_for_provider(uow, trip.actor("provider"), None, (DAY, NEXT_DAY), today=TODAY)

    results = race(build, build)
    assert not failures(results), results
    assert sum(len(r.claims) for r in results) == 1
    assert _expense_lines(trip) == [("A0180", DAY, 1, "41.20")]
