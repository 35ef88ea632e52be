"""``python -m benchmarks geo|claims|insertion|darp|darp-generated|burst|load|audit|queue|live-day|integrity|statewide
…``: each benchmark beside its named baseline (``darp-generated``: a long run of our own solver).

The options and the output of each command are those ``nemt bench …`` had: figures as JSON on stdout (``darp``: a
line per instance and a summary table, the CSV in ``--out``); a bad option or input exits with status 2.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from benchmarks.burst import DEFAULT_POSTGRES_URL

if TYPE_CHECKING:
    from rich.console import Console

    from benchmarks.darp import InstanceResult

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Benchmarks, each against a named baseline run side by side.")

EXIT_ERROR = 2


@app.command("geo")
def bench_geo(
    points: int = typer.Option(500, help="matrix size N (N x N)"),
    grid_side: int = typer.Option(300, help="synthetic street grid side (nodes = side^2; 700 ~ a state)"),
    baseline_pairs: int = typer.Option(100, help="pairs timed for the one-Dijkstra-per-pair baseline"),
) -> None:
    """N x N travel-time matrices: estimator vs a Python haversine loop; road engine vs Dijkstra per pair."""
    from benchmarks.geo import run_benchmark

    print(json.dumps(run_benchmark(points=points, grid_side=grid_side, baseline_pairs=baseline_pairs), indent=2))


@app.command("claims")
def bench_claims(
    lines: int = typer.Option(100_000, help="claim lines of each money path (the Department's; the broker's)"),
    providers: int = typer.Option(20, help="broker-area providers sharing the broker path's lines"),
    baseline: bool = typer.Option(True, help="also validate every file with pyx12 (the named baseline)"),
    memory: bool = typer.Option(True, help="also measure each step's peak heap (tracemalloc, a second run)"),
    output: Path | None = typer.Option(None, help="keep every file in this folder (<kind>-<n>.x12)"),
) -> None:
    """The money path at N lines: the Department's 837P; the broker's claims (an 837P per provider), its payments
    (an 835 per provider) and its encounter files to the state (837P, BHT06 RP); each file beside pyx12's
    validation of it."""
    from benchmarks.claims import run_benchmark

    try:
        result = run_benchmark(lines=lines, providers=providers, with_baseline=baseline, memory=memory, output=output)
    except ValueError as exc:
        sys.stderr.write(f"error: --lines/--providers: {exc}\n")
        raise typer.Exit(EXIT_ERROR) from None
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


@app.command("insertion")
def bench_insertion(trips: int = typer.Option(500), urgent: int = typer.Option(100),
                    plan_seconds: float = typer.Option(20.0, help="optimizer time for the day's first plan"),
                    baseline_runs: int = typer.Option(10, help="re-solves of the whole day (the baseline)"),
                    baseline_seconds: float = typer.Option(2.0), seed: int = typer.Option(7)) -> None:
    """Urgent insertion into a live day (500 trips and 40 vehicles by default; the fleet scaled alike above 500 trips;
    road times from nemt.geo): p95 latency (target 200 ms, 20 ms from 5,000 trips), beside the baseline of
    re-solving the whole day."""
    from rich.progress import Progress

    from benchmarks.insertion import run

    with Progress(transient=True) as progress:
        task = progress.add_task("planning the day, then inserting urgent requests", total=urgent)
        f = run(trips=trips, urgent=urgent, plan_seconds=plan_seconds, baseline_runs=baseline_runs,
                baseline_seconds=baseline_seconds, seed=seed, progress=lambda n: progress.update(task, completed=n))
    typer.echo(json.dumps(f.__dict__, indent=1))
    ratio = f.baseline_p50_ms / f.p50_ms if f.p50_ms else float("inf")
    typer.echo(f"insertion p50 {f.p50_ms} ms, p95 {f.p95_ms} ms (target {f.p95_target_ms:g} ms): "
               f"{'MET' if f.p95_met else 'NOT MET'}; {f.inserted}/{f.insertions} inserted, "
               f"{f.verified} verified by the checker; baseline (re-solve the day, {f.baseline_time_limit_s} s "
               f"limit) p50 {f.baseline_p50_ms} ms = {ratio:.0f}x slower")


@app.command("burst")
def bench_burst(
    database_url: str = typer.Option(DEFAULT_POSTGRES_URL, help="PostgreSQL database "
                                     "(each deployment gets a fresh schema in it, dropped afterwards)"),
    workers: int | None = typer.Option(None, help="gunicorn workers of the production deployment "
                                       "[default: deploy/gunicorn.conf.py's, 3 per core]"),
    requests: int = typer.Option(300, help="concurrent requests of the burst"),
    rate: float = typer.Option(50.0, help="bookings per second of the steady run"),
    seconds: float = typer.Option(30.0, help="length of the booking run"),
    baseline: bool = typer.Option(True, help="also run the baseline (1 worker, no admission control)"),
) -> None:
    """A burst of concurrent requests and a steady booking run against a real server on PostgreSQL: the production
    settings beside the baseline of today's settings before issue 14 (p50/p99, 503s, 500s, recovery time)."""
    from benchmarks.burst import run_benchmark

    report = run_benchmark(postgres_url=database_url, workers=workers, requests=requests, rate=rate,
                           seconds=seconds, with_baseline=baseline)
    sys.stdout.write(json.dumps(report, indent=2) + "\n")


