"""The DARP benchmark behind ``python -m benchmarks darp``: our solver against an OR-Tools baseline.

For every instance file under the data folder (Cordeau 2006 / Ropke et al. 2007 format) both solvers
get the same time limit on the same machine, every returned solution is verified by the independent
checker (:mod:`nemt.scheduling.checker`), and gaps are taken against the proven optima in ``bks.csv``.
"""

from __future__ import annotations

import csv
import json
import math
import os
import platform
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from nemt.scheduling.checker import check_solution
from nemt.scheduling.cordeau import read_bks, read_cordeau, solution_to_node_routes
from nemt.scheduling.model import Instance, Solution

CSV_COLUMNS = [
    "instance", "class", "optimum",
    "our_cost", "our_gap_pct", "our_verified", "our_seconds",
    "ortools_cost", "ortools_gap_pct", "ortools_verified", "ortools_seconds",
    "time_limit", "mode",
]


@dataclass
class SolverRun:
    cost: float
    verified: bool
    seconds: float
    solution: Solution | None
    violations: list[str]


@dataclass
class InstanceResult:
    name: str
    optimum: float | None
    ours: SolverRun
    baseline: SolverRun | None


def find_instances(data: Path, only: list[str] | None = None) -> list[Path]:
    """Instance files (``*.txt``) under ``data``, recursively, sorted by class, vehicles, requests."""
    files = [p for p in data.rglob("*.txt") if p.is_file()]

    def key(p: Path) -> tuple[str, int, int]:
        m = re.fullmatch(r"([a-z]+)(\d+)-(\d+)", p.stem)
        return (m.group(1), int(m.group(2)), int(m.group(3))) if m else (p.stem, 0, 0)

    files.sort(key=key)
    if only:
        by_name = {p.stem: p for p in files}
        missing = [n for n in only if n not in by_name]
        if missing:
            raise KeyError(", ".join(missing))
        files = [by_name[n] for n in only]
    return files


def instance_class(name: str) -> str:
    m = re.match(r"[a-z]+", name)
    return m.group(0) if m else "?"


def _run_solver(which: str, path: str, time_limit: float, seed: int) -> tuple[Solution, float]:
    """Runs in a worker process (or inline): parse, solve, return (solution, wall seconds)."""
    import time

    instance = read_cordeau(path)
    if which == "ours":
        from nemt.scheduling.solver import solve

        sol = solve(instance, time_limit=time_limit, seed=seed)
        return sol, sol.runtime
    from nemt.scheduling.ortools_baseline import solve_ortools

    tic = time.perf_counter()
    sol = solve_ortools(instance, time_limit=time_limit, seed=seed)
    return sol, time.perf_counter() - tic


def _verify(instance: Instance, solution: Solution, seconds: float) -> SolverRun:
    if not solution.routes and solution.unserved:
        return SolverRun(math.inf, False, seconds, solution, ["no solution"])
    report = check_solution(instance, solution)
    return SolverRun(report.cost, report.feasible, seconds, solution, report.messages)


def gap_pct(cost: float, optimum: float | None) -> float | None:
    if optimum is None or not math.isfinite(cost):
        return None
    return 100.0 * (cost - optimum) / optimum


def write_solution_json(path: Path, name: str, instance: Instance, solution: Solution) -> None:
    """``{"instance": name, "cost": float, "routes": [[[node_id, service_start], ...], ...]}``."""
    payload = {
        "instance": name,
        "cost": solution.cost,
        "routes": [[[node, start] for node, start in route] for route in solution_to_node_routes(instance, solution)],
    }
    path.write_text(json.dumps(payload, indent=1) + "\n")


