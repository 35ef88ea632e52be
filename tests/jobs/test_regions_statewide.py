"""The statewide benchmark (issue 18, item 4) at a tiny size: the synthetic Colorado weekday is what its docstring says,
and ``python -m benchmarks statewide`` solves it through the queue's real workers beside the single-process solve,
both plans verified."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from benchmarks.statewide import DIALYSIS_CHAIRS, region_seconds, statewide_day
from nemt.jobs.regions import split_clusters


def test_the_statewide_day_has_every_mode_appointments_dialysis_and_a_fleet_for_it():
    day = statewide_day(400, seed=5)
    assert len(day.requests) == 400
    again = statewide_day(400, seed=5)
    assert again.requests == day.requests and again.vehicles == day.vehicles, "seeded: the same day twice"
    modes = Counter(next(iter(r.required_credentials)) for r in day.requests)
    assert set(modes) == {"mode:sedan", "mode:mobility-ambulatory", "mode:wheelchair-van", "mode:stretcher-van"}
    assert 0.15 < modes["mode:wheelchair-van"] / 400 < 0.40 and 0.02 < modes["mode:stretcher-van"] / 400 < 0.12
    appointments = [r.dropoff_window.latest for r in day.requests if r.id.endswith("-to")]
    assert sum(t in DIALYSIS_CHAIRS for t in appointments) >= 10, "standing dialysis chairs"
    assert all(t % 15 == 0 or t in DIALYSIS_CHAIRS for t in appointments) and min(appointments) >= 5 * 60
    for request in day.requests:  # a kind of vehicle can carry every request
        assert any(v.can_serve(request) and all(c >= q for c, q in zip(v.capacity, request.load, strict=True))
                   for v in day.vehicles), request.id
    assert 0.07 * 400 <= len(day.vehicles)  # 40 per 500, and a van of its own in a county otherwise without one
    regions, nobody = split_clusters(day, 3, seed=1)
    # three clusters, and the stretcher vans (which carry only stretcher trips) with those trips, statewide
    assert sorted(str(r.label) for r in regions) == ["c1", "c2", "c3", "s1"] and not nobody
    stretchers = next(r for r in regions if r.label == "s1")
    assert all(day.vehicles[v].capacity[2] for v in stretchers.vehicles)
    assert sorted(stretchers.requests) == sorted(r for r, q in enumerate(day.requests) if q.load[2])
    assert sorted(v for r in regions for v in r.vehicles) == list(range(len(day.vehicles)))


def test_a_regions_search_time_is_given_or_the_days_time_per_trip_shared_among_the_regions():
    assert region_seconds(10_000, 8, 98.0, 78.0) == 98.0  # --time-limit wins
    assert region_seconds(10_000, 8, None, 78.0) == 97.5  # 78 s per 1,000 trips, 8 regions
    assert region_seconds(1_000, 8, None, 78.0) == 9.8  # the same time per trip at every size
    assert region_seconds(100, 8, None, 78.0) == 2.0  # never under 2 s
    assert region_seconds(1_000, 2, None, None) == 60.0  # the default: 60 s per 1,000 trips


@pytest.mark.slow
def test_the_statewide_benchmark_solves_a_tiny_day_through_the_queue(db, broker):
    if db.dialect.name != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL")
    from benchmarks.cli import app
    from tests.conftest import PG_URL

    result = CliRunner().invoke(app, ["statewide", "--trips", "40", "--split", "clusters", "--time-limit", "1",
                                        "--reference-seconds", "2", "--database-url", PG_URL])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"): result.output.rindex("}") + 1])
    single = report["single_process"]
    assert report["trips"] == 40 and set(report["queue"]) == {"clusters"} and single["verified"]
    for queue in report["queue"].values():
        assert queue["regions"] == 3 and queue["workers"] == 2  # two clusters and the stretcher vans' region
        assert queue["verified"] and queue["verified_by_the_stitch_job"]
        assert 0 < queue["cost_miles"] and 0 < single["cost_miles"] and queue["seconds"] >= 1
        assert queue["unserved"] + round(queue["within_windows"] * 40) == 40
    reference = report["reference"]
    assert reference["verified"] and reference["seconds"] >= 2
    assert report["cost_vs_reference"]["clusters"] == round(report["queue"]["clusters"]["cost_miles"]
                                                             / reference["cost_miles"] - 1, 4)
    assert "40 trips by clusters:" in result.output
    assert "MET (target: at most 10 minutes, within 2 %, no more unserved than one process)" in result.output
