"""Writing a verified plan to the store: each leg's vehicle, driver, provider and planned times, and each vehicle's
run (``VehicleRun``), whose version is bumped on every write so that two dispatchers acting at once cannot
double-book a vehicle: the second commit fails and becomes a conflict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from nemt.domain.statuses import LegStatus
from nemt.domain.trip_log import utc
from nemt.services.dispatch.day import DayModel
from nemt.services.platform.errors import Conflict
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

if TYPE_CHECKING:
    from nemt.scheduling import Route, Solution
    from nemt.store.uow import UnitOfWork

ONE_WRITER = "one writer per vehicle day"


def write_plan(uow: UnitOfWork, model: DayModel, solution: Solution, *,
               served: Mapping[int, list[dict[str, str]]] | None = None, on_board: Collection[int] = ()) -> None:
    """Write ``solution`` of ``model``: legs no route takes become unassigned again; each route's legs get their
    vehicle, driver and planned times, and its vehicle's run the ordered stops; runs no route uses are emptied.

    On a live day, ``served`` (vehicle id -> stops of its run already driven) stays at the head of each run, and the
    pick-ups of members ``on_board`` (request indices) keep their time: the route's pick-up of such a member is only
    the place where the vehicle is now.

    Only what changed is written: a leg or a run whose stored values the plan keeps is not touched (its version is
    not bumped), so a change to one run writes that run and its legs. Every run written is version-checked at the
    commit (``one_writer``): two dispatchers changing the same vehicle's run cannot both win."""
    served = served or {}
    day = model.midnight.date()
    runs = uow.dispatch.runs_of_day(day)  # one read, before any leg is changed (no autoflush of half a plan)
    for route in solution.routes:
        vehicle = model.vehicles[route.vehicle]
        if vehicle.id not in runs:
            runs[vehicle.id] = uow.dispatch.run_for(vehicle.id, day)
    wanted: dict[int, dict[str, Any]] = {}
    plans: dict[int, tuple[int | None, list[dict[str, str]]]] = {}
    for route in solution.routes:
        vehicle, driver = model.vehicles[route.vehicle], model.drivers[route.vehicle]
        plans[vehicle.id] = (driver.id if driver else None,
                             served.get(vehicle.id, []) + _route_stops(model, route, on_board, wanted))
    for index, leg in enumerate(model.legs):
        _set(leg, wanted.get(index) or _unassigned(index in on_board))
    for vehicle in model.vehicles:
        run = runs.get(vehicle.id)
        if vehicle.id in plans:
            driver_id, stops = plans[vehicle.id]
            _set(runs[vehicle.id], {"driver_id": driver_id, "plan": {"stops": stops}})
        elif run is not None and run.plan.get("stops") != served.get(vehicle.id, []):
            run.plan = {"stops": served.get(vehicle.id, [])}


def _unassigned(on_board: bool) -> dict[str, Any]:
    """A leg no route takes: no vehicle, driver, provider or planned times (a member on board keeps the pick-up)."""
    values: dict[str, Any] = {"vehicle_id": None, "driver_id": None, "provider_id": None, "planned_dropoff": None,
                              "run_position": None, "status": LegStatus.SCHEDULED}
    if not on_board:
        values["planned_pickup"] = None
    return values


def _set(row: Any, values: Mapping[str, Any]) -> None:
    """Set only the attributes whose values differ (an unchanged row stays clean: no write, no version bump)."""
    for name, value in values.items():
        if not _same(getattr(row, name), value):
            setattr(row, name, value)


def _same(stored: Any, value: Any) -> bool:
    """Equal as stored: a time read back from SQLite has no zone (it was written in UTC)."""
    if isinstance(stored, dt.datetime) and isinstance(value, dt.datetime):
        return utc(stored) == utc(value)
    return bool(stored == value)


def _route_stops(model: DayModel, route: Route, on_board: Collection[int],
                 wanted: dict[int, dict[str, Any]]) -> list[dict[str, str]]:
    """The run's stops of ``route`` in order, and (into ``wanted``) what each of its legs must hold: its vehicle,
    driver, provider and planned times (a member on board keeps the pick-up already driven)."""
    from nemt.scheduling import StopKind

    vehicle, driver = model.vehicles[route.vehicle], model.drivers[route.vehicle]
    stops = []
    for position, stop in enumerate(route.stops):
        if stop.request < 0:
            continue
        leg = model.legs[stop.request]
        when = model.at(stop.service_start)
        values = wanted.setdefault(stop.request, _unassigned(stop.request in on_board))
        if stop.kind is StopKind.PICKUP:
            values.update(vehicle_id=vehicle.id, provider_id=vehicle.provider_id,
                          driver_id=driver.id if driver else None, status=LegStatus.ASSIGNED)
            if stop.request in on_board:
                continue
            values.update(planned_pickup=when, run_position=position)
        else:
            values["planned_dropoff"] = when
        stops.append({"leg": leg.key, "kind": stop.kind.value, "at": when.isoformat()})
    return stops


@contextmanager
def one_writer(uow: UnitOfWork, message: str, field: str) -> Iterator[None]:
    """The whole write of runs, then its commit, as one: a concurrent writer's earlier commit makes this one a
    conflict wherever the database notices it — at the commit, or at an autoflush before it (a query issued while a
    changed run is pending flushes it, and its version check fails there) — and nothing of it is kept."""
    try:
        yield
        uow.commit()
    except CONCURRENT_WRITE_ERRORS:
        uow.rollback()
        raise Conflict(message, field=field, rule=ONE_WRITER) from None
