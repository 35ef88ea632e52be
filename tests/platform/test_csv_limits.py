"""A CSV row the csv module cannot read — a field over its limit of 131,072 characters — rejects the file with the
row's line named, not a 500."""

from __future__ import annotations

import pytest

from nemt.services.platform.csv_files import parse_all
from nemt.services.platform.errors import ImportRejected

HEADER = "name,note\n"


def test_a_field_over_the_csv_limit_rejects_the_file_naming_the_row():
    content = (HEADER + "ok,short\n" + "big," + "x" * 131_073 + "\n").encode()
    with pytest.raises(ImportRejected) as err:
        parse_all("big.csv", content, ("name", "note"), lambda rr: rr.text("name"))
    [row] = err.value.errors
    assert row.line == 3 and row.field == "(row)"
    assert row.reason == "has a field longer than 131,072 characters"
    assert err.value.status == 422


def test_a_field_at_the_limit_is_read():
    content = (HEADER + "ok," + "x" * 131_072 + "\n").encode()
    [(line, note)] = parse_all("fine.csv", content, ("name", "note"), lambda rr: rr.text("note"))
    assert line == 2 and len(note) == 131_072


def test_member_import_with_a_huge_field_is_a_422_naming_the_row(client, token_for):
    header = ("medicaid_id,first_name,last_name,birth_date,address_line,city,state,zip,county,plan,coverage_start,"
              "coverage_end,residence,has_other_transportation,at_risk_adult,documented_needs\n")
    row = ("A100001," + "F" * 140_000 + ",Example,1950-02-03,1 Demo St,Denver,CO,80203,Denver,"
           "medicaid-state-plan,2024-01-01,,home,false,false,\n")
    r = client.post("/api/v1/members/import", headers=token_for("admin"), data={"program": "CO"},
                    files={"file": ("members.csv", (header + row).encode(), "text/csv")})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["errors"] == [{"line": 2, "field": "(row)",
                                   "reason": "has a field longer than 131,072 characters"}]
