from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from nemt.scheduling import (
    Instance,
    Request,
    Route,
    Solution,
    SolverParams,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
    check_solution,
    read_cordeau,
    solve,
    solver,
)
from nemt.scheduling._kernels import KernelInstance
from nemt.scheduling.ortools_baseline import solve_ortools

from .conftest import tiny_instance


@pytest.mark.parametrize("name", ["a2-16", "b2-16"])
def test_solver_returns_verified_solution(darp_dir: Path, name: str) -> None:
    inst = read_cordeau(darp_dir / "cordeau2006" / f"{name}.txt")
    sol = solve(inst, time_limit=1.0, seed=7)
    report = check_solution(inst, sol)
    assert report.feasible, report.violations
    assert sol.feasible and not sol.unserved
    assert report.cost == pytest.approx(sol.cost)


def test_solver_is_reproducible_in_structure(darp_dir: Path) -> None:
    inst = read_cordeau(darp_dir / "cordeau2006" / "a2-16.txt")
    sol = solve(inst, time_limit=0.3, seed=3)
    served = sorted(r for route in sol.routes for r in route.requests())
    assert served == list(range(inst.num_requests))


def test_solver_respects_space_types_and_credentials() -> None:
    inst = tiny_instance()
    sol = solve(inst, time_limit=0.2, seed=1)
    report = check_solution(inst, sol)
    assert report.feasible, report.violations
    # r0 needs a wheelchair position and r1 the credential: only vehicle 0 can serve either
    assert [r.vehicle for r in sol.routes] == [0]


def test_ortools_baseline_verified_on_small_instance() -> None:
    inst = tiny_instance()
    sol = solve_ortools(inst, time_limit=1.0)
    report = check_solution(inst, sol)
    assert report.feasible, report.violations
    assert report.cost == pytest.approx(sol.cost)


class _FakeClock:
    """A clock that advances a millisecond per reading and 0.1 ms per ALNS iteration run: makes a run's chunking,
    restarts and set-partitioning times, and so its result, depend on the seed only."""

    def __init__(self) -> None:
        self.t = 0.0

    def perf_counter(self) -> float:
        self.t += 0.001
        return self.t


def _solve_on_fake_clock(monkeypatch: pytest.MonkeyPatch, inst: Instance, seed: int) -> Solution:
    clock = _FakeClock()
    real_chunk = solver.K_.alns_chunk

    def chunk(inst: KernelInstance, n_iter: int, *rest: object) -> int:
        clock.t += 1e-4 * n_iter
        return int(real_chunk(inst, n_iter, *rest))

    with monkeypatch.context() as patch:
        patch.setattr(solver, "time", clock)
        patch.setattr(solver.K_, "alns_chunk", chunk)
        return solve(inst, time_limit=0.5, seed=seed)


