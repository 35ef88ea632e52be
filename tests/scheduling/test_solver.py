from __future__ import annotations

from pathlib import Path

import pytest

from nemt.scheduling import check_solution, read_cordeau, solve
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
