"""Reports that add up (issue 17, item 6): every money figure of every report is recomputed here from the claim and
remittance rows with a second, independent query (plain SQL text, not the report's repository), and they must agree.

The period holds four claims: one paid and then replaced, one paid and then voided, one denied, one paid. The cost
report counts each trip once — the replacement, not the claim it replaced; neither the voided claim nor its void —
which is exactly what went wrong before (a status ``"void"`` compared with the stored ``"voided"``, and a replaced
claim counted beside its replacement).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import text

from nemt.domain.statuses import SUPERSEDED_CLAIM_STATUSES
from nemt.policy import load_policy
from nemt.services import claims as claims_service
from nemt.services import reports
from tests.claims_db.conftest import BILLING_PROFILE, DAY, TODAY, fast_complete, make_835

VOID = load_policy("CO").get("claims.frequency_void")
# Every report column that holds money; a new one must get its recomputation below.
MONEY_COLUMNS = {"total charge", "paid", "per trip", "per member"}

_CLAIMS_SQL = text("""
    SELECT c.id, c.status, c.frequency, c.total_charge, c.paid_amount, c.member_id, o.name
    FROM claims c JOIN transport_providers p ON p.id = c.provider_id JOIN organizations o ON o.id = p.organization_id
    WHERE c.program = :program
      AND c.id IN (SELECT l.claim_id FROM claim_lines l WHERE l.service_date BETWEEN :start AND :end)
""")
_TRIPS_SQL = text("""
    SELECT DISTINCT l.claim_id, g.trip_id FROM claim_lines l JOIN legs g ON g.id = l.leg_id
    WHERE l.service_date BETWEEN :start AND :end
""")


def _money(value: str | None) -> Decimal:
    return Decimal(value or "0")


@pytest.fixture
def history(world):
    """Four completed legs billed, exported and remitted; then one claim replaced and one voided."""
    keys = [world.make_leg(n) for n in range(4)]
    fast_complete(world, keys)
    admin = world.actor("provider")
    with world.uow() as uow:
        claims_service.set_billing_profile(uow, admin, None, **BILLING_PROFILE)
    with world.uow() as uow:
        built = claims_service.build_claims_for_provider(uow, admin, None, (DAY, DAY), today=TODAY)
    numbers = [c["claim_number"] for c in built.claims]
    charge = {c["claim_number"]: c["total_charge"] for c in built.claims}
    with world.uow() as uow:
        claims_service.export_claims(uow, admin)
    replaced, voided, denied, paid = numbers
    remit = make_835([(replaced, "1", charge[replaced], charge[replaced], "PAYER0001", None),
                      (voided, "1", charge[voided], charge[voided], "PAYER0002", None),
                      (denied, "4", charge[denied], "0", "PAYER0003", f"CO*96*{charge[denied]}"),
                      (paid, "1", charge[paid], "12.34", "PAYER0004", None)])
    with world.uow() as uow:
        claims_service.post_remittance(uow, admin, remit)
    with world.uow() as uow:
        claims_service.replace_claim(uow, admin, replaced, today=TODAY)
    with world.uow() as uow:
        claims_service.void_claim(uow, admin, voided)
    world.numbers, world.charge = numbers, charge
    return world


def _rows(world, sql, **params):
    with world.uow() as uow:
        return list(uow.session.execute(sql, params))


def _recompute_cost(world) -> dict[str, tuple[str, str, str]]:
    """(total, per trip, per member) per provider and for "all providers", from the rows."""
    period = {"start": DAY, "end": DAY}
    trips_of = defaultdict(set)
    for claim_id, trip_id in _rows(world, _TRIPS_SQL, **period):
        trips_of[claim_id].add(trip_id)
    totals: dict[str, list] = defaultdict(lambda: [Decimal(0), set(), set()])
    for claim_id, status, frequency, charge, _paid, member_id, provider in _rows(world, _CLAIMS_SQL, program="CO",
                                                                                 **period):
        if status in SUPERSEDED_CLAIM_STATUSES or frequency == VOID:
            continue
        for name in (provider, "all providers"):
            totals[name][0] += _money(charge)
            totals[name][1] |= trips_of[claim_id]
            totals[name][2].add(member_id)
    return {name: (f"{t:.2f}", f"{t / len(trips):.2f}", f"{t / len(members):.2f}")
            for name, (t, trips, members) in totals.items()}


def _recompute_by_status(world) -> dict[str, tuple[str, str]]:
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for _id, status, _freq, charge, paid, _member, _provider in _rows(world, _CLAIMS_SQL, program="CO", start=DAY,
                                                                      end=DAY):
        sums[status][0] += _money(charge)
        sums[status][1] += _money(paid)
    return {status: (f"{c:.2f}", f"{p:.2f}") for status, (c, p) in sums.items()}


def _run(world, name):
    with world.uow() as uow:
        return reports.run(uow, world.actor("auditor"), name, DAY, DAY)


def test_every_money_figure_of_every_report_reconciles_with_the_rows(history):
    money_reports = {name for name in reports.REPORTS
                     if MONEY_COLUMNS & set(_run(history, name).columns)}
    assert money_reports == {"cost", "claims-by-status"}  # a new money report needs its recomputation here

    cost = _run(history, "cost")
    shown = {row[0]: (row[4], row[5], row[6]) for row in cost.rows}
    expected = _recompute_cost(history)
    if len(expected) == 2:  # one provider: the report has no "all providers" row
        expected.pop("all providers")
    assert shown == expected

    by_status = _run(history, "claims-by-status")
    assert {row[0]: (row[2], row[3]) for row in by_status.rows} == _recompute_by_status(history)
    # The paid column adds up to what the remittances paid.
    remitted = sum(_money(r[0]) for r in _rows(history, text("SELECT paid_total FROM remittances")))
    assert sum(_money(row[3]) for row in by_status.rows) == remitted


def test_the_cost_report_counts_a_replaced_or_voided_trip_once(history):
    """The defect of issue 17: 1,719.07 shown where 1,501.74 was right — a replaced claim counted beside its
    replacement, and the voided claim counted because the report looked for status "void"."""
    replaced, voided, denied, paid = history.numbers
    with history.uow() as uow:
        replacement = next(c for c in claims_service.list_claims(uow, history.actor("provider"))
                           if c["frequency"] == load_policy("CO").get("claims.frequency_replacement"))
    cost = _run(history, "cost")
    (row,) = cost.rows
    total = _money(replacement["total_charge"]) + _money(history.charge[denied]) + _money(history.charge[paid])
    assert row[1:5] == (3, 3, 3, f"{total:.2f}")
