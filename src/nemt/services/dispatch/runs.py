"""Writing a verified plan to the store: each leg's vehicle, driver, provider and planned times, and each vehicle's
run (``VehicleRun``), whose version is bumped on every write so that two dispatchers acting at once cannot
double-book a vehicle: the second commit fails and becomes a conflict."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from nemt.domain.statuses import LegStatus
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
    the place where the vehicle is now."""
    served = served or {}
    for index, leg in enumerate(model.legs):  # legs no route takes become unassigned again
        leg.vehicle_id = leg.driver_id = leg.provider_id = None
        leg.planned_dropoff = leg.run_position = None
        if index not in on_board:
            leg.planned_pickup = None
        leg.status = LegStatus.SCHEDULED
    day = model.midnight.date()
    touched: set[int] = set()
    for route in solution.routes:
        vehicle, driver = model.vehicles[route.vehicle], model.drivers[route.vehicle]
        stops = _write_route(model, route, on_board)
        run = uow.dispatch.run_for(vehicle.id, day)
        run.driver_id = driver.id if driver else None
        run.plan = {"stops": served.get(vehicle.id, []) + stops}
        touched.add(vehicle.id)
    for vehicle in model.vehicles:
        if vehicle.id not in touched:
            unused = uow.dispatch.run_of(vehicle.id, day)
            if unused is not None and unused.plan.get("stops") != served.get(vehicle.id, []):
                unused.plan = {"stops": served.get(vehicle.id, [])}


def _write_route(model: DayModel, route: Route, on_board: Collection[int] = ()) -> list[dict[str, str]]:
    """Put the route's legs on its vehicle with their planned times; the run's stops in order (a member on board
    keeps the pick-up already driven)."""
    from nemt.scheduling import StopKind

    vehicle, driver = model.vehicles[route.vehicle], model.drivers[route.vehicle]
    stops = []
    for position, stop in enumerate(route.stops):
        if stop.request < 0:
            continue
        leg = model.legs[stop.request]
        when = model.at(stop.service_start)
        if stop.kind is StopKind.PICKUP and stop.request in on_board:
            leg.vehicle_id, leg.provider_id = vehicle.id, vehicle.provider_id
            leg.driver_id = driver.id if driver else None
            leg.status = LegStatus.ASSIGNED
            continue
        if stop.kind is StopKind.PICKUP:
            leg.vehicle_id, leg.provider_id = vehicle.id, vehicle.provider_id
            leg.driver_id = driver.id if driver else None
            leg.planned_pickup, leg.run_position, leg.status = when, position, LegStatus.ASSIGNED
        else:
            leg.planned_dropoff = when
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
