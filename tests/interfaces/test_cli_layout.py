"""One `cli` package with every command of the `nemt` command; the benchmarks outside the package they measure."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from nemt.cli import app

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "nemt"

COMMANDS = {
    "serve": None, "bill": None, "decide": None,
    "db": {"upgrade", "grant"}, "audit": {"verify", "anchor", "disclosures"},
    "demo": {"seed"}, "members": {"import"},
    "users": {"token", "tokens", "revoke-token", "totp-code", "create", "disable", "enable", "role", "reset", "unlock",
              "list"},
    "orgs": {"create", "list", "deactivate", "activate"}, "jobs": {"report", "submit", "status", "list", "worker"},
    "providers": {"import", "expiring", "closest"}, "dispatch": {"schedule"}, "rides": {"pending", "certify"},
    "claims": {"build", "export", "replace", "void", "remit", "denied", "list", "profile", "broker-pay", "encounters",
               "ack", "sample-acks", "worklist",
               "review", "release", "deny-on-review"},  # claims in review: the reviewer's decision (issue 15)
    "geo": {"route", "zip", "import-osm"},
}
COMMANDS["complaints"] = {"list", "show", "report"}  # issue 16, point 5
COMMANDS["eligibility"] = {"inquiry", "read-271", "import-834"}  # issue 17, point 5
COMMANDS["expenses"] = {"record", "list", "receipt"}  # issue 17, point 2
COMMANDS["integrity"] = {"case"}  # issue 15, point 4 (case: open, hold, note, release, deny, list)
BENCHMARKS = {"geo", "claims", "insertion", "darp", "audit", "burst", "queue", "live-day", "integrity", "statewide",
              "load", "darp-generated"}


def _subcommands(command: object) -> set[str] | None:
    children = getattr(command, "commands", None)  # a group (typer's groups are not click.Group subclasses)
    return None if children is None else set(children)


def test_every_command_keeps_its_name():
    group = typer.main.get_command(app)
    assert _subcommands(group) == set(COMMANDS)
    for name, subcommands in COMMANDS.items():
        assert _subcommands(group.commands[name]) == subcommands, name


def test_the_cli_is_one_package():
    assert not (SRC / "cli.py").exists()
    assert not list(SRC.glob("*_cli.py")) and not list(SRC.glob("*/cli.py"))
    assert (SRC / "cli" / "__init__.py").is_file() and (SRC / "cli" / "errors.py").is_file()


def test_python_dash_m_runs_the_command():
    done = subprocess.run([sys.executable, "-m", "nemt.cli", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "decide" in done.stdout


def test_the_benchmarks_are_outside_the_package():
    assert not [p for p in SRC.rglob("*.py") if re.search(r"bench", p.name)]
    for path in SRC.rglob("*.py"):
        assert not re.search(r"^\s*(from|import) benchmarks\b", path.read_text(), re.M), path
    from benchmarks.cli import app as benchmarks_app

    assert _subcommands(typer.main.get_command(benchmarks_app)) == BENCHMARKS


def test_make_bench_runs_them_from_the_checkout():
    target = (REPO / "Makefile").read_text().split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert "nemt bench" not in target
    named = set(re.findall(r"-m benchmarks ([\w-]+)", target))
    assert named == BENCHMARKS


def test_python_dash_m_benchmarks_from_the_checkout():
    done = subprocess.run([sys.executable, "-m", "benchmarks", "geo", "--help"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "--grid-side" in done.stdout


def test_the_geo_benchmark_keeps_its_output():
    from benchmarks.cli import app as benchmarks_app

    result = CliRunner().invoke(benchmarks_app, ["geo", "--points", "20", "--grid-side", "20", "--baseline-pairs", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("{")


def _deferred_imports(folder: Path) -> list[tuple[str, str]]:
    """(module, name) of every ``from X import Y`` the commands make when they run (inside functions)."""
    found = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                        found += [(inner.module, alias.name) for alias in inner.names]
    return sorted(set(found))


def test_every_name_the_commands_import_when_run_exists():
    wanted = _deferred_imports(SRC / "cli") + _deferred_imports(REPO / "benchmarks")
    assert len(wanted) > 30
    missing = [f"{module}.{name}" for module, name in wanted
               if not hasattr(importlib.import_module(module), name) and not _is_module(f"{module}.{name}")]
    assert missing == []


def _is_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True
