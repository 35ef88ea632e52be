"""`python -m benchmarks claims` runs end to end on a small size (the 100 000-line figure is a command, not a unit
test)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from benchmarks.cli import app


def test_bench_command_small():
    result = CliRunner().invoke(app, ["claims", "--lines", "40", "--no-baseline"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["lines"] == 40 and report["within_target"] is True and "baseline" not in report


def test_bench_file_is_valid_for_pyx12(tmp_path):
    from benchmarks.claims import run_benchmark

    report = run_benchmark(lines=20, with_baseline=True, output=tmp_path / "bench.x12")
    assert report["baseline"]["valid"] is True, report["baseline"]["errors"]
    assert (tmp_path / "bench.x12").read_text().startswith("ISA*")
