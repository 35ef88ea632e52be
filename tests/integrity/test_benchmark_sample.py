"""A small run of the benchmark's generator and detector, in-process: every scheme caught at its target and few
clean legs flagged (the month-sized figures are `python -m benchmarks integrity`)."""

from __future__ import annotations

from benchmarks.integrity import baseline, detect, evaluate
from benchmarks.integrity_world import SCHEMES, generate
from nemt.policy import load_policy


def test_the_detector_meets_its_target_on_a_small_world_and_the_baseline_does_not():
    world = generate(seed=3, providers=8, days=10, history_weeks=3)
    month = world.month()
    labels = {world.label[leg.leg_key] for leg in month}
    assert 2000 <= len(month) <= 8000 and labels == {"clean", *SCHEMES}
    policy = load_policy("CO")
    ours = evaluate(world, detect(world, policy))
    assert all(r >= 0.9 for r in ours["recall"].values()), ours
    assert ours["false_positive_rate"] <= 0.02, ours
    manual = evaluate(world, baseline(world, policy))
    assert manual["recall"]["phantom"] < 0.5 and manual["recall"]["burst"] < 0.5


def test_the_command_reports_both_sides_as_json():
    import json

    from typer.testing import CliRunner

    from benchmarks.cli import app

    result = CliRunner().invoke(app, ["integrity", "--providers", "3", "--days", "3"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["ours"]["recall"]) == set(SCHEMES) and "scan_seconds" in report["baseline_manual_edits_alone"]
    assert report["legs_in_month"] > 0 and isinstance(report["target_met"], bool)
