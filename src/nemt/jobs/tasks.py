"""The kinds of job and what each one does. Every task is idempotent: run twice (a worker killed after its work was
committed but before the job was marked done; a re-plan asked for on purpose), it leaves the same kind of state as
once, never twice the work.

``plan-day``: the plan of a program's day — ``nemt.services.dispatch.schedule_day``, submitted by the nightly
day-ahead plan, the board's "Schedule the day", the API's schedule jobs and ``nemt dispatch schedule``. It re-plans
what remains of the day into vehicle runs, each leg on at most one vehicle, verified by the independent checker and
written in one transaction with the runs' version check (``services.dispatch.runs.one_writer``): a second run of the
job re-plans the same legs, it does not add them again, and a worker killed mid-solve has written nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nemt.services.platform.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from nemt.jobs.records import UowFactory
    from nemt.services.dispatch import ScheduleResult

Progress = Callable[[int, str], None]
#: (the percent last written, the job's parameters, seconds since that write) -> the percent to show.
Estimate = Callable[[int, dict[str, Any], float], int]

#: The key of a task's result that says its job was handed on to other jobs that finish it (a plan-day job asked
#: for by regions: ``nemt.jobs.region_day``): the runner leaves its record running.
HANDED_ON = "handed_on"
#: Times a plan-day job re-plans when another dispatcher's write wins the race (a conflict), before it fails.
PLAN_ATTEMPTS = 3


@dataclass(frozen=True)
class Task:
    kind: str
    run: Callable[[UowFactory, dict[str, Any], Progress], dict[str, Any]]
    #: what a status query shows of a running job between two progress writes (None: the percent last written)
    estimate: Estimate | None = None
    #: the error of a job whose process stopped mid-run (``nemt.jobs.records.stalled``), in words
    stalled: str = "the process running this job stopped before it finished: submit it again"
    #: True: the task hands its job on to others that finish it (a region solve's parent, finished by its stitch job)
    hands_on: bool = False


def plan_day_key(program: str, day: dt.date) -> str:
    """The idempotency key of a day's plan: one job per program and day."""
    return f"plan-day:{program.upper()}:{day.isoformat()}"


#: The most regions a day may be solved in (one job each).
MAX_REGIONS = 64


def plan_day_params(program: str, day: dt.date, time_limit: float, seed: int, regions: int = 1) -> dict[str, Any]:
    """The parameters of a plan-day job, refused at once when the program or the search time is not one the plan
    would accept (``services.dispatch.schedule.check_time_limit``: the one bound of the optimizer's time), or the
    number of regions is not from 1 to ``MAX_REGIONS`` (more than 1: the day is solved by regions on the workers,
    ``nemt.jobs.region_day``; ``time_limit`` is then each region's search time)."""
    from nemt.policy import program_codes
    from nemt.services.dispatch.schedule import check_time_limit

    if program.upper() not in program_codes():
        raise InvalidInput("no such program", field="program", rule="program policy")
    check_time_limit(time_limit)
    if not 1 <= regions <= MAX_REGIONS:
        raise InvalidInput(f"a day is solved in 1 to {MAX_REGIONS} regions", field="regions", rule="region split")
    params = {"program": program.upper(), "date": day.isoformat(), "time_limit": time_limit, "seed": seed}
    return params | ({"regions": regions} if regions > 1 else {})


