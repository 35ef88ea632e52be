"""Dispatch commands: schedule a day's vehicle runs, as a plan-day job of ``nemt.jobs`` (the same job as the board's
"Schedule the day" and ``nemt jobs submit plan-day``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from nemt.cli.errors import date_option, fail, reported

if TYPE_CHECKING:
    from nemt.jobs import JobView

dispatch_app = typer.Typer(no_args_is_help=True, help="Vehicle runs: schedule a day.")

#: Seconds between two looks at a job a worker of the queue runs.
POLL_SECONDS = 0.5


@dispatch_app.command("schedule")
def dispatch_schedule(date: str = typer.Option(..., help="YYYY-MM-DD"), program: str = typer.Option("CO"),
                      time_limit: float = typer.Option(10.0, help="seconds for the optimizer"),
                      regions: int = typer.Option(1, help="solve the day in this many regions, one job each, on the "
                                                          "workers (each searching --time-limit seconds)")) -> None:
    """Optimize the day's runs (every plan verified by the independent checker) and write them; the steps and how
    far it is are printed to standard error as it goes, the result to standard output as JSON. Without a broker
    (``NEMT_JOBS_BROKER``) the job runs in this command; with one, a worker runs it and this command follows it."""
    from nemt import jobs
    from nemt.settings import get_settings
    from nemt.store.uow import UnitOfWork

    day = date_option(date, "--date")
    runner = None if get_settings().jobs_broker else jobs.Foreground(UnitOfWork, _print_progress)
    with reported():
        job = jobs.submit_plan_day(UnitOfWork, program, day, time_limit=time_limit, requested_by="dispatch-cli",
                                   rerun_done=True, to=runner, regions=regions)
        job = jobs.status(UnitOfWork, job.key)
        if not job.finished:  # a worker runs it, or a plan of the day already running: follow it
            job = _follow(job.key)
    if job.state == jobs.JobState.FAILED:
        fail(job.field or "schedule", job.error or "scheduling failed", job.rule or "plan-day job")
    typer.echo(json.dumps(job.result, indent=1))


def _follow(key: str) -> JobView:
    """Print each new step of a job a worker runs until it is finished; its last record."""
    import time

    from nemt import jobs
    from nemt.store.uow import UnitOfWork

    said: tuple[int, str] | None = None
    while True:
        job = jobs.status(UnitOfWork, key)
        if (job.progress, job.message) != said and not job.finished:
            said = (job.progress, job.message)
            _print_progress(*said)
        if job.finished:
            return job
        time.sleep(POLL_SECONDS)  # not a timed Event.wait: that can hang under a moved clock (libfaketime)


def _print_progress(percent: int, message: str) -> None:
    typer.echo(f"[{percent:3d}%] {message}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(dispatch_app, name="dispatch")
