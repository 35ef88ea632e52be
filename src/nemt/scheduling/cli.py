"""``nemt bench darp``: our DARP solver against an OR-Tools baseline on the Cordeau/Ropke instances."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer, bench: typer.Typer) -> None:
    @bench.command("darp")
    def darp(
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
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.table import Table

        from .benchmark import InstanceResult, find_instances, gap_pct, run_benchmark, summary
        from .cordeau import InstanceFormatError

        console = Console(stderr=True)
        if baseline not in ("ortools", "none"):
            console.print(f"[red]unknown baseline {baseline!r}; use 'ortools' or 'none'[/red]")
            raise typer.Exit(2)
        only = [s.strip() for s in instances.split(",") if s.strip()] if instances else None
        try:
            total = len(find_instances(data, only))
        except KeyError as exc:
            console.print(f"[red]unknown instance(s): {exc.args[0]}[/red]")
            raise typer.Exit(2) from None
        with Progress(
            TextColumn("[bold]darp[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("", total=total)

            def on_start(name: str) -> None:
                progress.update(task, description=name)

            def on_done(r: InstanceResult) -> None:
                g = gap_pct(r.ours.cost, r.optimum)
                gap = "" if g is None else f"{g:+.2f}%"
                status = "ok" if r.ours.verified else "INFEASIBLE"
                line = f"{r.name}: ours {r.ours.cost:.2f} ({gap}, {status})"
                if r.baseline:
                    gb = gap_pct(r.baseline.cost, r.optimum)
                    gap_b = "" if gb is None else f"{gb:+.2f}%"
                    status_b = "ok" if r.baseline.verified else "INFEASIBLE"
                    line += f"  ortools {r.baseline.cost:.2f} ({gap_b}, {status_b})"
                progress.console.print(line)
                progress.advance(task)

            try:
                results = run_benchmark(
                    data, time_limit, baseline, out, solutions, only, seed, parallel, on_start, on_done
                )
            except InstanceFormatError as exc:
                typer.echo(f"format error: {exc}", err=True)
                raise typer.Exit(2) from None
            except FileNotFoundError as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(2) from None
        table = Table(title=f"DARP benchmark, {time_limit:g} s per solver")
        for col in (
            "class", "n", "our mean gap %", "our max gap %", "ours feasible",
            "OR-Tools mean gap %", "OR-Tools max gap %", "OR-Tools feasible",
        ):
            table.add_column(col)

        def fmt(x: float | None) -> str:
            return "" if x is None else f"{x:.3f}"

        for label, s in summary(results).items():
            table.add_row(
                label, str(s["instances"]), fmt(s["our_mean_gap"]), fmt(s["our_max_gap"]), str(s["our_feasible"]),
                fmt(s["ortools_mean_gap"]), fmt(s["ortools_max_gap"]), str(s["ortools_feasible"]),
            )
        Console().print(table)
        console.print(f"wrote {out}")