def run_benchmark(
    data: Path,
    time_limit: float,
    baseline: str,
    out: Path,
    solutions: Path | None = None,
    only: list[str] | None = None,
    seed: int = 1,
    parallel: bool = True,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[InstanceResult], None] | None = None,
) -> list[InstanceResult]:
    """Run the benchmark and write the CSV. Raises InstanceFormatError / KeyError / FileNotFoundError early."""
    files = find_instances(data, only)
    if not files:
        raise FileNotFoundError(f"no instance files (*.txt) under {data}")
    instances = {p.stem: read_cordeau(p) for p in files}  # parse everything first: format errors fail fast
    bks_path = data / "bks.csv"
    optima = read_bks(bks_path) if bks_path.exists() else {}
    if solutions is not None:
        solutions.mkdir(parents=True, exist_ok=True)
        if baseline != "none":
            (solutions / baseline).mkdir(exist_ok=True)
    mode = "parallel" if parallel and baseline != "none" else "sequential"
    results: list[InstanceResult] = []
    pool = ProcessPoolExecutor(max_workers=2) if mode == "parallel" else None
    try:
        for path in files:
            name = path.stem
            instance = instances[name]
            if on_start:
                on_start(name)
            base: tuple[Solution, float] | None
            if pool is not None:
                fut_ours = pool.submit(_run_solver, "ours", str(path), time_limit, seed)
                fut_base = pool.submit(_run_solver, baseline, str(path), time_limit, seed)
                ours_sol, ours_s = fut_ours.result()
                base = fut_base.result()
            else:
                ours_sol, ours_s = _run_solver("ours", str(path), time_limit, seed)
                base = _run_solver(baseline, str(path), time_limit, seed) if baseline != "none" else None
            ours = _verify(instance, ours_sol, ours_s)
            base_run = _verify(instance, base[0], base[1]) if base is not None else None
            result = InstanceResult(name, optima.get(name), ours, base_run)
            results.append(result)
            if solutions is not None:
                write_solution_json(solutions / f"{name}.json", name, instance, ours_sol)
                if base is not None and base[0].routes:
                    write_solution_json(solutions / baseline / f"{name}.json", name, instance, base[0])
            write_csv(out, results, time_limit, mode)
            if on_done:
                on_done(result)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return results


def _fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return ""
    return f"{x:.{digits}f}"


def summary(results: list[InstanceResult]) -> dict[str, dict[str, float | int | None]]:
    """Mean gaps and feasible counts, overall and per class (a, b)."""
    groups: dict[str, list[InstanceResult]] = {"all": results}
    for r in results:
        groups.setdefault(instance_class(r.name), []).append(r)
    out = {}
    for label, rs in groups.items():
        ours = [g for r in rs if r.ours.verified and (g := gap_pct(r.ours.cost, r.optimum)) is not None]
        base = [
            g for r in rs
            if r.baseline and r.baseline.verified and (g := gap_pct(r.baseline.cost, r.optimum)) is not None
        ]
        out[label] = {
            "instances": len(rs),
            "our_mean_gap": mean(ours) if ours else None,
            "our_max_gap": max(ours) if ours else None,
            "our_feasible": sum(r.ours.verified for r in rs),
            "ortools_mean_gap": mean(base) if base else None,
            "ortools_max_gap": max(base) if base else None,
            "ortools_feasible": sum(bool(r.baseline and r.baseline.verified) for r in rs),
        }
    return out


def write_csv(out: Path, results: list[InstanceResult], time_limit: float, mode: str) -> None:
    """One row per instance, then mean-gap rows (all, per class) and feasible counts.

    Mean gaps are over the solutions the checker verified; ``*_verified`` on the summary rows holds
    the number of verified (feasible) solutions.
    """
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for r in results:
            b = r.baseline
            w.writerow([
                r.name, instance_class(r.name), _fmt(r.optimum),
                _fmt(r.ours.cost, 4), _fmt(gap_pct(r.ours.cost, r.optimum), 3), r.ours.verified,
                _fmt(r.ours.seconds, 1),
                _fmt(b.cost, 4) if b else "", _fmt(gap_pct(b.cost, r.optimum), 3) if b else "",
                b.verified if b else "", _fmt(b.seconds, 1) if b else "",
                time_limit, mode,
            ])
        for label, s in summary(results).items():
            w.writerow([
                f"MEAN({label})", label if label != "all" else "", "",
                "", _fmt(s["our_mean_gap"], 3), s["our_feasible"], "",
                "", _fmt(s["ortools_mean_gap"], 3), s["ortools_feasible"], "",
                time_limit, mode,
            ])
        w.writerow([f"# {len(results)} instances, time limit {time_limit:g} s per solver, mode {mode},"
                    f" {os.cpu_count()} cores, {platform.processor() or platform.machine()}"])