@app.command("audit")
def bench_audit(
    database: str | None = typer.Option(None, help="Database URL (a fresh schema of it is used; PostgreSQL is the "
                                                   "case that matters); default: a temporary SQLite file."),
    writers: int = typer.Option(8, help="concurrent writers"),
    transactions: int = typer.Option(400, help="commits, shared among the writers"),
    events: int = typer.Option(1, help="audit events per commit"),
) -> None:
    """Audit-writing throughput with the hash chain vs the same inserts unchained (the named baseline)."""
    from benchmarks.audit import run_benchmark

    typer.echo(json.dumps(run_benchmark(url=database, writers=writers, transactions=transactions, events=events),
                          indent=2))


@app.command("queue")
def bench_queue(
    tasks: int = typer.Option(1000, help="small tasks enqueued at once (latency and throughput)"),
    task_seconds: float = typer.Option(4.0, help="length of the task whose worker is killed"),
    kill_wait: float = typer.Option(75.0, help="seconds to wait for the killed worker's task to finish elsewhere"),
    only: str | None = typer.Option(None, help="comma-separated subset, e.g. dramatiq-rabbitmq,celery-redis"),
) -> None:
    """Celery and Dramatiq on Redis and RabbitMQ: enqueue-to-start latency, throughput, and a worker killed
    mid-task (docs/jobs.md: the choice)."""
    from benchmarks.queue import run_benchmark

    names = [s.strip() for s in only.split(",") if s.strip()] if only else None
    report = run_benchmark(tasks=tasks, task_seconds=task_seconds, kill_wait=kill_wait, only=names,
                           progress=lambda name: typer.echo(f"measuring {name}", err=True))
    typer.echo(json.dumps(report, indent=2))


@app.command("live-day")
def bench_live_day(legs: int = typer.Option(500, help="legs of the day (round trips of the metro members)"),
                   events: int = typer.Option(150, help="events replayed over the day, each kind in its hours"),
                   plan_seconds: float = typer.Option(30.0, help="optimizer time for the plan at 05:00"),
                   baseline_seconds: float = typer.Option(2.0, help="re-solve limit of the baseline at each event"),
                   seed: int = typer.Option(13)) -> None:
    """A Colorado day through the dispatch services: planned at 05:00, 150 events applied in time order, each plan
    checked; p50/p95 per event, legs served within their windows, miles; beside re-solving from scratch."""
    from rich.progress import Progress

    from benchmarks.live_day import run as run_live_day

    with Progress(transient=True) as progress:
        task = progress.add_task("planning the day, then replaying its events", total=events)
        f = run_live_day(legs=legs, events=events, plan_seconds=plan_seconds, baseline_seconds=baseline_seconds,
                         seed=seed, progress=lambda n: progress.update(task, completed=n))
    typer.echo(json.dumps(f.__dict__, indent=1))
    typer.echo(f"event p50 {f.p50_ms} ms, p95 {f.p95_ms} ms wall (CPU p50 {f.cpu_p50_ms} ms, p95 {f.cpu_p95_ms} ms, "
               f"{f.checker_cpu_share:.0%} of it the checker); {f.events} of {f.events_drawn} events applied; "
               f"{f.verified} re-checks of the day (one after each event) passed the checker; "
               f"{f.share_in_window:.1%} of {f.legs} legs served within their windows, {f.miles} miles; baseline "
               f"(re-solve, {f.baseline_time_limit_s:g} s) p50 {f.baseline_p50_ms} ms, p95 {f.baseline_p95_ms} ms wall "
               f"(CPU p50 {f.baseline_cpu_p50_ms} ms, p95 {f.baseline_cpu_p95_ms} ms)")


