"""Assign or move one leg by hand: the driver's and the vehicle's credentials must allow the trip's mode on its date,
and the leg goes into the vehicle's live run at its cheapest feasible place (the solver's exact feasibility test, then
the independent checker), version-checked against concurrent writers. A refusal says what breaks and by how much."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import OPEN_LEG_STATUSES
from nemt.services import network
from nemt.services.dispatch.day import vehicle_drivers
from nemt.services.dispatch.live import load_live_day, refusal, refuse_stale_runs, save_checked, vehicle_in
from nemt.services.dispatch.runs import ONE_WRITER, one_writer
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import Conflict, InvalidInput, NotFound
from nemt.services.platform.permissions import Action
from nemt.store.models import Driver, Leg, Vehicle

if TYPE_CHECKING:
    from nemt.store.uow import UnitOfWork


def assign_leg(uow: UnitOfWork, actor: Actor, leg_key: str, vehicle_key: str, *, driver_key: str | None = None,
               expected_version: int | None = None, now: dt.datetime | None = None) -> Leg:
    """Put one leg on a vehicle by hand (reassignment) at ``now`` (default: the clock's now). The driver's and
    vehicle's credentials must allow the trip's mode on its date, the vehicle's run must be able to take the leg
    (the solver's exact test), and the run is version-checked against concurrent writers."""
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
        _replan_vehicle(uow, leg, vehicle, driver, now or clock.now())
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


def _replan_vehicle(uow: UnitOfWork, leg: Leg, vehicle: Vehicle, driver: Driver, now: dt.datetime) -> None:
    """Move ``leg`` onto ``vehicle``'s run as it stands at ``now``: the run keeps its order, the leg goes to its
    cheapest feasible place there (the solver's exact test: windows, ride time, capacity by space type, shift, route
    duration, credentials and mode), its old run is re-timed without it, and the plan is verified by the checker
    before it is written. A leg that does not fit is refused with what breaks, by how much, in words."""
    from nemt.scheduling.explain import closest_miss
    from nemt.scheduling.live import LiveRoutes, order_of, with_lead

    live = load_live_day(uow, leg.trip.program, leg.service_date, now, extra=[leg])
    r = live.request_of(leg)
    if r is None:
        raise InvalidInput("the leg's pick-up or destination ZIP is unknown", field="leg", rule="geocoding")
    k = vehicle_in(live, vehicle)
    if r in live.state.on_board and live.state.on_board[r].vehicle != k:
        raise InvalidInput("the member is already on board another vehicle", field="leg", rule="member on board")
    live.model.drivers[k] = driver
    home = next((v for v, stops in live.order.items() if any(q == r for q, _kind in stops)), None)
    if home != k:  # new to this vehicle's driver: not sooner than now plus the lead time
        live.model.instance = with_lead(live.model.instance, r, live.state)
    others = {v: [s for s in stops if s[0] != r] for v, stops in live.order.items()}
    routes = LiveRoutes(live.model.instance, others, live.model.miles)
    refuse_stale_runs(live, routes)
    if routes.insert(r, k) is None:
        miss = closest_miss(live.model.instance, order_of(routes.solution()), r, [k])
        raise refusal(live, miss, f"{vehicle.external_id} cannot take this leg")
    save_checked(uow, live, routes.solution())
