"""A program's day planned by regions on the workers of the queue (issue 18, item 1): the plan-day job asked for
with ``regions`` (``nemt jobs submit plan-day --regions N``, ``nemt dispatch schedule --regions N``, the API's
schedule jobs with ``regions``) reads the day and hands it to the region jobs (``nemt.jobs.region_jobs``); the stitch
job writes the stitched plan to the day's runs and finishes the plan-day job with the result the board shows.

1. **The plan-day job** reads the live day as ``schedule_day`` does (``services.dispatch.schedule.read_day``: the
   same permission, program, search-time and "nothing before now" checks, the same instance), keeps the instance
   under the day's key (``CO:2026-11-24``) and submits its ``solve-day`` job with what the stitch needs to write it
   (the program, the day, the moment it was read, the shape of its legs and vehicles). It ends at once, handed on
   (``tasks.HANDED_ON``): its record stays ``running``; each region solved moves its progress.
2. **The region jobs and the stitch job** solve, stitch, repair and verify the day's instance as for any day.
3. **The stitch job** then writes the plan (``services.dispatch.by_regions.write_stitched``): the day read again at
   that moment, the plan chosen against the runs as they stand as ``replan`` chooses, written with ``save_checked``
   under ``one_writer`` and audited — ``schedule_day``'s own write — and finishes the plan-day job with
   ``schedule_result``'s shape.

A re-run never double-assigns: the plan is written as a whole, each leg on at most one run, in one transaction; the
stitch job run again finds the plan-day job done and writes nothing; a plan-day job run again while its regions are
solved joins them. A day with no open leg is answered at once, as ``schedule_day`` answers it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from nemt.domain.statuses import JobState
from nemt.jobs import records
from nemt.services.platform.errors import Conflict, ServiceError

if TYPE_CHECKING:
    from nemt.jobs.records import UowFactory
    from nemt.jobs.tasks import Progress

#: How a program's day is split for its regions: geography (``nemt.jobs.regions.split_clusters``).
SPLIT = "clusters"
#: The key under ``solve-day``'s params that says which program's day a region solve plans (absent: a bare instance).
CONTEXT = "program_day"


def day_key(program: str, day: dt.date) -> str:
    """The key a program's day is kept and solved under: ``CO:2026-11-24``."""
    return f"{program.upper()}:{day.isoformat()}"