def test_solver_is_deterministic_for_a_seed_on_a_fixed_clock(darp_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inst = read_cordeau(darp_dir / "cordeau2006" / "a2-16.txt")
    first = _solve_on_fake_clock(monkeypatch, inst, seed=4)
    second = _solve_on_fake_clock(monkeypatch, inst, seed=4)
    assert first.routes == second.routes and first.cost == second.cost
    assert first.iterations == second.iterations > 0
    assert first.stats["set_partitioning"], "the recombination ran at its due times"
    assert check_solution(inst, first).feasible


def test_cooling_falls_geometrically_and_restarts_each_cycle() -> None:
    cooling = solver._Cooling.for_run(
        SolverParams(start_worse=0.01, end_temperature_ratio=0.05, annealing_cycles=3, reheat=1.0),
        routing=100.0, time_limit=9.0,
    )
    assert cooling.t0 == pytest.approx(1.0 / math.log(2.0))
    assert cooling.temperature(0.0) == pytest.approx(cooling.t0)
    assert cooling.temperature(1.5) == pytest.approx(cooling.t0 * math.sqrt(0.05))
    assert cooling.temperature(3.0) == pytest.approx(cooling.t0)  # a new cycle starts hot again
    assert [cooling.cycle(t) for t in (0.0, 2.9, 3.0, 8.9)] == [0, 0, 1, 2]


def test_later_cycles_restart_at_the_reheat_fraction_of_the_start_temperature() -> None:
    cooling = solver._Cooling.for_run(
        SolverParams(start_worse=0.01, end_temperature_ratio=0.05, annealing_cycles=3, reheat=0.25),
        routing=100.0, time_limit=9.0,
    )
    assert cooling.temperature(0.0) == pytest.approx(cooling.t0)  # the first cycle starts at t0
    assert cooling.temperature(3.0) == pytest.approx(0.25 * cooling.t0)  # later ones at reheat * t0 ...
    assert cooling.temperature(6.0 - 1e-9) == pytest.approx(cooling.t_end)  # ... and cool to the same end
    assert cooling.temperature(4.5) == pytest.approx(0.25 * cooling.t0 * math.sqrt(0.05 / 0.25))


def test_a_search_started_from_a_plan_begins_at_it_and_ends_no_worse(darp_dir: Path) -> None:
    inst = read_cordeau(darp_dir / "cordeau2006" / "a4-40.txt")
    first = solve(inst, time_limit=0.3, seed=1)
    on = solve(inst, time_limit=0.3, seed=2, start=first)
    assert check_solution(inst, on).feasible
    assert on.stats["trace"][0][1] == pytest.approx(first.cost)  # its first best is the plan it was given
    assert on.cost <= first.cost + 1e-6


def test_a_start_plan_missing_routes_has_their_requests_placed(darp_dir: Path) -> None:
    inst = read_cordeau(darp_dir / "cordeau2006" / "a4-40.txt")
    first = solve(inst, time_limit=0.3, seed=1)
    dropped = {r for route in first.routes[:2] for r in route.requests()}
    part = Solution(cost=0.0, routes=first.routes[2:], unserved=sorted(dropped), feasible=False)
    on = solve(inst, time_limit=0.2, seed=3, start=part)
    report = check_solution(inst, on)
    assert report.feasible and not on.unserved, report.violations


def test_a_start_plan_that_is_not_one_of_the_instance_is_refused(darp_dir: Path) -> None:
    inst = read_cordeau(darp_dir / "cordeau2006" / "a2-16.txt")
    plan = solve(inst, time_limit=0.2, seed=1)
    route = plan.routes[0]
    twice = Solution(0.0, [route, replace(route, vehicle=1 - route.vehicle)], [], False)
    with pytest.raises(ValueError, match="other than once"):
        solve(inst, time_limit=0.1, start=twice)
    backwards = Solution(0.0, [replace(route, stops=[route.stops[0], *reversed(route.stops[1:-1]), route.stops[-1]])],
                         [], False)
    with pytest.raises(ValueError, match="other than once"):
        solve(inst, time_limit=0.1, start=backwards)


def test_a_start_plan_with_a_route_that_breaks_a_constraint_is_refused() -> None:
    # two members at 9:00 from one place to one clinic, on a vehicle with one seat: both aboard at once is refused
    tt = np.array([[0.0, 30.0], [30.0, 0.0]])
    ask = [Request(f"m{i}", 0, 1, TimeWindow(540, 545), TimeWindow(540, 600), 0, 0, (1,), 30) for i in range(2)]
    inst = Instance("one-seat", ask, [Vehicle("v", 0, 0, TimeWindow(480, 720), (1,), 240)], tt, tt, ("seat",))
    P, D = StopKind.PICKUP, StopKind.DROPOFF
    both = Route(0, [Stop(StopKind.START, -1, 0, 510), Stop(P, 0, 0, 540), Stop(P, 1, 0, 540), Stop(D, 0, 1, 570),
                     Stop(D, 1, 1, 570), Stop(StopKind.END, -1, 0, 600)])
    with pytest.raises(ValueError, match="breaks"):
        solve(inst, time_limit=0.1, start=Solution(0.0, [both], [], False))
