"""`python -m benchmarks claims` runs end to end on a small size (the 100 000-line figures are a command, not a unit
test): every file kind of both money paths is written, measured and valid for pyx12."""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner

from benchmarks.cli import app
from nemt.billing.x12_835 import parse_835

KINDS = ("department_837p", "broker_claims_837p", "broker_835", "encounter_837p")
FIGURES = ("lines", "claims", "files", "bytes", "seconds", "lines_per_second", "stages", "peak_heap_mib")


def test_bench_command_small():
    result = CliRunner().invoke(app, ["claims", "--lines", "40", "--providers", "2", "--no-baseline"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["within_target"] is True and "baseline" not in report
    assert set(report["files"]) == set(KINDS)
    for kind in KINDS:
        figures = report["files"][kind]
        assert all(figures.get(name) is not None for name in FIGURES), (kind, figures)
        assert figures["lines"] == 40 and figures["seconds"] > 0 and figures["peak_heap_mib"] >= 0, (kind, figures)
        assert "baseline" not in figures
    assert report["files"]["department_837p"]["files"] == 1
    assert report["files"]["broker_835"]["files"] == report["files"]["encounter_837p"]["files"] == 2
    assert report["process_peak_rss_mib"] > 0 and report["machine"]["cpus"] >= 1


def test_bench_command_refuses_impossible_sizes():
    result = CliRunner().invoke(app, ["claims", "--lines", "8", "--providers", "5", "--no-baseline"])
    assert result.exit_code == 2 and "providers" in result.output


def test_bench_files_are_valid_for_pyx12_and_read_back(tmp_path):
    from benchmarks.claims import run_benchmark

    report = run_benchmark(lines=20, providers=2, with_baseline=True, memory=False, output=tmp_path)
    for kind in KINDS:
        baseline = report["files"][kind]["baseline"]
        assert baseline["valid"] is True and baseline["seconds"] > 0, (kind, baseline["errors"])
    assert report["baseline"]["valid"] is True
    assert (tmp_path / "department_837p-1.x12").read_text().startswith("ISA*")
    claims_to_broker = (tmp_path / "broker_claims_837p-1.x12").read_text()
    assert "NM1*PR*2*" in claims_to_broker and "*PI*" + "CO_TXIX" not in claims_to_broker  # the broker's payer
    for n in (1, 2):
        encounter = (tmp_path / f"encounter_837p-{n}.x12").read_text()
        assert "*RP~" in encounter.split("BHT*", 1)[1].split("\n", 1)[0]  # BHT06 = RP: a report, not a claim
        remittance = parse_835((tmp_path / f"broker_835-{n}.x12").read_text())
        lines = sum(len(c.services) for c in remittance.claims)
        assert lines == 12 if n == 1 else lines == 8  # 20 lines as 5 members of 4 lines: 3 and 2 per provider
        assert remittance.total_paid == sum((c.paid for c in remittance.claims), Decimal("0")) > 0
