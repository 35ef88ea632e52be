"""Eligibility import: all rows or none, bad rows named by line/field/reason, the same file twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt.domain.actors import Actor
from nemt.services.members import import_eligibility
from nemt.services.platform.errors import ImportRejected
from tests.conftest import nemt_cli

HEADER = ("medicaid_id,first_name,last_name,birth_date,address_line,city,state,zip,county,plan,coverage_start,"
          "coverage_end,residence,has_other_transportation,at_risk_adult,documented_needs\n")
GOOD = HEADER + (
    "A100001,Ann,Example,1950-02-03,1 Demo St,Denver,CO,80203,Denver,medicaid-state-plan,2024-01-01,,home,false,false,"
    "cannot-use-less-costly-modes;wheelchair-confined\n"
    "A100002,Bo,Sample,2015-06-07,2 Demo St,Pueblo,CO,81003,Pueblo,medicaid-state-plan,2024-01-01,2024-12-31,home,"
    "false,false,\n"
    "A100002,Bo,Sample,2015-06-07,2 Demo St,Pueblo,CO,81003,Pueblo,CHP+,2025-01-01,,home,false,false,\n"
)
SYSTEM = Actor.system("test")


def _count(uow_factory) -> int:
    with uow_factory() as uow:
        return uow.members.count()


def test_import_creates_members_with_spans_and_needs(uow_factory):
    with uow_factory() as uow:
        result = import_eligibility(uow, SYSTEM, "CO", "elig.csv", GOOD.encode())
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 2, 0, False)
    with uow_factory() as uow:
        ann = uow.members.by_medicaid_id("CO", "A100001")
        bo = uow.members.by_medicaid_id("CO", "A100002")
        assert ann.documented_needs == ["cannot-use-less-costly-modes", "wheelchair-confined"]
        assert [(c.plan, c.end) for c in bo.coverage] == [("medicaid-state-plan", dt.date(2024, 12, 31)),
                                                        ("CHP+", None)]
        assert len(uow.audit.for_member(ann.id)) == 1  # the import is audited


def test_same_file_twice_changes_nothing(uow_factory):
    with uow_factory() as uow:
        import_eligibility(uow, SYSTEM, "CO", "elig.csv", GOOD.encode())
    with uow_factory() as uow:
        again = import_eligibility(uow, SYSTEM, "CO", "elig.csv", GOOD.encode())
    assert again.unchanged and _count(uow_factory) == 2


def test_same_rows_in_another_file_update_nothing(uow_factory):
    with uow_factory() as uow:
        import_eligibility(uow, SYSTEM, "CO", "elig.csv", GOOD.encode())
    with uow_factory() as uow:
        again = import_eligibility(uow, SYSTEM, "CO", "elig-copy.csv", (GOOD + "\n").encode())
    assert (again.created, again.updated) == (0, 0)


@pytest.mark.parametrize(
    "bad_line, field, reason",
    [
        ("A10003,Cy,Demo,1960-01-01,3 Demo St,Denver,CO,80203,Denver,medicaid-state-plan,2024-01-01,,home,false,false,",
         "medicaid_id", "Medicaid ID format"),
        ("A100003,Cy,Demo,1960-13-01,3 Demo St,Denver,CO,80203,Denver,medicaid-state-plan,2024-01-01,,home,false,"
         "false,", "birth_date", "YYYY-MM-DD"),
        ("A100003,Cy,Demo,1960-01-01,3 Demo St,Denver,CO,00000,Denver,medicaid-state-plan,2024-01-01,,home,false,"
         "false,", "zip", "unknown ZIP"),
        ("A100003,Cy,Demo,1960-01-01,3 Demo St,Denver,CO,80203,Denver,gold-plan,2024-01-01,,home,false,false,",
         "plan", "unknown benefit plan"),
        ("A100003,Cy,Demo,1960-01-01,3 Demo St,Denver,CO,80203,Denver,medicaid-state-plan,2024-01-01,,home,maybe,"
         "false,", "has_other_transportation", "true or false"),
        ("A100003,Cy,Demo,1960-01-01,3 Demo St,Denver,CO,80203,Denver,medicaid-state-plan,2024-01-01,,home,false,false,"
         "flying-carpet", "documented_needs", "unknown value"),
        ("A100003,Cy,Demo,1960-01-01,3 Demo St,Hartford,CT,06103,Hartford,medicaid-state-plan,2024-01-01,,home,false,"
         "false,", "state", "covers residents of CO"),
        ("A100002,Bo,Sample,2015-06-08,2 Demo St,Pueblo,CO,81003,Pueblo,CHP+,2026-01-01,,home,false,false,",
         "birth_date", "differs from line 3"),
    ],
)
def test_bad_row_names_line_field_reason_and_writes_nothing(uow_factory, bad_line, field, reason):
    content = GOOD + bad_line + "\n"
    with pytest.raises(ImportRejected) as err:
        with uow_factory() as uow:
            import_eligibility(uow, SYSTEM, "CO", "elig.csv", content.encode())
    first = err.value.errors[0]
    assert (first.line, first.field) == (5, field)
    assert reason in first.reason
    assert _count(uow_factory) == 0
    # Member data never appears in the error text.
    assert "Sample" not in str(err.value) and "A100002" not in str(err.value)


def test_missing_column_is_named(uow_factory):
    content = GOOD.replace("county,", "", 1)
    with pytest.raises(ImportRejected) as err:
        with uow_factory() as uow:
            import_eligibility(uow, SYSTEM, "CO", "elig.csv", content.encode())
    assert err.value.errors[0].field == "county"


def test_cli_reports_bad_rows_and_writes_nothing(db, tmp_path):
    """`nemt members import` on a bad file: exit 2, the line/field/reason on stderr, nothing written."""
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "A1,Cy,Demo,1960-01-01,x,Denver,CO,80203,Denver,medicaid-state-plan,2024-01-01,,,,,\n")
    run = nemt_cli(db, "members", "import", str(bad))
    assert run.returncode == 2
    assert "line 5: medicaid_id:" in run.stderr and "nothing was imported" in run.stderr
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    run = nemt_cli(db, "members", "import", str(good))
    assert run.returncode == 0, run.stderr
    assert "2 members created" in run.stdout
    run = nemt_cli(db, "members", "import", str(good))
    assert "already imported" in run.stdout


def test_an_administrator_imports_only_into_their_own_program(demo):
    """The Colorado administrator may not load members into Connecticut (and the audit row would carry the wrong
    organization for Connecticut's auditor)."""
    from nemt.services.platform.auth import actor_of
    from nemt.services.platform.errors import Forbidden

    with demo() as uow:
        admin = actor_of(uow.users.by_username("admin"))
        assert admin.program == "CO"
        before = uow.members.count("CT")
        with pytest.raises(Forbidden) as err:
            import_eligibility(uow, admin, "CT", "ct.csv", b"medicaid_id\n")
        assert err.value.field == "program" and "Connecticut" not in err.value.message
        assert uow.members.count("CT") == before
