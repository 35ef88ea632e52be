"""Schedule (or re-plan) a day at any time of day: optimize what remains of the program's open legs into vehicle runs,
verify the plan with the independent checker (``nemt.scheduling.checker``: every constraint, and nothing before now),
and write it.

What remains is the live day (``services.dispatch.live``): stops already driven stay as they are, members on board
stay on their vehicle, each vehicle starts where it was last seen, and no pick-up is planned before now plus the
policy's dispatch lead time (``operations.dispatch_lead_minutes``). Legs already on a run stay there unless a fresh
plan is better by ``operations.replan_margin_minutes`` per leg it moves (``nemt.scheduling.replan.replan``); the result
says which legs moved. A leg no vehicle can reach in its window is listed with the reason in words, never made late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nemt import clock
from nemt.domain.actors import Actor
from nemt.policy import load_policy
from nemt.services.dispatch.live import LiveDay, load_live_day, save_checked
from nemt.services.dispatch.runs import one_writer
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action

if TYPE_CHECKING:
    from nemt.scheduling import Solution
    from nemt.scheduling.replan import Replan
    from nemt.store.uow import UnitOfWork

#: The percent done when the optimizer starts and when it is done (between them, the share of its time limit spent).
OPTIMIZING, OPTIMIZED = 10, 85
#: The longest the optimizer may search one day, in seconds: the one bound the page, the API, the command line and the
#: job queue all meet here (a statewide day takes minutes; a job runs it in the background).
MAX_TIME_LIMIT = 900.0
#: The longest a caller who waits for the answer may ask for (the API's synchronous schedule holds a request slot and a
#: database connection meanwhile, nemt.http.capacity): a longer search is a job (``/dispatch/schedule-jobs``).
MAX_WAITED_TIME_LIMIT = 60.0
#: Unserved legs explained against the runs themselves (slower); the rest only against an otherwise empty vehicle.
_EXPLAIN_IN_RUNS = 20


@dataclass(frozen=True)
class ScheduleResult:
    assigned: int
    unassigned: list[str]  # leg keys no vehicle could take
    vehicles_used: int
    cost_minutes: float
    verified: bool
    #: leg key -> why no vehicle can take it, in words
    reasons: dict[str, str] = field(default_factory=dict)
    #: the legs moved to another vehicle, in words ("T-3/1 from V-02 to V-07")
    moved: list[str] = field(default_factory=list)
    #: the earliest pick-up a new leg could get (local time, now plus the dispatch lead time)
    earliest_pickup: str = ""
    #: True when a fresh plan replaced the current runs; False when the runs were kept (re-timed, legs added)
    fresh: bool = True


#: How a long action says how far it is: (percent done, what it is doing in words).
Progress = Callable[[int, str], None]


def _quiet(percent: int, message: str) -> None:
    pass


def schedule_day(uow: UnitOfWork, actor: Actor, program: str, day: dt.date, *, time_limit: float = 5.0,
                 seed: int = 1, now: dt.datetime | None = None, progress: Progress = _quiet,
                 waited: bool = False) -> ScheduleResult:
    """Optimize what remains of the day's runs at ``now`` (default: the clock's now) and write them; ``progress``
    hears each step (a plan-day job of ``nemt.jobs`` records it for the page; the CLI prints it). ``waited``: the
    caller holds a request open for the answer, so the search is bounded by ``MAX_WAITED_TIME_LIMIT``.

    Three steps, each its own function so that a day solved by regions on the job queue (``nemt.jobs.region_day``)
    reads and writes it the same way: ``read_day``, ``solve_day`` (or the regions' stitched plan), ``write_day``."""
    from nemt.scheduling.replan import replan

    live = read_day(uow, actor, program, day, time_limit=time_limit, now=now, waited=waited, progress=progress)
    if not live.model.legs:
        return empty_result(live)
    model = live.model
    progress(OPTIMIZING, f"optimizing {len(model.legs)} legs on {len(model.vehicles)} vehicles "
                         f"(up to {time_limit:g} s)")
    plan = replan(model.instance, live.order, margin=replan_margin(live), time_limit=time_limit, seed=seed,
                  earliest_moved=live.state.earliest_pickup)
    return write_day(uow, actor, program, live, plan, progress=progress)


def read_day(uow: UnitOfWork, actor: Actor, program: str, day: dt.date, *, time_limit: float,
             now: dt.datetime | None = None, waited: bool = False, progress: Progress = _quiet) -> LiveDay:
    """The first step: the dispatcher's permission and program, the search time and "nothing before now" checked,
    then the live day of ``program`` on ``day`` at ``now`` read (``load_live_day``)."""
    permissions.require(actor, Action.DISPATCH)
    if not actor.sees_program(program):
        raise NotFound("no such program for this user", field="program", rule="organization-based access")
    check_time_limit(time_limit, waited=waited)
    now = now or clock.now()
    today = now.astimezone(load_policy(program).time_zone).date()
    if day < today:
        raise InvalidInput("the day is over: nothing can be planned before now", field="day", rule="nothing before now")
    progress(5, "reading the day")
    return load_live_day(uow, program, day, now)


def earliest_pickup(live: LiveDay) -> str:
    """The earliest pick-up a new leg could get today (local time), or "" for a later day."""
    today = live.now.astimezone(live.policy.time_zone).date()
    return live.hhmm(live.state.earliest_pickup) if live.model.midnight.date() == today else ""


def empty_result(live: LiveDay) -> ScheduleResult:
    """The result of a day with no open leg to plan (only the excluded ones, with their reasons)."""
    excluded = live.model.excluded
    return ScheduleResult(0, list(excluded), 0, 0.0, True, dict(excluded), [], earliest_pickup(live))


def replan_margin(live: LiveDay) -> float:
    """The routing minutes a fresh plan must save per leg it moves (``operations.replan_margin_minutes``)."""
    return float(live.policy.get("operations.replan_margin_minutes"))


def write_day(uow: UnitOfWork, actor: Actor, program: str, live: LiveDay, plan: Replan, *,
              progress: Progress = _quiet) -> ScheduleResult:
    """The last step: the plan verified by the independent checker and written under the runs' version check
    (``save_checked`` in ``one_writer``), audited, and its unserved legs explained."""
    model, solution = live.model, plan.solution
    progress(OPTIMIZED, "checking the plan with the independent checker and saving it")
    with one_writer(uow, "another dispatcher changed these runs; reload and schedule again", "schedule"):
        save_checked(uow, live, solution)
        audit.record(uow, actor, "schedule", "day", None, program=program,
                     day=model.midnight.date().isoformat(), legs=len(model.legs), unassigned=len(solution.unserved),
                     moved=len(plan.moved))
    progress(95, f"explaining the {len(solution.unserved)} legs no vehicle can take")
    reasons = unserved_reasons(live, solution)
    reasons.update(model.excluded)
    moved = [_moved_words(live, r, old, new) for r, (old, new) in sorted(plan.moved.items()) if new is not None]
    served = len(model.legs) - len(solution.unserved)
    return ScheduleResult(served, [model.legs[r].key for r in solution.unserved] + list(model.excluded),
                          solution.num_routes(), float(solution.cost), True, reasons, moved, earliest_pickup(live),
                          plan.fresh)


def check_time_limit(time_limit: float, *, waited: bool = False) -> None:
    """Refuse a search time outside (0, ``MAX_TIME_LIMIT``] seconds — (0, ``MAX_WAITED_TIME_LIMIT``] for a caller who
    waits for the answer (checked by ``schedule_day`` and when a plan-day job is submitted, so a job is refused at once
    rather than failing later)."""
    bound = MAX_WAITED_TIME_LIMIT if waited else MAX_TIME_LIMIT
    if not 0 < time_limit <= bound:
        later = "; schedule the day as a background job for a longer search" if waited else ""
        raise InvalidInput(f"the optimizer may search for more than 0 and at most {bound:g} seconds{later}",
                           field="time_limit", rule="optimizer time limit")


def unserved_reasons(live: LiveDay, solution: Solution) -> dict[str, str]:
    """Why each leg the plan leaves unserved cannot be served: what breaks at its closest miss, in words. A leg no
    vehicle could take even with nothing else to do says so; the others are explained against the runs."""
    from nemt.scheduling.explain import closest_miss
    from nemt.scheduling.live import order_of

    instance = live.model.instance
    order = order_of(solution)
    reasons: dict[str, str] = {}
    for n, r in enumerate(solution.unserved):
        alone = closest_miss(instance, {}, r)
        if alone.violations:
            why = "; ".join(live.words(alone.violations)[:2])
        elif n < _EXPLAIN_IN_RUNS:
            miss = closest_miss(instance, order, r)
            why = "every vehicle that could carry it is busy then: " + "; ".join(live.words(miss.violations)[:2])
        else:
            why = "every vehicle that could carry it is busy then"
        reasons[live.model.legs[r].key] = why
    return reasons


def _moved_words(live: LiveDay, r: int, old: int, new: int) -> str:
    leg, vehicles = live.model.legs[r], live.model.vehicles
    return f"{leg.trip.confirmation}/{leg.sequence} from {vehicles[old].external_id} to {vehicles[new].external_id}"

