"""A program's day planned by regions on the job queue (``nemt.jobs.region_day``, issue 18 item 1), read and written
the way ``schedule_day`` reads and writes a day: only the search differs.

``schedule_day`` reads the live day (``read_day``), re-plans it (``nemt.scheduling.replan.replan``: a fresh solve taken
over the runs as they stand only when it serves more legs, or as many for ``operations.replan_margin_minutes`` less
per leg it moves) and writes it (``write_day``: the independent checker, the runs' version check, the audit trail).
Here the fresh plan is the regions' stitched plan, solved by the workers of the queue, and ``choose`` makes the same
choice between it and the runs as they stand; ``write_stitched`` reads the day again at the moment the plan was
asked for (the same instance, so the same request and vehicle indices — ``shape`` says so) and writes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING

from nemt.services.dispatch.schedule import (
    ScheduleResult,
    read_day,
    replan_margin,
    write_day,
)
from nemt.services.platform.errors import Conflict

if TYPE_CHECKING:
    from nemt.domain.actors import Actor
    from nemt.scheduling import Solution
    from nemt.scheduling.replan import Replan
    from nemt.services.dispatch.live import LiveDay
    from nemt.services.dispatch.schedule import Progress
    from nemt.store.uow import UnitOfWork


def shape(live: LiveDay) -> str:
    """What a plan's indices depend on — the day's legs and vehicles, in order — as a SHA-256 (leg keys and vehicle
    ids only: no member data). The same shape when the day is read again means a plan of the first read fits."""
    text = json.dumps([[leg.key for leg in live.model.legs], [v.id for v in live.model.vehicles]])
    return hashlib.sha256(text.encode()).hexdigest()


def choose(live: LiveDay, fresh: Solution) -> Replan:
    """``nemt.scheduling.replan.replan``'s choice with the fresh plan given (the regions' stitched plan) rather than
    solved in this process: the runs as they stand are kept (re-timed, legs on no run put at their cheapest feasible
    place, legs moved where that saves the margin) unless ``fresh`` serves more legs, or as many for at least the
    margin less per leg it moves; a fresh plan that picks a moved leg up before now plus the lead time is not taken."""
    from nemt.scheduling.replan import replan

    return replan(live.model.instance, live.order, margin=replan_margin(live),
                  earliest_moved=live.state.earliest_pickup, fresh=fresh)


def write_stitched(uow: UnitOfWork, actor: Actor, program: str, day: dt.date, *, now: dt.datetime,
                   time_limit: float, expected_shape: str, fresh: Solution,
                   progress: Progress | None = None) -> ScheduleResult:
    """Write the regions' stitched plan of ``program``'s ``day``: the day read again at ``now`` (the moment the plan
    was asked for, so the same instance), refused if its legs or vehicles changed meanwhile, then chosen against the
    runs as they stand (``choose``) and written as ``schedule_day`` writes (``write_day``)."""
    live = read_day(uow, actor, program, day, time_limit=time_limit, now=now)
    if shape(live) != expected_shape:
        raise Conflict("the day's legs or vehicles changed while its regions were solved: schedule the day again",
                       field="schedule", rule="one plan per read of the day")
    plan = choose(live, fresh)
    if progress is None:
        return write_day(uow, actor, program, live, plan)
    return write_day(uow, actor, program, live, plan, progress=progress)
