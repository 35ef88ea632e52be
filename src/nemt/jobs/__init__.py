"""Background jobs: the day-ahead plan of a program's day (and, later, region solves, travel matrices, reports) run
by workers of a task queue, or in-process when no broker is configured. docs/jobs.md says how and why.

``submit_plan_day`` queues one job per program and day (its key is its idempotency key: submitting twice gives the
same job); ``status`` reads a job's record (state, progress, result) from the database; ``nemt jobs worker`` runs a
worker (``nemt.jobs.queue.run_worker``). ``plan_day_for`` and ``status_for`` are the same for a signed-in dispatcher
(the board's "Schedule the day", the API's schedule jobs): the dispatch permission and the program checked.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from nemt.domain.statuses import JobState
from nemt.jobs import records
from nemt.jobs.records import JobView, UowFactory
from nemt.jobs.runner import Dispatcher, Foreground, InProcess, execute
from nemt.jobs.tasks import plan_day_key, plan_day_params, schedule_result
from nemt.services.platform import permissions
from nemt.services.platform.errors import NotFound
from nemt.services.platform.permissions import Action
from nemt.settings import get_settings

if TYPE_CHECKING:
    from nemt.domain.actors import Actor

__all__ = ["Foreground", "JobState", "JobView", "dispatcher", "execute", "plan_day_for", "plan_day_key", "recent",
           "schedule_result", "status", "status_for", "submit_day_ahead", "submit_plan_day"]


def dispatcher(make_uow: UowFactory, broker_url: str | None = None, queue: str | None = None) -> Dispatcher:
    """Where submitted jobs go: ``queue`` of the broker of ``broker_url`` (default ``NEMT_JOBS_BROKER`` and
    ``NEMT_JOBS_QUEUE``), else this process."""
    settings = get_settings()
    url = broker_url if broker_url is not None else settings.jobs_broker
    if not url:
        return InProcess(make_uow)
    from nemt.jobs.queue import Queued

    return Queued(url, queue or settings.jobs_queue)


def submit_plan_day(make_uow: UowFactory, program: str, day: dt.date, *, time_limit: float = 10.0, seed: int = 1,
                    requested_by: str = "system", again: bool = False, rerun_done: bool = False,
                    to: Dispatcher | None = None, regions: int = 1) -> JobView:
    """Queue the plan of ``program``'s ``day`` unless that job is already queued, running or done (``again``: plan
    the day once more whatever its state; ``rerun_done``: once more if it is done, but join a plan still running).
    ``regions`` above 1: the day is solved in that many regions, one job each, on the workers
    (``nemt.jobs.region_day``), ``time_limit`` each. Returns the job's record as it stands."""
    params = plan_day_params(program, day, time_limit, seed, regions)
    job, send = records.submit(make_uow, plan_day_key(program, day), "plan-day", params, requested_by, again=again,
                               rerun_done=rerun_done)
    if send:
        (to or dispatcher(make_uow)).send(job.key)
    return job


def submit_day_ahead(make_uow: UowFactory, day: dt.date, *, time_limit: float = 10.0, requested_by: str = "system",
                     to: Dispatcher | None = None, regions: int = 1) -> list[JobView]:
    """The nightly day-ahead plan: for every program the platform carries, the travel matrix of its day prepared
    (a ``prepare-matrix`` job, ``nemt.jobs.matrices``), which then submits the program's plan-day job — each program
    its own jobs, so N workers prepare and plan N programs at once. Returns the prepare-matrix jobs (each program's
    plan-day job is ``plan_day_key(program, day)`` once its matrix is prepared)."""
    from nemt.jobs.matrices import submit_prepare_matrix
    from nemt.policy import program_codes

    send = to or dispatcher(make_uow)
    for program in program_codes():  # refused at once, before anything is queued, if the plan would be refused
        plan_day_params(program, day, time_limit, 1, regions)
    then = {"time_limit": time_limit, "requested_by": requested_by, "regions": regions}
    return [submit_prepare_matrix(make_uow, program, day, then_plan=then, requested_by=requested_by, to=send)
            for program in program_codes()]


def status(make_uow: UowFactory, key: str) -> JobView:
    return records.status(make_uow, key)


def recent(make_uow: UowFactory, limit: int = 20) -> list[JobView]:
    return records.recent(make_uow, limit)


def plan_day_for(make_uow: UowFactory, actor: Actor, program: str, day: dt.date, *, time_limit: float,
                 to: Dispatcher | None = None, regions: int = 1) -> JobView:
    """A dispatcher's "schedule the day" as a job: re-plans a day planned before, joins a plan still running."""
    permissions.require(actor, Action.DISPATCH)
    if not actor.sees_program(program):
        raise NotFound("no such program for this user", field="program", rule="organization-based access")
    return submit_plan_day(make_uow, program, day, time_limit=time_limit, requested_by=actor.username,
                           rerun_done=True, to=to, regions=regions)


def status_for(make_uow: UowFactory, actor: Actor, key: str) -> JobView:
    """A plan-day job as a dispatcher of its program sees it; the same answer for a job that does not exist and one
    of another program (organization-based access)."""
    permissions.require(actor, Action.DISPATCH)
    try:
        job = status(make_uow, key)
    except NotFound:
        job = None
    if job is None or job.kind != "plan-day" or not actor.sees_program(str(job.params.get("program", ""))):
        raise NotFound("no such job", field="job", rule="dispatch jobs")
    return job
