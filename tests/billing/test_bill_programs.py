"""`nemt bill` applies the claim rules of the program its input names (the contract's ``program`` field), never
Colorado's to another program; a program whose policy has no claim rules (Connecticut's notice states none) is refused
in words, naming the field. The fictional program ZZ (tests/programs/data) bills with its own Medicaid IDs, rates and
mileage review."""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from nemt.cli import app
from nemt.settings import reload_settings
from tests.programs.test_third_program import DATA


@pytest.fixture
def zz(monkeypatch):
    monkeypatch.setenv("NEMT_PROGRAMS_DIR", str(DATA))
    reload_settings()
    yield
    monkeypatch.delenv("NEMT_PROGRAMS_DIR")
    reload_settings()


@pytest.fixture(scope="module")
def one_leg(acceptance_dir):
    """clm-009's wheelchair-van leg, 60 loaded miles, on a date both fee schedules price."""
    doc = json.loads((acceptance_dir / "claims" / "clm-009.json").read_text())["input"]
    leg = dict(doc["legs"][0], date_of_service="2026-03-02", loaded_miles=60, escorts=[], attachment_25mi=False)
    return dict(doc, legs=[leg])


def _bill(tmp_path, doc):
    file = tmp_path / "in.json"
    file.write_text(json.dumps(doc))
    return CliRunner().invoke(app, ["bill", str(file)])


def _with(doc, program: str, medicaid_id: str):
    doc = copy.deepcopy(doc)
    doc["program"] = program
    doc["legs"][0]["member"]["medicaid_id"] = medicaid_id
    return doc


def test_the_named_programs_claim_rules_apply(zz, one_leg, tmp_path):
    colorado = _bill(tmp_path, _with(one_leg, "CO", "Z300901"))
    assert colorado.exit_code == 0, colorado.output
    co = json.loads(colorado.stdout)
    assert "mileage-over-52-units-needs-attachment" in [e["code"] for e in co["edits"]]  # 60 units > 52

    green_mountain = _bill(tmp_path, _with(one_leg, "ZZ", "GM12345"))
    assert green_mountain.exit_code == 0, green_mountain.output
    out = json.loads(green_mountain.stdout)
    assert out["edits"] == []  # ZZ reviews mileage over 80 units only
    (claim,) = out["claims"]
    assert claim["member_id"] == "GM12345"
    assert [(ln["hcpcs"], ln["units"], ln["charge"]) for ln in claim["lines"]] == [("A0130", 1, "44.00"),
                                                                                   ("S0209", 60, "186.00")]

    # A ZZ member ID under Colorado's rules is malformed: the rules really are the named program's.
    wrong = _bill(tmp_path, _with(one_leg, "CO", "GM12345"))
    assert wrong.exit_code == 2 and "legs[0].member.medicaid_id" in wrong.stderr and wrong.stdout == ""


def test_a_program_without_claim_rules_is_refused_in_words(one_leg, tmp_path):
    result = _bill(tmp_path, _with(one_leg, "CT", "Z300901"))
    assert result.exit_code == 2 and result.stdout == ""
    assert "program" in result.stderr and "Connecticut HUSKY Health NEMT (CT) has no claim rules" in result.stderr
    unknown = _bill(tmp_path, _with(one_leg, "ZZ", "GM12345"))  # ZZ is not installed here
    assert unknown.exit_code == 2 and "program" in unknown.stderr and "CO, CT" in unknown.stderr


def test_cli_help_lists_the_programs(tmp_path):
    """The options naming a program list :func:`nemt.policy.program_codes` (a folder of more programs included)."""
    import os
    import subprocess
    import sys

    from nemt.cli import app as nemt_app

    assert "CO, CT" in CliRunner().invoke(nemt_app, ["members", "import", "--help"]).stdout
    cli = DATA.parents[2] / "src" / "nemt" / "cli"
    assert not [p.name for p in cli.glob("*.py") if "CO or CT" in p.read_text()]
    env = {**os.environ, "NEMT_PROGRAMS_DIR": str(DATA)}
    result = subprocess.run([sys.executable, "-m", "nemt.cli", "claims", "review", "--help"], env=env,
                            capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert result.returncode == 0 and "CO, CT, ZZ" in result.stdout, result.stderr
