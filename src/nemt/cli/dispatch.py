"""Dispatch commands: schedule a day's vehicle runs."""

from __future__ import annotations

import json

import typer

from nemt.cli.errors import date_option, reported

dispatch_app = typer.Typer(no_args_is_help=True, help="Vehicle runs: schedule a day.")


@dispatch_app.command("schedule")
def dispatch_schedule(date: str = typer.Option(..., help="YYYY-MM-DD"), program: str = typer.Option("CO"),
                      time_limit: float = typer.Option(10.0, help="seconds for the optimizer")) -> None:
    """Optimize the day's runs (every plan verified by the independent checker) and write them; the steps and how
    far it is are printed to standard error as it goes, the result to standard output as JSON."""
    from nemt.domain.actors import Actor
    from nemt.services import dispatch
    from nemt.store.uow import UnitOfWork

    day = date_option(date, "--date")
    with reported(), UnitOfWork() as uow:
        result = dispatch.schedule_day(uow, Actor.system("dispatch-cli"), program.upper(), day, time_limit=time_limit,
                                       progress=_print_progress)
    typer.echo(json.dumps(result.__dict__, indent=1))


def _print_progress(percent: int, message: str) -> None:
    typer.echo(f"[{percent:3d}%] {message}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(dispatch_app, name="dispatch")
