"""Job commands: ``nemt jobs submit plan-day`` (or ``prepare-matrix``), ``nemt jobs status KEY``, ``nemt jobs list``,
``nemt jobs worker``.

With ``NEMT_JOBS_BROKER`` unset a submitted job runs in this process (the command waits for it); with a broker it
goes to the queue and ``nemt jobs worker`` processes run it — on this machine or any other that reaches the same
database and broker (README "Running jobs on several machines").
"""

from __future__ import annotations

import json
import signal
import threading
import time
from typing import TYPE_CHECKING, Any

import typer

from nemt.cli.errors import date_option, fail, reported

if TYPE_CHECKING:
    from nemt.jobs import JobView
    from nemt.jobs.records import UowFactory

jobs_app = typer.Typer(no_args_is_help=True, help="Background jobs: plan a day on a worker, follow its progress.")

POLL_SECONDS = 0.5
#: The kinds of job a command submits (the region, stitch and solve-day jobs are submitted by the jobs themselves).
SUBMITTED = ("plan-day", "prepare-matrix")


def _uow() -> UowFactory:
    from nemt.store.uow import UnitOfWork

    return UnitOfWork


def _as_dict(job: JobView) -> dict[str, Any]:
    return {"key": job.key, "kind": job.kind, "state": job.state, "progress": job.progress, "message": job.message,
            "attempts": job.attempts, "worker": job.worker, "result": job.result, "error": job.error}


def _follow(make_uow: UowFactory, key: str) -> JobView:
    """A progress bar (on stderr) until the job is done or failed; its last record."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from nemt import jobs

    columns = (TextColumn(f"[bold]{key}[/bold]"), BarColumn(), TaskProgressColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=100)
        while True:
            job = jobs.status(make_uow, key)
            bar.update(task, completed=job.progress, description=f"{job.state}: {job.message}")
            if job.finished:
                return job
            time.sleep(POLL_SECONDS)  # not a timed Event.wait: that can hang under a moved clock (libfaketime)


@jobs_app.command("submit")
def jobs_submit(kind: str = typer.Argument(..., help="plan-day or prepare-matrix (the travel matrix of the day, kept "
                                                      "for its plan)"),
                program: str = typer.Option("CO", help="the program, or 'all': the day-ahead plan of every program"),
                date: str = typer.Option(..., help="YYYY-MM-DD, the day to plan"),
                time_limit: float = typer.Option(10.0, help="seconds for the optimizer"),
                regions: int = typer.Option(1, help="plan-day: solve the day in this many regions, one job each "
                                                    "(each searching --time-limit seconds)"),
                again: bool = typer.Option(False, "--again", help="run the job again whatever its state "
                                                                 "(plan a planned day once more)"),
                wait: bool = typer.Option(True, "--wait/--no-wait",
                                          help="follow it with a progress bar (always, without a broker)")) -> None:
    """Submit a job (one per program and day: submitting it twice gives the same job) and follow it."""
    from nemt import jobs
    from nemt.jobs.matrices import submit_prepare_matrix
    from nemt.settings import get_settings

    if kind not in SUBMITTED:
        fail("kind", f"the kind of job must be one of {', '.join(SUBMITTED)}", "job kinds")
    day = date_option(date, "--date")
    make_uow = _uow()
    with reported():
        if program.lower() == "all":  # the day-ahead plan: each program's matrix prepared, then its day planned
            submitted = jobs.submit_day_ahead(make_uow, day, time_limit=time_limit, requested_by="command line",
                                              regions=regions)
        elif kind == "prepare-matrix":
            submitted = [submit_prepare_matrix(make_uow, program, day, requested_by="command line", again=again)]
        else:
            submitted = [jobs.submit_plan_day(make_uow, program, day, time_limit=time_limit,
                                              requested_by="command line", again=again, regions=regions)]
        follow = wait or not get_settings().jobs_broker
        finished = [_follow(make_uow, j.key) if follow and not j.finished else j for j in submitted]
        if program.lower() == "all" and follow:  # then the plans each prepared job submitted
            finished += [_follow(make_uow, jobs.plan_day_key(j.params["program"], day)) for j in finished]
    shown = [_as_dict(j) for j in finished]
    typer.echo(json.dumps(shown[0] if len(shown) == 1 else shown, indent=1))
    if any(j.state == jobs.JobState.FAILED for j in finished):
        raise typer.Exit(1)


@jobs_app.command("report")
def jobs_report(name: str = typer.Argument(..., help="the report, e.g. trips-by-day (nemt.services.reports.REPORTS)"),
                start: str = typer.Option(..., help="YYYY-MM-DD, the first service date"),
                end: str = typer.Option(..., help="YYYY-MM-DD, the last service date"),
                user: str = typer.Option(..., "--user", help="build it as this user sees it (their program)"),
                again: bool = typer.Option(False, "--again", help="build it once more, with today's data"),
                csv: bool = typer.Option(False, "--csv", help="print the table as CSV rather than JSON")) -> None:
    """Build a report as a job (on a worker, or in this process without a broker), follow it, print its table."""
    from nemt.jobs.reports import report_of, submit_report
    from nemt.services.platform.auth import actor_of

    first, last = date_option(start, "--start"), date_option(end, "--end")
    make_uow = _uow()
    with reported():
        with make_uow() as uow:
            found = uow.users.by_username(user)
            if found is None:
                fail("user", "no user has this name", "users")
            actor = actor_of(found)
        job = submit_report(make_uow, actor, name, first, last, again=again)
        job = _follow(make_uow, job.key) if not job.finished else job
    if job.state != "done":
        fail(job.field or "report", job.error or "the report was not built", job.rule or "report jobs")
    report = report_of(job)
    typer.echo(report.csv() if csv else json.dumps(_as_dict(job), indent=1))


@jobs_app.command("status")
def jobs_status(key: str = typer.Argument(..., help="the job's key, e.g. plan-day:CO:2026-11-24"),
                wait: bool = typer.Option(False, "--wait", help="follow a running job with a progress bar")) -> None:
    """A job's state, progress and result."""
    from nemt import jobs

    make_uow = _uow()
    with reported():
        job = jobs.status(make_uow, key)
        if wait and not job.finished:
            job = _follow(make_uow, key)
        elif not job.finished:
            typer.echo(f"{job.state} {job.progress}% {job.message} (--wait follows it with a progress bar)", err=True)
    typer.echo(json.dumps(_as_dict(job), indent=1))