@app.command("integrity")
def bench_integrity(
    seed: int = typer.Option(7, help="seed of the synthetic world"),
    providers: int = typer.Option(40, help="transportation providers (one of them dormant, then bursting)"),
    days: int = typer.Option(30, help="days of the scanned month (after 8 history weeks)"),
    program: str = typer.Option("CO", help="the program whose [integrity] policy runs"),
) -> None:
    """Integrity edits and provider scores on a synthetic month with known schemes: recall and false positives per
    scheme and the scan time, beside the baseline of the manual's edits alone."""
    from benchmarks.integrity import run_benchmark

    typer.echo(json.dumps(run_benchmark(seed=seed, providers=providers, days=days, program=program), indent=2))


@app.command("statewide")
def bench_statewide(
    trips: int = typer.Option(1000, min=2, help="requests of the day (round trips of trips/2 members)"),
    split: str = typer.Option("clusters,seeds", help="the splits to run, comma-separated: clusters (pick-ups "
                              "clustered, vehicles whole by base), seeds (the whole day per worker, best kept)"),
    regions: int = typer.Option(2, min=1, max=64, help="clusters of pick-ups, or seeds"),
    slices: int = typer.Option(1, min=1, max=8, help="time slices of each cluster's requests"),
    time_limit: float | None = typer.Option(None, help="a region's search time on average in seconds, shared "
                                                       "by size (default 60 per 1,000 trips)"),
    day_seconds: float | None = typer.Option(None, min=0.1, help="instead of --time-limit: the whole day's search "
                                             "time per 1,000 trips, shared among the regions (for --curve: the "
                                             "same time per trip at every size)"),
    workers: int = typer.Option(2, min=1, max=16, help="worker processes of the queue"),
    seed: int = typer.Option(2026),
    database_url: str = typer.Option(DEFAULT_POSTGRES_URL, help="PostgreSQL database (a fresh schema of it is used, "
                                     "dropped afterwards)"),
    reference_seconds: float = typer.Option(0.0, min=0.0, help="also solve the whole day in one process for this "
                                            "long, as the quality reference (the issue's: 3600); 0: no reference"),
    curve: str = typer.Option("", help="the scaling curve: sizes to run one after the other, comma-separated "
                              "(e.g. 1000,2500,5000,10000,20000); replaces --trips"),
) -> None:
    """A synthetic Colorado weekday over the whole state solved by regions on the task queue's workers (RabbitMQ,
    PostgreSQL), beside the single-process solve at the same wall time (and, with --reference-seconds, a long
    single-process run as the quality reference); every plan verified."""
    from rich.progress import Progress

    from benchmarks.statewide import run as run_statewide
    from benchmarks.statewide import verdict

    sizes = [int(x) for x in curve.split(",") if x.strip()] if curve else [trips]
    def one_day(size: int) -> dict:
        with Progress(transient=True) as progress:
            task = progress.add_task("solving the day by regions", total=100)
            return run_statewide(trips=size, splits=tuple(x.strip() for x in split.split(",") if x.strip()),
                                 regions=regions, slices=slices, time_limit=time_limit, day_seconds=day_seconds,
                                 workers=workers,
                                 seed=seed, postgres_url=database_url, reference_seconds=reference_seconds,
                                 tick=lambda p, m: progress.update(task, completed=p, description=m),
                                 say=lambda s: progress.console.print(s))

    for size in sizes:
        report = one_day(size)
        typer.echo(json.dumps(report, indent=1))
        s = report["single_process"]
        for name, q in report["queue"].items():
            typer.echo(f"{size} requests, {report['vehicles']} vehicles: through the queue split by {name} "
                       f"({workers} workers, {q['regions']} regions) {q['seconds']:g} s, {q['cost_miles']:,.0f} "
                       f"miles, {q['vehicles_used']} vehicles, {q['unserved']} unserved, verified: {q['verified']}")
        typer.echo(f"one process, the whole day in {s['seconds']:g} s: {s['cost_miles']:,.0f} miles, "
                   f"{s['vehicles_used']} vehicles, {s['unserved']} unserved, verified: {s['verified']}")
        if "reference" in report:
            r = report["reference"]
            typer.echo(f"the reference, one process for {r['seconds']:g} s: {r['cost_miles']:,.0f} miles, "
                       f"{r['unserved']} unserved, verified: {r['verified']}")
        typer.echo(verdict(report))


