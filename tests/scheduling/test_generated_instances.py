"""The generated dial-a-ride instances (benchmarks/darp_generated.py), the format's several-depot extension
(nemt.scheduling.cordeau) and the ``darp-generated`` benchmark command, on tiny sizes and short time limits."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from benchmarks.cli import app as benchmarks_app
from benchmarks.darp_generated import HORIZON, Spec, class_specs, generate, generated_instance, write_generated
from nemt.scheduling import Instance, InstanceFormatError, check_solution, read_cordeau, solve
from nemt.scheduling.cordeau import parse_cordeau, write_cordeau


def _same(a: Instance, b: Instance) -> None:
    assert (a.name, a.space_types) == (b.name, b.space_types)
    assert a.requests == b.requests
    assert a.vehicles == b.vehicles
    assert np.array_equal(a.travel_time, b.travel_time) and np.array_equal(a.cost, b.cost)


@pytest.mark.parametrize("spec", [Spec(10, "b", "wide", depots=3), Spec(9, "a", "tight", depots=1)])
def test_a_written_file_reads_back_to_the_generated_instance(tmp_path: Path, spec: Spec) -> None:
    path = write_generated(spec, tmp_path)
    _same(read_cordeau(path), generated_instance(spec))
    header, nodes = parse_cordeau(path)
    assert header == generate(spec)[0]
    first = path.read_text().splitlines()[0].split()
    assert len(first) == (5 if spec.depots == 1 else 5 + spec.depots)  # one depot: the public format itself


def test_the_writer_gives_back_every_public_file_byte_for_byte(darp_dir: Path, tmp_path: Path) -> None:
    files = sorted(darp_dir.rglob("*.txt"))
    assert len(files) == 48
    for path in files:
        write_cordeau(tmp_path / path.name, *parse_cordeau(path))
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_generation_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    spec = Spec(12, "b", "wide", depots=2, seed=7)
    one, two, other = (write_generated(s, tmp_path / d) for s, d in
                       ((spec, "one"), (spec, "two"), (Spec(12, "b", "wide", depots=2, seed=8), "other")))
    assert one.read_bytes() == two.read_bytes()
    assert one.read_bytes() != other.read_bytes()
    # pinned, so a change of the generator (or of the random stream under it) shows here, whatever the date
    assert hashlib.sha256(one.read_bytes()).hexdigest() == PINNED_SHA256


PINNED_SHA256 = "3990987e674215874c45149fa8aa84ed3e60032a905fe73ed0855526a7dcfd2f"


def test_multi_depot_vehicles_start_and_end_at_their_depots(tmp_path: Path) -> None:
    spec = Spec(20, "a", "tight", depots=3, vehicles=7)
    header, nodes = generate(spec)
    assert header.depot_vehicles == (3, 2, 2)
    inst = read_cordeau(write_generated(spec, tmp_path))
    n = inst.num_requests
    depots = {0: (0, 2 * n + 1), 1: (2 * n + 2, 2 * n + 3), 2: (2 * n + 4, 2 * n + 5)}
    expected = [depots[0]] * 3 + [depots[1]] * 2 + [depots[2]] * 2
    assert [(v.start_location, v.end_location) for v in inst.vehicles] == expected
    for start, end in depots.values():
        assert np.array_equal(nodes.xy[start], nodes.xy[end])  # origin and destination of a depot: one place
        assert tuple(nodes.window[start]) == tuple(nodes.window[end]) == (0.0, HORIZON)
    assert np.array_equal(nodes.xy[0], [0.0, 0.0])
    assert len({tuple(nodes.xy[s]) for s, _ in depots.values()}) == 3
    assert all(v.shift.earliest == 0 and v.shift.latest == HORIZON for v in inst.vehicles)
    # half outbound (a 10-minute window on the delivery), half inbound (on the pickup)
    for i, r in enumerate(inst.requests, start=1):
        timed = r.dropoff_window if i <= n // 2 else r.pickup_window
        free = r.pickup_window if i <= n // 2 else r.dropoff_window
        assert timed.latest - timed.earliest == 10 and (free.earliest, free.latest) == (0, 1440)


def test_the_reader_refuses_depot_counts_that_do_not_add_up(tmp_path: Path) -> None:
    path = write_generated(Spec(6, "a", "tight", depots=2, vehicles=3), tmp_path)
    lines = path.read_text().splitlines()
    assert lines[0].split()[5:] == ["2", "1"]
    for header, line in (("3 6 720 3 30 2 2", 1), ("3 6 720 3 30 3 0", 1), ("3 6 720 3 30 1 1 1", 18)):
        bad = tmp_path / "bad.txt"
        bad.write_text("\n".join([header, *lines[1:]]) + "\n")
        with pytest.raises(InstanceFormatError) as err:
            read_cordeau(bad)
        assert err.value.line == line


def test_the_checker_passes_on_a_solve_of_a_small_generated_instance() -> None:
    inst = generated_instance(Spec(16, "b", "wide", depots=2, vehicles=3, seed=3))
    plan = solve(inst, time_limit=1.0, seed=1)
    report = check_solution(inst, plan)
    assert report.feasible, report.messages
    assert not plan.unserved
    assert {inst.vehicles[r.vehicle].start_location for r in plan.routes if r.requests()} <= {0, 34}


def test_class_specs_cycle_sets_then_windows() -> None:
    specs = class_specs([100, 200], 3, 5, ["a", "b"], ["tight", "wide"])
    assert [(s.requests, s.kind, s.windows, s.seed) for s in specs] == [
        (100, "a", "tight", 5), (100, "b", "tight", 6), (100, "a", "wide", 7),
        (200, "a", "tight", 5), (200, "b", "tight", 6), (200, "a", "wide", 7)]
    assert [s.depots for s in specs] == [2, 2, 2, 3, 3, 3] and specs[0].vehicles == 9


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(benchmarks_app, name="bench")
    return app


def test_the_command_runs_end_to_end_and_writes_its_table(tmp_path: Path) -> None:
    out = tmp_path / "out" / "gen.csv"
    result = CliRunner().invoke(_app(), [
        "bench", "darp-generated", "--sizes", "8", "--per-class", "1", "--depots", "2", "--time-limit", "0.5",
        "--reference-seconds", "1", "--save", str(tmp_path / "inst"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "mean gap %" in result.output and "negative where the short run found the cheaper plan" in result.output
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["instance"] == "ga8-tight-d2-s1" and rows[0]["short_verified"] == "True"
    assert rows[0]["long_verified"] == "True" and rows[0]["gap_pct"] != ""
    assert rows[1]["instance"] == "CLASS(8)"
    payload = json.loads(out.with_suffix(".json").read_text())
    assert payload["classes"]["8"]["instances"] == 1 and payload["settings"]["reference_seconds"] == 1.0
    assert (tmp_path / "inst" / "ga8-tight-d2-s1.txt").exists()


def test_the_command_reads_a_folder_two_jobs_side_by_side(tmp_path: Path) -> None:
    for spec in (Spec(10, "b", "wide", depots=2), Spec(6, "a", "tight", depots=1)):
        write_generated(spec, tmp_path / "data")
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(_app(), [
        "bench", "darp-generated", "--data", str(tmp_path / "data"), "--sizes", "10", "--jobs", "2",
        "--time-limit", "0.5", "--reference-seconds", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [r["instance"] for r in rows[:2]] == ["gb10-wide-d2-s1", "CLASS(10)"]  # the 6-request file left out
    assert rows[0]["short_verified"] == rows[0]["long_verified"] == "True" and rows[0]["jobs"] == "2"


def test_the_command_refuses_bad_sizes_and_an_empty_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["bench", "darp-generated", "--sizes", "x", "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 2 and "--sizes" in result.output
    result = CliRunner().invoke(_app(), ["bench", "darp-generated", "--data", str(tmp_path), "--out",
                                         str(tmp_path / "r.csv")])
    assert result.exit_code == 2 and "no instance files" in result.output
