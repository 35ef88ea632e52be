"""Every public acceptance case of ../shared/acceptance/decisions/ through the real `nemt decide` command, checked
with the README's comparison rule: outcome, mode and arranged_by equal; every expected reason code printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nemt.cli import app
from tests.conftest import ACCEPTANCE, REPO

NEMT = REPO / ".venv" / "bin" / "nemt"


def _case_ids() -> list[str]:
    # Parametrization needs the ids at collection time, so they are listed from the folder behind the
    # `acceptance_dir` fixture (tests/conftest.py); the cases themselves are read through the fixture.
    return sorted(p.stem for p in (ACCEPTANCE / "decisions").glob("*.json"))


@pytest.fixture(scope="session")
def cases_dir(acceptance_dir: Path) -> Path:
    return acceptance_dir / "decisions"


def _load(cases_dir: Path, case_id: str) -> dict:
    return json.loads((cases_dir / f"{case_id}.json").read_text(encoding="utf-8"))


def assert_matches(printed: dict, expect: dict) -> None:
    """The README's comparison rule."""
    for key in ("outcome", "mode", "arranged_by"):
        assert printed[key] == expect[key], f"{key}: printed {printed[key]!r}, expected {expect[key]!r}"
    assert isinstance(printed["reason_codes"], list)
    missing = set(expect["reason_codes"]) - set(printed["reason_codes"])
    assert not missing, f"expected reason codes not printed: {sorted(missing)} (printed {printed['reason_codes']})"


def test_cases_are_found(cases_dir: Path) -> None:
    assert len(list(cases_dir.glob("*.json"))) >= 27
    assert _case_ids(), "no case ids collected"


@pytest.mark.parametrize("case_id", _case_ids())
def test_case_through_cli(case_id: str, cases_dir: Path, tmp_path: Path) -> None:
    case = _load(cases_dir, case_id)
    file = tmp_path / "input.json"
    file.write_text(json.dumps(case["input"]), encoding="utf-8")
    result = CliRunner().invoke(app, ["decide", str(file)])
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)  # exactly one JSON object on stdout
    assert_matches(printed, case["expect"])
    for reason in printed["reasons"]:
        assert reason["citation"].split(" — ")[0] in {
            "Health First Colorado NEMT Billing Manual", "Connecticut DSS NEMT notice"}


@pytest.mark.parametrize("case_id", ["dec-co-011", "dec-ct-005"])
def test_case_through_installed_command(case_id: str, cases_dir: Path, tmp_path: Path) -> None:
    """The same path a user takes: the installed `nemt` script in a subprocess."""
    case = _load(cases_dir, case_id)
    file = tmp_path / "input.json"
    file.write_text(json.dumps(case["input"]), encoding="utf-8")
    command = [str(NEMT)] if NEMT.exists() else [sys.executable, "-m", "nemt.cli"]
    proc = subprocess.run([*command, "decide", str(file)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert_matches(json.loads(proc.stdout), case["expect"])


def test_malformed_through_installed_command(cases_dir: Path, tmp_path: Path) -> None:
    case = _load(cases_dir, "dec-co-007")
    case["input"]["trip"]["escorts"][0]["age"] = "sixty"
    file = tmp_path / "input.json"
    file.write_text(json.dumps(case["input"]), encoding="utf-8")
    command = [str(NEMT)] if NEMT.exists() else [sys.executable, "-m", "nemt.cli"]
    proc = subprocess.run([*command, "decide", str(file)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "trip.escorts[0].age" in proc.stderr


def test_comparison_rule_can_fail() -> None:
    """The checker itself rejects a wrong mode and a missing code."""
    expect = {"outcome": "approved", "mode": "taxi", "arranged_by": "sde", "reason_codes": ["urgent"]}
    with pytest.raises(AssertionError):
        assert_matches({**expect, "mode": "train"}, expect)
    with pytest.raises(AssertionError):
        assert_matches({**expect, "reason_codes": []}, expect)
    assert_matches({**expect, "reason_codes": ["urgent", "extra"]}, expect)
