"""The kinds of job and what each one does. Every task is idempotent: run twice (a worker killed after its work was
committed but before the job was marked done; a re-plan asked for on purpose), it leaves the same kind of state as
once, never twice the work.

``plan-day``: the day-ahead plan of a program's day — ``nemt.services.dispatch.schedule_day``, the same use case as
``nemt dispatch schedule`` and the board's button. It re-plans what remains of the day into vehicle runs, each leg on
at most one vehicle, verified by the independent checker and written in one transaction with the runs' version check
(``services.dispatch.runs.one_writer``): a second run of the job re-plans the same legs, it does not add them again,
and a worker killed mid-solve has written nothing.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nemt.services.platform.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from nemt.jobs.records import UowFactory

Progress = Callable[[int, str], None]

#: Times a plan-day job re-plans when another dispatcher's write wins the race (a conflict), before it fails.
PLAN_ATTEMPTS = 3


@dataclass(frozen=True)
class Task:
    kind: str
    run: Callable[[UowFactory, dict[str, Any], Progress], dict[str, Any]]


def plan_day_key(program: str, day: dt.date) -> str:
    """The idempotency key of a day's plan: one job per program and day."""
    return f"plan-day:{program.upper()}:{day.isoformat()}"


def plan_day_params(program: str, day: dt.date, time_limit: float, seed: int) -> dict[str, Any]:
    from nemt.policy import PolicyError, load_policy

    try:
        load_policy(program.upper())
    except (PolicyError, FileNotFoundError, KeyError):
        raise InvalidInput("no such program", field="program", rule="program policy") from None
    if not 0 < time_limit <= 3600:
        raise InvalidInput("the optimizer's time must be between 0 and 3600 seconds", field="time_limit",
                           rule="time limit")
    return {"program": program.upper(), "date": day.isoformat(), "time_limit": time_limit, "seed": seed}


def plan_day(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Schedule the program's day (see the module's docstring); the result in counts, never member data."""
    from nemt.domain.actors import Actor
    from nemt.services.dispatch import schedule_day

    day, time_limit = dt.date.fromisoformat(params["date"]), float(params["time_limit"])
    for attempt in range(1, PLAN_ATTEMPTS + 1):
        with _ticking(progress, time_limit, "optimizing the day's runs"), make_uow() as uow:
            try:
                result = schedule_day(uow, Actor.system("jobs"), params["program"], day, time_limit=time_limit,
                                      seed=int(params.get("seed", 1)))
            except Conflict:
                if attempt == PLAN_ATTEMPTS:
                    raise
                continue
        return {"assigned": result.assigned, "unassigned": len(result.unassigned),
                "vehicles_used": result.vehicles_used, "cost_minutes": round(result.cost_minutes, 1),
                "verified": result.verified, "moved": len(result.moved), "fresh": result.fresh}
    raise AssertionError("unreachable")  # pragma: no cover


class _ticking:
    """Progress while the optimizer runs: it has no callback, but it stops at its time limit, so the share of the
    limit elapsed is an honest estimate (10 % to 90 %), one tick a second, in a thread of its own."""

    def __init__(self, progress: Progress, seconds: float, message: str):
        self._progress, self._seconds, self._message = progress, max(seconds, 1.0), message
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="job-progress", daemon=True)

    def _tick(self) -> None:
        # Short sleeps, not ``Event.wait(timeout)``: a timed lock wait can hang for good under a moved clock
        # (libfaketime, as `make test` runs the suite a second time); a sleep cannot.
        tenths = 0
        while not self._stop.is_set():
            time.sleep(0.1)
            tenths += 1
            if tenths % 10 == 0:
                self._progress(10 + int(80 * min(1.0, tenths / 10 / self._seconds)), self._message)

    def __enter__(self) -> _ticking:
        self._progress(10, self._message)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


TASKS: dict[str, Task] = {"plan-day": Task("plan-day", plan_day)}