def plan_day(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Schedule the program's day (see the module's docstring), hearing each of its steps; the result in counts and
    words (leg keys, never member data), so a page can show it as ``schedule_result`` gives it back."""
    from nemt.domain.actors import Actor
    from nemt.jobs.matrices import warm
    from nemt.services.dispatch import schedule_day

    day, time_limit = dt.date.fromisoformat(params["date"]), float(params["time_limit"])
    warm(make_uow, params["program"], day)  # the day's travel matrix, if a prepare-matrix job kept it
    if int(params.get("regions", 1)) > 1:  # solved by regions on the workers, written by the stitch job
        from nemt.jobs.region_day import start

        return start(make_uow, plan_day_key(params["program"], day), params, progress)
    for attempt in range(1, PLAN_ATTEMPTS + 1):
        with make_uow() as uow:
            try:
                result = schedule_day(uow, Actor.system("jobs"), params["program"], day, time_limit=time_limit,
                                      seed=int(params.get("seed", 1)), progress=progress)
            except Conflict:
                if attempt == PLAN_ATTEMPTS:
                    raise
                progress(5, f"another dispatcher changed the runs: planning again (attempt {attempt + 1})")
                continue
        return plan_day_result(result)
    raise AssertionError("unreachable")  # pragma: no cover


def plan_day_result(result: ScheduleResult) -> dict[str, Any]:
    """A plan-day job's result: the ``ScheduleResult`` in counts and words, as ``schedule_result`` reads it back."""
    done = dataclasses.asdict(result)
    done["unassigned_legs"], done["unassigned"] = done["unassigned"], len(result.unassigned)
    done["cost_minutes"] = round(result.cost_minutes, 1)
    return done


def schedule_result(result: dict[str, Any]) -> ScheduleResult:
    """The ``ScheduleResult`` a plan-day job kept (the board shows it as it shows a plan made at once)."""
    from nemt.services.dispatch import ScheduleResult

    fields = {f.name for f in dataclasses.fields(ScheduleResult)}
    kept = {name: value for name, value in result.items() if name in fields}
    return ScheduleResult(**{**kept, "unassigned": list(result.get("unassigned_legs", []))})


def _optimizer_share(percent: int, params: dict[str, Any], quiet: float) -> int:
    """While the optimizer runs (it stops at its time limit, wall clock), the share of that limit spent since it
    started: an honest estimate computed when read, so the search is never slowed by progress writes."""
    from nemt.services.dispatch.schedule import OPTIMIZED, OPTIMIZING

    if percent != OPTIMIZING:
        return percent
    limit = max(float(params.get("time_limit", 1.0)), 0.1)
    return OPTIMIZING + int((OPTIMIZED - OPTIMIZING) * min(1.0, max(0.0, quiet / limit)))


def _solve_day(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from nemt.jobs.region_jobs import solve_day

    return solve_day(make_uow, params, progress)


def _solve_region(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from nemt.jobs.region_jobs import solve_one_region

    return solve_one_region(make_uow, params, progress)


def _stitch_day(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from nemt.jobs.region_jobs import stitch_day

    return stitch_day(make_uow, params, progress)


def _prepare_matrix(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from nemt.jobs.matrices import prepare_matrix

    return prepare_matrix(make_uow, params, progress)


def _build_report(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    from nemt.jobs.reports import build_report

    return build_report(make_uow, params, progress)


def _region_share(percent: int, params: dict[str, Any], quiet: float) -> int:
    """A region job while its solver runs (10 %, until 90 %): the share of its time limit spent, as a plan-day's."""
    if percent != 10:
        return percent
    limit = max(float(params.get("time_limit", 1.0)), 0.1)
    return 10 + int(80 * min(1.0, max(0.0, quiet / limit)))


TASKS: dict[str, Task] = {
    "plan-day": Task("plan-day", plan_day, _optimizer_share,
                     "the process planning the day stopped before it finished; the runs were not changed: "
                     "schedule again"),
    # A day solved by regions on the workers (nemt.jobs.region_jobs, issue 18): the parent, a region, the stitch.
    "solve-day": Task("solve-day", _solve_day, None, "a worker solving the day's regions stopped; submit the day "
                      "again: regions already solved are kept", hands_on=True),
    "solve-region": Task("solve-region", _solve_region, _region_share),
    "stitch-day": Task("stitch-day", _stitch_day),
    # The travel matrix of a program's day, kept for its plan (nemt.jobs.matrices, issue 18 item 2).
    "prepare-matrix": Task("prepare-matrix", _prepare_matrix),
    # A report of services.reports built by a worker as the user who asked (nemt.jobs.reports).
    "build-report": Task("build-report", _build_report),
}
