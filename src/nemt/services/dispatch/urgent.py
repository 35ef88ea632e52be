"""Urgent insertion: put an unassigned leg into the day's live runs at its cheapest feasible place, in real time
(``nemt.scheduling.realtime.insert_request``). The other legs keep their vehicles and order, stops already served by
``now`` do not move, and the plan is verified by the independent checker before it is written."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from nemt.domain.actors import Actor
from nemt.domain.statuses import LegStatus
from nemt.services.dispatch.day import DayModel, build_day
from nemt.services.dispatch.runs import one_writer, write_plan
from nemt.services.dispatch.schedule import failed_check
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action
from nemt.store.models import Leg

if TYPE_CHECKING:
    from nemt.scheduling import Route
    from nemt.store.uow import UnitOfWork


def insert_urgent(uow: UnitOfWork, actor: Actor, leg_key: str, *, now: dt.datetime | None = None) -> Leg:
    """Put an urgent (unassigned) leg into the day's live runs at its cheapest feasible place, in real time: the
    other legs keep their vehicles and order, stops already served by ``now`` do not move, the plan is verified by
    the independent checker before it is written (``nemt.scheduling.realtime.insert_request``)."""
    from dataclasses import replace

    from nemt.scheduling import Solution, check_solution
    from nemt.scheduling.realtime import insert_request

    permissions.require(actor, Action.DISPATCH)
    leg = uow.dispatch.leg(actor, leg_key)
    if leg is None:
        raise NotFound("no such leg", field="leg", rule="leg look-up")
    if leg.status != LegStatus.SCHEDULED or leg.vehicle_id:
        raise InvalidInput("only an unassigned, open leg can be inserted", field="leg", rule="open legs only")
    program, day = leg.trip.program, leg.service_date
    model = build_day(uow, program, day, legs=uow.dispatch.live_legs(program, day) + [leg])
    if not model.legs or model.legs[-1] is not leg:
        raise InvalidInput("the leg's pick-up or destination ZIP is unknown", field="leg", rule="geocoding")
    live = replace(model.instance, requests=model.instance.requests[:-1])
    minutes_now = None
    if now is not None and now.astimezone(model.midnight.tzinfo).date() == day:
        minutes_now = model.minutes(now)
    result = insert_request(live, Solution(0.0, live_routes(uow, model, leg)), model.instance.requests[-1],
                            now=minutes_now)
    if result.vehicle is None:
        raise InvalidInput("no vehicle can take this leg in time (windows, ride time, capacity, credentials or "
                           "service area)", field="leg", rule="urgent insertion")
    report = check_solution(result.instance, result.solution)
    if not report.feasible:
        raise failed_check(report)
    with one_writer(uow, "another dispatcher changed these runs; reload and try again", "schedule"):
        write_plan(uow, model, result.solution)
        audit.record(uow, actor, "insert-urgent", "leg", leg.trip.member_id, leg=leg.key,
                     vehicle=model.vehicles[result.vehicle].key)
    return leg


def live_routes(uow: UnitOfWork, model: DayModel, leg: Leg) -> list[Route]:
    """The day's runs as routes of ``model`` (without ``leg``): each vehicle's stops in its run's order, at their
    planned times."""
    index = {lg.key: i for i, lg in enumerate(model.legs)}
    routes = []
    for k, v in enumerate(model.vehicles):
        run = uow.dispatch.run_of(v.id, model.midnight.date())
        stops = [(index[st["leg"]], st["kind"]) for st in (run.plan.get("stops", []) if run else [])
                 if st["leg"] in index and st["leg"] != leg.key]
        if stops:
            routes.append(_route(model, k, stops))
    return routes


def _route(model: DayModel, k: int, stops: list[tuple[int, str]]) -> Route:
    """Vehicle ``k``'s route through ``stops`` (request index, pickup or dropoff), from its depot back to it."""
    from nemt.scheduling import Route, Stop, StopKind

    vehicle = model.instance.vehicles[k]
    body = []
    for r, kind in stops:
        lg = model.legs[r]
        when = lg.planned_pickup if kind == "pickup" else lg.planned_dropoff
        minutes = model.minutes(when) if when else vehicle.shift.earliest
        req = model.instance.requests[r]
        body.append(Stop(StopKind.PICKUP if kind == "pickup" else StopKind.DROPOFF, r,
                         req.pickup_location if kind == "pickup" else req.dropoff_location, minutes))
    return Route(k, [Stop(StopKind.START, -1, vehicle.start_location, vehicle.shift.earliest), *body,
                     Stop(StopKind.END, -1, vehicle.end_location, body[-1].service_start)])
