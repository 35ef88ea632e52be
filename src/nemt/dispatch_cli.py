"""Dispatch commands: schedule a day, and the real-time insertion benchmark."""

from __future__ import annotations

import datetime as dt
import json

import typer

dispatch_app = typer.Typer(no_args_is_help=True, help="Vehicle runs: schedule a day.")


@dispatch_app.command("schedule")
def dispatch_schedule(date: str = typer.Option(..., help="YYYY-MM-DD"), program: str = typer.Option("CO"),
                      time_limit: float = typer.Option(10.0, help="seconds for the optimizer")) -> None:
    """Optimize the day's runs (every plan verified by the independent checker) and write them."""
    from nemt.domain.actors import Actor
    from nemt.services import dispatch
    from nemt.services.platform.errors import ServiceError
    from nemt.store.uow import UnitOfWork

    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        typer.echo("date: must be YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None
    try:
        with UnitOfWork() as uow:
            result = dispatch.schedule_day(uow, Actor.system("dispatch-cli"), program.upper(), day,
                                           time_limit=time_limit)
    except ServiceError as exc:
        typer.echo(f"{exc.field}: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(result.__dict__, indent=1))


def register(app: typer.Typer, bench: typer.Typer) -> None:
    app.add_typer(dispatch_app, name="dispatch")

    @bench.command("insertion")
    def bench_insertion(trips: int = typer.Option(500), urgent: int = typer.Option(100),
                        plan_seconds: float = typer.Option(20.0, help="optimizer time for the day's first plan"),
                        baseline_runs: int = typer.Option(10, help="re-solves of the whole day (the baseline)"),
                        baseline_seconds: float = typer.Option(2.0), seed: int = typer.Option(7)) -> None:
        """Urgent insertion into a live day (500 trips, 40 vehicles, road times from nemt.geo): p95 latency,
        beside the baseline of re-solving the whole day."""
        from rich.progress import Progress

        from nemt.services.realtime_bench import run

        with Progress(transient=True) as progress:
            task = progress.add_task("planning the day, then inserting urgent requests", total=urgent)
            figures = run(trips=trips, urgent=urgent, plan_seconds=plan_seconds, baseline_runs=baseline_runs,
                          baseline_seconds=baseline_seconds, seed=seed,
                          progress=lambda n: progress.update(task, completed=n))
        f = figures
        typer.echo(json.dumps(f.__dict__, indent=1))
        ratio = f.baseline_p50_ms / f.p50_ms if f.p50_ms else float("inf")
        typer.echo(f"insertion p50 {f.p50_ms} ms, p95 {f.p95_ms} ms (target 200 ms): "
                   f"{'MET' if f.p95_ms <= 200 else 'NOT MET'}; {f.inserted}/{f.insertions} inserted, "
                   f"{f.verified} verified by the checker; baseline (re-solve the day, {f.baseline_time_limit_s} s "
                   f"limit) p50 {f.baseline_p50_ms} ms = {ratio:.0f}x slower")
