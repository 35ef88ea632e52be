"""The one error printer of the `nemt` command: every error a user can fix is `error: field: message (rule)` on stderr
and exit status 2, whatever layer raised it."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from nemt.cli import app
from nemt.cli.errors import EXIT_ERROR, describe, line, read_input, reported
from nemt.contracts import ContractError
from nemt.geo.errors import GeoError
from nemt.policy import PolicyError
from nemt.services.platform.errors import Forbidden, ImportRejected, InvalidInput, RowError
from nemt.store.limits import FieldRefused


@pytest.mark.parametrize(("error", "expected"), [
    (InvalidInput("must be after --from", field="--to", rule="date range"),
     "error: --to: must be after --from (date range)"),
    (Forbidden("your role may not do this"), "error: your role may not do this"),
    (ContractError("legs[2].loaded_miles", "must be a number"),
     "error: legs[2].loaded_miles: must be a number (input contract)"),
    (GeoError("to", "00000 is not a known ZIP code"), "error: to: 00000 is not a known ZIP code"),
    (PolicyError("co.toml", "notice.required_hours", "missing"),
     "error: co.toml: notice.required_hours: missing (program policy)"),
    (FieldRefused("members", "first_name", "field length", "the first name is longer than 100 characters"),
     "error: first_name: the first name is longer than 100 characters (field length)"),
])
def test_each_kind_of_user_error_is_one_line_naming_the_field_and_the_rule(error, expected):
    assert describe(error) == expected


def test_a_rejected_file_lists_its_bad_rows():
    rows = [RowError(line, "medicaid_id", "must be a letter and six digits") for line in range(2, 60)]
    text = describe(ImportRejected("members.csv", rows))
    assert text is not None
    first, *listed = text.splitlines()
    assert first == "error: members.csv: rejected, nothing was imported (58 error(s))"
    assert listed[0] == "  line 2: medicaid_id: must be a letter and six digits"
    assert len(listed) == 51 and listed[-1] == "  … and 8 more"


def test_other_exceptions_are_not_user_errors():
    assert describe(RuntimeError("a bug")) is None
    with pytest.raises(RuntimeError), reported():
        raise RuntimeError("a bug keeps its traceback")


def _command_app() -> typer.Typer:
    probe = typer.Typer()

    @probe.command()
    def fails(kind: str) -> None:
        with reported():
            if kind == "service":
                raise InvalidInput("is not a known NPI", field="--provider", rule="NPI check digit")
            raise GeoError("from", "'x' is neither a ZIP code nor 'lat,lon'")
        print("never")

    return probe


@pytest.mark.parametrize(("kind", "expected"), [
    ("service", "error: --provider: is not a known NPI (NPI check digit)\n"),
    ("geo", "error: from: 'x' is neither a ZIP code nor 'lat,lon'\n"),
])
def test_reported_prints_on_stderr_and_exits_2(kind, expected):
    result = CliRunner().invoke(_command_app(), [kind])
    assert result.exit_code == EXIT_ERROR == 2
    assert result.stderr == expected and result.stdout == ""


def test_an_unreadable_input_file_names_the_argument(tmp_path: Path):
    with pytest.raises(typer.Exit) as exit_info:
        read_input(tmp_path / "missing.json")
    assert exit_info.value.exit_code == 2
    assert line("FILE", "x") == "error: FILE: x"


@pytest.mark.parametrize("command", [["decide"], ["bill"], ["claims", "remit"]])
def test_the_commands_share_the_printer_for_unreadable_files(command, tmp_path: Path):
    result = CliRunner().invoke(app, [*command, str(tmp_path / "missing")])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: FILE: ") and "cannot be read" in result.stderr


def test_malformed_decide_input_goes_through_the_printer(tmp_path: Path):
    file = tmp_path / "request.json"
    file.write_text('{"program": "CO"}')
    result = CliRunner().invoke(app, ["decide", str(file)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.rstrip().endswith("(input contract)")


@pytest.mark.parametrize(("command", "expected"), [
    (["providers", "expiring", "--today", "2026-13-01"], "error: --today: must be a date YYYY-MM-DD\n"),
    (["dispatch", "schedule", "--date", "18/11/2026"], "error: --date: must be a date YYYY-MM-DD\n"),
    (["claims", "build", "--provider", "1234567893", "--from", "2026-11-01", "--to", "2026-11-31"],
     "error: --to: must be a date YYYY-MM-DD\n"),
])
def test_date_options_share_the_one_parser(command, expected):
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == expected
