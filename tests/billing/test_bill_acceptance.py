"""Suite 2 (claims) of ../shared/acceptance through the real `nemt bill`, with the README's comparison rule."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nemt.cli import app
from tests.conftest import ACCEPTANCE

REPO = Path(__file__).resolve().parents[2]
# The `acceptance_dir` fixture's folder; needed at collection time to parametrize.
CASES_DIR = ACCEPTANCE / "claims"
NEMT = REPO / ".venv" / "bin" / "nemt"


def _case_ids() -> list[str]:
    return sorted(p.stem for p in CASES_DIR.glob("clm-*.json")) if CASES_DIR.is_dir() else []


def _line_key(line: dict) -> tuple:
    return (line["hcpcs"], tuple(line["modifiers"]), line["units"], line["from_date"], line["to_date"])


def _claim_key(claim: dict) -> tuple:
    return (claim["member_id"], claim["place_of_service"], claim["diagnosis"],
            tuple(sorted(_line_key(line) for line in claim["lines"])))


def assert_matches(printed: dict, expected: dict) -> None:
    """Comparison rule: claims match one to one in any order (lines one to one in any order, modifiers in order);
    the set of (code, ref) edit pairs is equal."""
    assert sorted(_claim_key(c) for c in printed["claims"]) == sorted(_claim_key(c) for c in expected["claims"])
    assert {(e["code"], e["ref"]) for e in printed["edits"]} == {(e["code"], e["ref"]) for e in expected["edits"]}


def test_cases_are_there(acceptance_dir):
    assert len(list((acceptance_dir / "claims").glob("clm-*.json"))) >= 14


@pytest.mark.parametrize("case_id", _case_ids())
def test_case_via_cli_runner(case_id, acceptance_dir, tmp_path):
    case = json.loads((acceptance_dir / "claims" / f"{case_id}.json").read_text())
    file = tmp_path / "input.json"
    file.write_text(json.dumps(case["input"]))
    result = CliRunner().invoke(app, ["bill", str(file)])
    assert result.exit_code == 0, result.output
    assert_matches(json.loads(result.stdout), case["expect"])


def test_real_command_in_a_subprocess(acceptance_dir, tmp_path):
    """At least once through the installed console script, checking stdout holds exactly one JSON object."""
    for case_id in ("clm-001", "clm-012"):
        case = json.loads((acceptance_dir / "claims" / f"{case_id}.json").read_text())
        file = tmp_path / f"{case_id}.json"
        file.write_text(json.dumps(case["input"]))
        proc = subprocess.run([str(NEMT), "bill", str(file)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert_matches(json.loads(proc.stdout), case["expect"])


def test_malformed_input_in_a_subprocess(acceptance_dir, tmp_path):
    case = json.loads((acceptance_dir / "claims" / "clm-001.json").read_text())
    case["input"]["legs"][1]["loaded_miles"] = "twelve"
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(case["input"]))
    proc = subprocess.run([str(NEMT), "bill", str(file)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "legs[1].loaded_miles" in proc.stderr


def test_comparison_rule_can_fail(acceptance_dir):
    case = json.loads((acceptance_dir / "claims" / "clm-001.json").read_text())
    wrong = json.loads(json.dumps(case["expect"]))
    wrong["claims"][0]["lines"][2]["modifiers"] = ["77"]
    with pytest.raises(AssertionError):
        assert_matches(wrong, case["expect"])
    extra_edit = dict(case["expect"], edits=[{"code": "waiting-time-not-billable", "ref": "L1"}])
    with pytest.raises(AssertionError):
        assert_matches(extra_edit, case["expect"])
