"""Assign or move one leg by hand: the driver's and the vehicle's credentials must allow the trip's mode on its date,
and the vehicle's run is re-planned with the leg (solver on that one vehicle, verified by the checker), version-checked
against concurrent writers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nemt.domain.actors import Actor
from nemt.domain.statuses import OPEN_LEG_STATUSES
from nemt.services import network
from nemt.services.dispatch.day import build_day, vehicle_drivers
from nemt.services.dispatch.runs import ONE_WRITER, one_writer, write_plan
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import Conflict, InvalidInput, NotFound
from nemt.services.platform.permissions import Action
from nemt.store.models import Driver, Leg, Vehicle

if TYPE_CHECKING:
    from nemt.store.uow import UnitOfWork


def assign_leg(uow: UnitOfWork, actor: Actor, leg_key: str, vehicle_key: str, *, driver_key: str | None = None,
               expected_version: int | None = None) -> Leg:
    """Put one leg on a vehicle by hand (reassignment). The driver's and vehicle's credentials must allow the
    trip's mode on its date; the vehicle's run for the day is version-checked against concurrent writers."""
    permissions.require(actor, Action.DISPATCH)
    leg = uow.dispatch.leg(actor, leg_key)
    if leg is None:
        raise NotFound("no such leg", field="leg", rule="leg look-up")
    vehicle = uow.dispatch.vehicle_by_key(vehicle_key)
    if vehicle is None:
        raise NotFound("no such vehicle", field="vehicle", rule="vehicle look-up")
    if leg.status not in OPEN_LEG_STATUSES:
        raise InvalidInput(f"a {leg.status} leg cannot be reassigned", field="leg", rule="open legs only")
    driver = _driver_for(uow, vehicle, leg, driver_key)
    check = network.assignment_check(driver, vehicle, leg.trip.mode or "", leg.service_date, leg.trip.program)
    if not check.ok:
        first = check.problems[0]
        raise InvalidInput(f"cannot assign: {'; '.join(str(p) for p in check.problems)}",
                           field=f"{first.subject}.{first.credential}", rule=first.citation)
    # From the first change on, a concurrent writer's version check may fail at any autoflush (the old run's
    # look-up, the audit record), not only at the commit: the whole write is one conflict-checked block.
    with one_writer(uow, "another dispatcher changed this vehicle's run; reload and try again", "vehicle"):
        run = uow.dispatch.run_for(vehicle.id, leg.service_date)
        if expected_version is not None and run.version != expected_version:
            raise Conflict("the vehicle's run changed since you loaded it", field="vehicle", rule=ONE_WRITER)
        _replan_vehicle(uow, leg, vehicle, driver)
        audit.record(uow, actor, "assign", "leg", leg.trip.member_id, leg=leg.key, vehicle=vehicle.key)
    return leg


def _driver_for(uow: UnitOfWork, vehicle: Vehicle, leg: Leg, driver_key: str | None) -> Driver:
    """The driver named, or the vehicle's driver that day."""
    if driver_key:
        driver: Driver | None = uow.dispatch.driver_by_key(driver_key)
        if driver is None:
            raise NotFound("no such driver", field="driver", rule="driver look-up")
        return driver
    driver = vehicle_drivers(uow, [vehicle], leg.service_date)[0]
    if driver is None:
        raise InvalidInput("the vehicle has no driver that day", field="driver", rule="a run needs a driver")
    return driver


def _replan_vehicle(uow: UnitOfWork, leg: Leg, vehicle: Vehicle, driver: Driver) -> None:
    """Re-plan the vehicle's run with ``leg`` added: the solver on that one vehicle, verified by the checker. A leg
    that does not fit (time, capacity, service area) is refused: a vehicle is never double-booked."""
    from nemt.scheduling import check_solution, solve

    day, program = leg.service_date, leg.trip.program
    on_vehicle = uow.dispatch.open_legs_on_vehicle(vehicle.id, day, besides=leg)
    model = build_day(uow, program, day, legs=on_vehicle + [leg], fleet=[vehicle], drivers=[driver])
    if leg not in model.legs:
        raise InvalidInput("the leg's pick-up or destination ZIP is unknown", field="leg", rule="geocoding")
    solution = solve(model.instance, time_limit=1.0, seed=1)
    report = check_solution(model.instance, solution)
    if solution.unserved or not report.feasible:
        raise InvalidInput("the vehicle has no room for this leg in its run (time windows, ride time, capacity or "
                           "service area)", field="vehicle", rule="vehicle capacity and time windows")
    old_vehicle_id = leg.vehicle_id
    write_plan(uow, model, solution)
    if old_vehicle_id and old_vehicle_id != vehicle.id:
        old_run = uow.dispatch.run_for(old_vehicle_id, day)
        old_run.plan = {"stops": [s for s in old_run.plan.get("stops", []) if s["leg"] != leg.key]}