@jobs_app.command("list")
def jobs_list(limit: int = typer.Option(20, min=1, max=500)) -> None:
    """The latest jobs, newest first."""
    from nemt import jobs

    for job in jobs.recent(_uow(), limit):
        typer.echo(f"{job.key}\t{job.state}\t{job.progress}%\t{job.message}")


@jobs_app.command("worker")
def jobs_worker(threads: int = typer.Option(1, min=1, max=64, help="jobs this process runs at once"),
                broker: str | None = typer.Option(None, help="broker URL (default NEMT_JOBS_BROKER)"),
                queue: str | None = typer.Option(None, help="queue name (default NEMT_JOBS_QUEUE)")) -> None:
    """Run a worker of the queue until SIGTERM or Ctrl-C (a job in hand is finished first). Start one per core, on
    as many machines as you like, all with the same NEMT_DATABASE_URL and NEMT_JOBS_BROKER."""
    from nemt.jobs.queue import run_worker
    from nemt.settings import get_settings

    url = broker or get_settings().jobs_broker
    if not url:
        fail("broker", "a worker needs a broker: set NEMT_JOBS_BROKER (redis://… or amqp://…) or pass --broker",
             "job queue")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    typer.echo(f"worker: {threads} thread(s) on the queue; SIGTERM or Ctrl-C stops it", err=True)
    try:
        run_worker(url, queue or get_settings().jobs_queue, threads, stop)
    except ValueError as exc:
        fail("broker", str(exc), "job queue")


def register(app: typer.Typer) -> None:
    app.add_typer(jobs_app, name="jobs")