@app.command("load")
def bench_load(
    rate: float = typer.Option(50.0, min=0.1, help="requests a second, in all (the mix: 40 % member searches, 35 % "
                               "a member's rides, 25 % bookings)"),
    duration: float = typer.Option(300.0, min=1.0, help="seconds of load for each deployment"),
    arrivals: str = typer.Option("spread", help="spread: each agent once a second at its own phase; poisson: the "
                                 "agents together a Poisson stream of the same rate"),
    workers: int | None = typer.Option(None, min=1, max=16, help="gunicorn worker processes of the production "
                                       "deployment [default: deploy/gunicorn.conf.py's, 3 per core]"),
    members: int = typer.Option(2000, min=10, help="generated members (besides the demo's)"),
    agents: int = typer.Option(20, min=1, help="call-center agents, each with an API token"),
    baseline: bool = typer.Option(True, help="also run the one-process baseline (nemt serve)"),
    profile: Path | None = typer.Option(None, help="also run one process under cProfile; its profile to this file"),
    database_url: str = typer.Option(DEFAULT_POSTGRES_URL, help="PostgreSQL database (a fresh schema of it per "
                                     "deployment, dropped afterwards)"),
) -> None:
    """The call center's load on a real server over PostgreSQL (Locust, constant rate): p50/p95/p99 and errors per
    kind, production (gunicorn) beside one uvicorn process; MET when p99 <= 100 ms with no error."""
    from benchmarks.load import TARGET_P99_MS, run_benchmark
    from benchmarks.load_pacing import ARRIVALS

    if arrivals not in ARRIVALS:
        raise typer.BadParameter(f"one of {', '.join(ARRIVALS)}", param_hint="--arrivals")
    report = run_benchmark(postgres_url=database_url, rate=rate, duration=duration, workers=workers,
                           members=members, agents=agents, with_baseline=baseline, profile=profile,
                           arrivals=arrivals)
    typer.echo(json.dumps(report, indent=1))
    p = report["production"]["overall"]
    typer.echo(f"{'MET' if report['met'] else 'NOT MET'}: production p99 {p['p99_ms']} ms (target <= "
               f"{TARGET_P99_MS:g} ms), {p['errors']} errors of {p['requests']} requests at "
               f"{report['production']['achieved_rate_per_s']} per s")


@app.command("darp")
def bench_darp(
    data: Path = typer.Option(..., "--data", help="Folder with instance files (searched recursively) and bks.csv."),
    time_limit: float = typer.Option(60.0, "--time-limit", help="Seconds per instance, per solver."),
    baseline: str = typer.Option("ortools", "--baseline", help="'ortools' or 'none'."),
    solutions: Path | None = typer.Option(
        None, "--solutions", help="Write INSTANCE.json for each of our solutions here (baseline's in a subfolder)."
    ),
    out: Path = typer.Option(Path("results.csv"), "--out", help="CSV file to write."),
    instances: str | None = typer.Option(None, "--instances", help="Comma-separated subset, e.g. a2-16,b4-24."),
    seed: int = typer.Option(1, "--seed"),
    parallel: bool = typer.Option(
        True, "--parallel/--sequential",
        help="Run ours and the baseline at the same time in two processes, or one after the other.",
    ),
) -> None:
    """Benchmark the DARP solver against a baseline; every solution is checked independently."""
    from rich.console import Console

    from benchmarks.darp import find_instances

    console = Console(stderr=True)
    if baseline not in ("ortools", "none"):
        console.print(f"[red]unknown baseline {baseline!r}; use 'ortools' or 'none'[/red]")
        raise typer.Exit(EXIT_ERROR)
    only = [s.strip() for s in instances.split(",") if s.strip()] if instances else None
    try:
        total = len(find_instances(data, only))
    except KeyError as exc:
        console.print(f"[red]unknown instance(s): {exc.args[0]}[/red]")
        raise typer.Exit(EXIT_ERROR) from None
    results = _run_darp(console, total, data, time_limit, baseline, out, solutions, only, seed, parallel)
    _print_darp_summary(results, time_limit)
    console.print(f"wrote {out}")


