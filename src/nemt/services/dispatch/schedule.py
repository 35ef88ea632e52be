"""Schedule a day: optimize the program's open legs into vehicle runs with ``nemt.scheduling.solve``, verify the plan
with the independent checker (``nemt.scheduling.checker``), and write it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nemt.domain.actors import Actor
from nemt.services.dispatch.day import build_day
from nemt.services.dispatch.runs import one_writer, write_plan
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import Conflict, NotFound
from nemt.services.platform.permissions import Action

if TYPE_CHECKING:
    from nemt.scheduling import CheckResult
    from nemt.store.uow import UnitOfWork


@dataclass(frozen=True)
class ScheduleResult:
    assigned: int
    unassigned: list[str]  # leg keys no vehicle could take
    vehicles_used: int
    cost_minutes: float
    verified: bool


def schedule_day(uow: UnitOfWork, actor: Actor, program: str, day: dt.date, *, time_limit: float = 5.0,
                 seed: int = 1) -> ScheduleResult:
    """Optimize the day's runs and write them: each leg's vehicle, driver, provider and planned times."""
    from nemt.scheduling import check_solution, solve

    permissions.require(actor, Action.DISPATCH)
    if not actor.sees_program(program):
        raise NotFound("no such program for this user", field="program", rule="organization-based access")
    model = build_day(uow, program, day)
    if not model.legs:
        return ScheduleResult(0, list(model.excluded), 0, 0.0, True)
    solution = solve(model.instance, time_limit=time_limit, seed=seed)
    report = check_solution(model.instance, solution)
    served = {s.request for r in solution.routes for s in r.stops if s.request >= 0}
    if not report.feasible and not (set(solution.unserved) and only_unserved(report)):
        raise failed_check(report)
    unassigned = [model.legs[i].key for i in range(len(model.legs)) if i not in served] + list(model.excluded)
    with one_writer(uow, "another dispatcher changed these runs; reload and schedule again", "schedule"):
        write_plan(uow, model, solution)
        audit.record(uow, actor, "schedule", "day", None, program=program, day=day.isoformat(),
                     legs=len(model.legs), unassigned=len(unassigned))
    # Verified: the checker found nothing wrong with the runs written (requests left unserved are listed apart).
    return ScheduleResult(len(served), unassigned, solution.num_routes(), float(solution.cost),
                          report.feasible or only_unserved(report))


def only_unserved(report: CheckResult) -> bool:
    """The checker flags unserved requests too; a plan whose only fault is leaving some unserved is still usable."""
    from nemt.scheduling.checker import ViolationKind

    return report.only(ViolationKind.UNSERVED)


def failed_check(report: CheckResult) -> Conflict:
    """The conflict of a plan the independent checker refused (its first three violations, in words)."""
    return Conflict(f"the plan failed the independent check: {report.messages[:3]}", field="schedule",
                    rule="feasibility checker")
