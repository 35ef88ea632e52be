"""The program files are package data: a non-editable install, away from the source tree, finds both policies and the
fee schedule; ``NEMT_POLICY_DIR`` still names another folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

LOAD = """
import json, nemt
from nemt.billing.fees import load_fee_schedule
from nemt.policy import load_policy, policy_dir
co, ct = load_policy("CO"), load_policy("CT")
print(json.dumps({"nemt": nemt.__file__, "dir": str(policy_dir()), "codes": [co.code, ct.code],
                  "files": [str(co.path), str(ct.path)], "fees": len(load_fee_schedule(co).rows)}))
"""


def _run(target: Path, cwd: Path, **env: str) -> dict:
    # PYTHONPATH comes before site-packages (where the editable install points at the checkout), so the installed
    # copy is the one imported — the first assertion of each test checks it; the dependencies (numpy for the rules
    # the policy names, holidays for its calendar) come from site-packages.
    done = subprocess.run([sys.executable, "-c", LOAD], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(target), **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``pip wheel`` of a copy of the project, then ``pip install --no-deps --target`` of that wheel."""
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    pip = [sys.executable, "-m", "pip", "--quiet"]
    subprocess.run([*pip, "wheel", "--no-deps", "--wheel-dir", str(work / "wheels"), str(source)], check=True,
                   timeout=600, capture_output=True)
    (wheel,) = (work / "wheels").glob("nemt-*.whl")
    target = work / "site"
    subprocess.run([*pip, "install", "--no-deps", "--no-compile", "--target", str(target), str(wheel)], check=True,
                   timeout=600, capture_output=True)
    shutil.rmtree(source)  # nothing of the source tree is left to find
    return target


@pytest.mark.slow
def test_an_installed_package_finds_both_policies(installed: Path, tmp_path: Path):
    found = _run(installed, cwd=tmp_path)
    assert found["nemt"].startswith(str(installed))
    assert found["dir"] == str(installed / "nemt" / "policy" / "programs")
    assert found["codes"] == ["CO", "CT"] and all(f.startswith(str(installed)) for f in found["files"])
    assert found["fees"] > 0


@pytest.mark.slow
def test_the_policy_dir_variable_still_overrides(installed: Path, tmp_path: Path):
    other = tmp_path / "programs"
    shutil.copytree(installed / "nemt" / "policy" / "programs", other)
    found = _run(installed, cwd=tmp_path, NEMT_POLICY_DIR=str(other))
    assert found["dir"] == str(other) and found["files"] == [str(other / "co.toml"), str(other / "ct.toml")]