def _run_darp(console: Console, total: int, data: Path, time_limit: float, baseline: str, out: Path,
              solutions: Path | None, only: list[str] | None, seed: int, parallel: bool) -> list[InstanceResult]:
    """Run the benchmark with a progress bar and a line per instance on stderr; a bad file exits 2."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from benchmarks.darp import run_benchmark
    from nemt.scheduling.cordeau import InstanceFormatError

    columns = (TextColumn("[bold]darp[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("", total=total)

        def on_start(name: str) -> None:
            progress.update(task, description=name)

        def on_done(r: InstanceResult) -> None:
            progress.console.print(_instance_line(r))
            progress.advance(task)

        try:
            return run_benchmark(data, time_limit, baseline, out, solutions, only, seed, parallel, on_start, on_done)
        except InstanceFormatError as exc:
            typer.echo(f"format error: {exc}", err=True)
            raise typer.Exit(EXIT_ERROR) from None
        except FileNotFoundError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(EXIT_ERROR) from None


def _instance_line(r: InstanceResult) -> str:
    from benchmarks.darp import gap_pct

    g = gap_pct(r.ours.cost, r.optimum)
    gap = "" if g is None else f"{g:+.2f}%"
    status = "ok" if r.ours.verified else "INFEASIBLE"
    line = f"{r.name}: ours {r.ours.cost:.2f} ({gap}, {status})"
    if r.baseline:
        gb = gap_pct(r.baseline.cost, r.optimum)
        gap_b = "" if gb is None else f"{gb:+.2f}%"
        status_b = "ok" if r.baseline.verified else "INFEASIBLE"
        line += f"  ortools {r.baseline.cost:.2f} ({gap_b}, {status_b})"
    return line


def _print_darp_summary(results: list[InstanceResult], time_limit: float) -> None:
    from rich.console import Console
    from rich.table import Table

    from benchmarks.darp import summary

    table = Table(title=f"DARP benchmark, {time_limit:g} s per solver")
    for col in ("class", "n", "our mean gap %", "our max gap %", "ours feasible",
                "OR-Tools mean gap %", "OR-Tools max gap %", "OR-Tools feasible"):
        table.add_column(col)

    def fmt(x: float | None) -> str:
        return "" if x is None else f"{x:.3f}"

    for label, s in summary(results).items():
        table.add_row(label, str(s["instances"]), fmt(s["our_mean_gap"]), fmt(s["our_max_gap"]), str(s["our_feasible"]),
                      fmt(s["ortools_mean_gap"]), fmt(s["ortools_max_gap"]), str(s["ortools_feasible"]))
    Console().print(table)


@app.command("darp-generated")
def bench_darp_generated(
    sizes: str | None = typer.Option(None, "--sizes", help="Size classes (requests), comma-separated; default "
                                     "100,200,400 when generating, every size found with --data."),
    per_class: int = typer.Option(3, "--per-class", min=1, help="Instances generated per size class."),
    seed: int = typer.Option(1, "--seed", help="Generator seed of a class's first instance (the next: +1, ...)."),
    solver_seed: int = typer.Option(1, "--solver-seed", help="Solver seed of both runs."),
    sets: str = typer.Option("a,b", "--sets", help="Instance sets cycled through: a (load 1), b (load 1-6)."),
    windows: str = typer.Option("tight,wide", "--windows", help="Window widths cycled through: tight (10 min), "
                                "wide (30-60 min)."),
    depots: int = typer.Option(0, "--depots", min=0, help="Depots of every instance; 0: by size (2 at 100 "
                               "requests, one more each doubling)."),
    data: Path | None = typer.Option(None, "--data", help="Read the instances (*.txt, recursively) from this folder "
                                     "instead of generating them."),
    save: Path = typer.Option(Path("var/bench/darp-generated"), "--save", help="Folder the generated instances are "
                              "written to (and solved from)."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.1, help="Seconds of the short run."),
    reference_seconds: float = typer.Option(600.0, "--reference-seconds", min=0.1, help="Seconds of the long run "
                                            "(the reference)."),
    jobs: int = typer.Option(1, "--jobs", min=1, max=2, help="Solves side by side in worker processes (1: inline)."),
    out: Path = typer.Option(Path("var/bench/darp-generated.csv"), "--out", help="CSV to write; the JSON beside it."),
) -> None:
    """Larger generated dial-a-ride instances (several depots, tight and wide windows): our solver's short run against
    a long reference run, every plan checked; a table by size class."""
    from rich.console import Console
    from rich.table import Table

    from benchmarks.darp_generated_run import NOTE, TABLE_COLUMNS, run_benchmark, summary, table_rows, write_outputs
    from nemt.scheduling.cordeau import InstanceFormatError

    console = Console(stderr=True)
    try:
        paths = _generated_paths(sizes, per_class, seed, sets, windows, depots, data, save)
    except (ValueError, InstanceFormatError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    console.print(f"{len(paths)} instances, {time_limit:g} s against {reference_seconds:g} s each, {jobs} job(s)")
    started = time.perf_counter()
    seconds = {"short": time_limit, "long": reference_seconds}
    results = run_benchmark(paths, time_limit, reference_seconds, solver_seed, jobs, on_done=lambda r: console.print(
        f"{r.name}: short {r.short.cost:.2f} ({'ok' if r.short.verified else 'FAILED'}), long {r.long.cost:.2f} "
        f"({'ok' if r.long.verified else 'FAILED'}), gap {'-' if r.gap() is None else f'{r.gap():+.3f}%'}"),
        on_start=lambda name, which: console.print(f"{name}: the {which} run ({seconds[which]:g} s)", style="dim"))
    settings = {"time_limit": time_limit, "reference_seconds": reference_seconds, "solver_seed": solver_seed,
                "jobs": jobs, "generator_seed": None if data else seed, "data": str(data or save),
                "wall_seconds": round(time.perf_counter() - started, 1)}
    csv_path, json_path = write_outputs(out, results, settings)
    table = Table(title=f"generated instances: {time_limit:g} s against {reference_seconds:g} s, {jobs} job(s)")
    for col in TABLE_COLUMNS:
        table.add_column(col)
    for row in table_rows(summary(results)):
        table.add_row(*row)
    screen = Console()
    Console(width=max(screen.width, 140)).print(table)  # wide enough for every column when piped to a file
    typer.echo(NOTE)
    typer.echo(f"wrote {csv_path} and {json_path}")


def _generated_paths(sizes: str | None, per_class: int, seed: int, sets: str, windows: str, depots: int,
                     data: Path | None, save: Path) -> list[Path]:
    """The instance files to solve: read from ``data`` (filtered by ``sizes``) or generated into ``save``."""
    from benchmarks.darp_generated import class_specs, write_generated
    from nemt.scheduling.cordeau import parse_cordeau

    def names(text: str) -> list[str]:
        return [x.strip() for x in text.split(",") if x.strip()]

    try:
        wanted = [int(x) for x in names(sizes)] if sizes else None
    except ValueError:
        raise ValueError(f"--sizes: expected numbers of requests, e.g. 100,200,400, not {sizes!r}") from None
    if data is not None:
        sized = [(p, parse_cordeau(p)[0].requests) for p in sorted(data.rglob("*.txt"))]  # a bad file fails here
        chosen = [p for p, n in sized if wanted is None or n in wanted]
        if not chosen:
            raise ValueError(f"--data: no instance files (*.txt) of the chosen sizes under {data}")
        return chosen
    specs = class_specs(wanted or [100, 200, 400], per_class, seed, names(sets), names(windows), depots)
    return [write_generated(spec, save) for spec in specs]


def main() -> None:
    app()


if __name__ == "__main__":
    main()
