"""``nemt expenses record`` (one subprocess): the receipt file read, the expense recorded as the system, audited."""

from __future__ import annotations

import json

from nemt.services.claims.expenses import expense_receipt
from tests.conftest import nemt_cli
from tests.expenses.conftest import DAY, PDF


def test_cli_records_an_expense_with_its_receipt(trip, db, tmp_path):
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(PDF)
    r = nemt_cli(db, "expenses", "record", "--trip", trip.trip_key, "--kind", "lodging", "--date", DAY.isoformat(),
                 "--amount", "64.00", "--receipt", str(receipt))
    assert r.returncode == 0, r.stderr
    made = json.loads(r.stdout)
    assert (made["kind"], made["amount"], made["receipt_type"]) == ("lodging", "64.00", "application/pdf")
    with trip.uow() as uow:
        assert expense_receipt(uow, trip.actor("provider"), made["key"]) == (PDF, "application/pdf")
