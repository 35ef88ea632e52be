from __future__ import annotations

import csv
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from benchmarks.cli import app as benchmarks_app
from nemt.scheduling import Route, Solution, Stop, StopKind, check_solution, read_cordeau


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(benchmarks_app, name="bench")  # `python -m benchmarks darp …` as `bench darp …`
    return app


def test_malformed_file_exits_2_naming_the_line(tmp_path: Path, darp_dir: Path) -> None:
    lines = (darp_dir / "cordeau2006" / "b2-16.txt").read_text().splitlines()
    lines[4] = "3 1.0 2.0 3"
    (tmp_path / "b2-16.txt").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(_app(), ["bench", "darp", "--data", str(tmp_path), "--time-limit", "1",
                                         "--baseline", "none", "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert "line 5" in result.output


def test_solutions_json_and_csv(tmp_path: Path, darp_dir: Path) -> None:
    out = tmp_path / "results.csv"
    sols = tmp_path / "sols"
    result = CliRunner().invoke(_app(), [
        "bench", "darp", "--data", str(darp_dir), "--time-limit", "0.5", "--baseline", "none",
        "--instances", "a2-16", "--solutions", str(sols), "--out", str(out), "--sequential",
    ])
    assert result.exit_code == 0, result.output
    payload = json.loads((sols / "a2-16.json").read_text())
    assert payload["instance"] == "a2-16"
    inst = read_cordeau(darp_dir / "cordeau2006" / "a2-16.txt")
    n = inst.num_requests
    routes = []
    for k, route in enumerate(payload["routes"]):
        assert route[0][0] == 0 and route[-1][0] == 2 * n + 1
        stops = []
        for node, start in route:
            if node == 0:
                stops.append(Stop(StopKind.START, -1, 0, start))
            elif node == 2 * n + 1:
                stops.append(Stop(StopKind.END, -1, node, start))
            elif node <= n:
                stops.append(Stop(StopKind.PICKUP, node - 1, node, start))
            else:
                stops.append(Stop(StopKind.DROPOFF, node - n - 1, node, start))
        routes.append(Route(k, stops))
    # the JSON alone is enough for an outside checker to verify the solution
    report = check_solution(inst, Solution(cost=payload["cost"], routes=routes))
    assert report.feasible, report.violations
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["instance"] == "a2-16" and rows[0]["our_verified"] == "True"
    assert any(r["instance"] == "MEAN(all)" for r in rows)