def start(make_uow: UowFactory, key: str, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The plan-day job with regions (see the module's docstring): the result of a day with nothing to plan, else
    ``{HANDED_ON: True}`` once the day's solve-day job is submitted (or joined, when it is solved already)."""
    from nemt import clock
    from nemt.domain.actors import Actor
    from nemt.jobs import region_jobs
    from nemt.jobs.tasks import HANDED_ON, plan_day_result
    from nemt.services.dispatch.by_regions import shape
    from nemt.services.dispatch.schedule import empty_result, read_day

    program, day = str(params["program"]), dt.date.fromisoformat(params["date"])
    time_limit, regions = float(params["time_limit"]), int(params["regions"])
    now = clock.now()
    with make_uow() as uow:
        live = read_day(uow, Actor.system("jobs"), program, day, time_limit=time_limit, now=now, progress=progress)
        if not live.model.legs:
            return plan_day_result(empty_result(live))
        drawn = shape(live)
    solving = day_key(program, day)
    context = {"plan": key, "program": program, "date": day.isoformat(), "now": now.isoformat(),
               "time_limit": time_limit, "shape": drawn}
    progress(10, f"solving {len(live.model.legs)} legs on {len(live.model.vehicles)} vehicles in {regions} regions "
                 f"on the workers (about {time_limit:g} s a region, the larger ones longer)")
    region_jobs.submit_solve_day(make_uow, solving, live.model.instance, split_by=SPLIT, regions=regions,
                                 time_limit=time_limit, seed=int(params.get("seed", 1)), requested_by="jobs",
                                 again=not _joins(make_uow, solving, key), context=context)
    return {HANDED_ON: True}


def _joins(make_uow: UowFactory, solving: str, key: str) -> bool:
    """True when the day's solve-day job is queued or running for this plan-day job (the plan-day job run again — a
    duplicate delivery, a worker killed after it submitted the regions): join it rather than start over."""
    from nemt.jobs.region_jobs import day_key as solve_key
    from nemt.services.platform.errors import NotFound

    try:
        job = records.status(make_uow, solve_key(solving))
    except NotFound:
        return False
    return job.state in (JobState.QUEUED, JobState.RUNNING) and (job.params.get(CONTEXT) or {}).get("plan") == key


def context_of(make_uow: UowFactory, solve_key: str) -> dict[str, Any] | None:
    """The program's day a solve-day job plans (its plan-day job's key under ``plan``), or None for a bare day."""
    from nemt.services.platform.errors import NotFound

    try:
        context = records.status(make_uow, solve_key).params.get(CONTEXT)
    except NotFound:
        return None
    return dict(context) if context else None


def progress_of(make_uow: UowFactory, solve_key: str, percent: int, message: str) -> None:
    """A region's progress, told to the plan-day job that asked for the day too (the board polls that one)."""
    context = context_of(make_uow, solve_key)
    if context is not None:
        records.progress(make_uow, str(context["plan"]), percent, message)


def failed(make_uow: UowFactory, solve_key: str, exc: Exception) -> None:
    """A region or stitch job failed: so does the plan-day job that asked for the day, with the same reason."""
    context = context_of(make_uow, solve_key)
    if context is None:
        return
    if isinstance(exc, ServiceError):
        records.refused(make_uow, str(context["plan"]), exc)
    else:
        records.finish(make_uow, str(context["plan"]), None,
                       error=f"solving the day by regions stopped on an unexpected error ({type(exc).__name__})")


def write(make_uow: UowFactory, day_kept: str, solve_key: str, summary: dict[str, Any], progress: Progress) -> None:
    """The stitch job's last step for a program's day (the regions' day ``day_kept``, its ``solve_key`` job): the
    stitched plan written to the runs (see the module's
    docstring) and the plan-day job finished with its result; nothing when the plan-day job is done already (the
    stitch run again). A refusal (the checker, the runs' version check lost ``PLAN_ATTEMPTS`` times, the day changed)
    fails the plan-day job in words; the region solves stay kept."""
    from nemt.domain.actors import Actor
    from nemt.jobs.matrices import warm
    from nemt.jobs.region_data import solution_from_json
    from nemt.jobs.tasks import PLAN_ATTEMPTS, plan_day_result
    from nemt.services.dispatch.by_regions import write_stitched
    from nemt.services.dispatch.runs import ONE_WRITER
    from nemt.services.platform.errors import NotFound

    context = context_of(make_uow, solve_key)
    if context is None:
        return
    plan_key = str(context["plan"])
    try:
        if records.status(make_uow, plan_key).state == JobState.DONE:
            return
    except NotFound:
        return
    with make_uow() as uow:  # the stitched plan kept (by this stitch job, or by an earlier run of it)
        row = uow.regions.day(day_kept, with_plan=True)
        plan = None if row is None else row.plan
    if plan is None:
        raise Conflict("no stitched plan is kept for this day", field="day", rule="region solves")
    fresh = solution_from_json(plan)
    day, now = dt.date.fromisoformat(context["date"]), dt.datetime.fromisoformat(context["now"])
    warm(make_uow, str(context["program"]), day)  # the day's travel matrix, if a prepare-matrix job kept it
    progress(80, "writing the stitched plan to the day's runs")
    records.progress(make_uow, plan_key, 92, "checking the stitched plan with the independent checker and saving it")
    try:
        for attempt in range(1, PLAN_ATTEMPTS + 1):
            try:
                with make_uow() as uow:
                    result = write_stitched(uow, Actor.system("jobs"), str(context["program"]), day, now=now,
                                            time_limit=float(context["time_limit"]), expected_shape=context["shape"],
                                            fresh=fresh)
                break
            except Conflict as exc:
                if attempt == PLAN_ATTEMPTS or exc.rule != ONE_WRITER:
                    raise
                progress(80, f"another dispatcher changed the runs: writing again (attempt {attempt + 1})")
    except ServiceError as exc:
        records.refused(make_uow, plan_key, exc)
        return
    done = plan_day_result(result)
    done.update({"regions": summary.get("regions"), "placed_by_repair": summary.get("placed_by_repair"),
                 "solved_by": solve_key})
    records.finish(make_uow, plan_key, done)
