from __future__ import annotations

import math
from pathlib import Path

import pytest

from nemt.scheduling import Instance, Solution, SolverParams, check_solution, read_cordeau, solve, solver
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
