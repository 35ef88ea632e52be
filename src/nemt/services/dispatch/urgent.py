"""Urgent insertion: put an unassigned leg into the day's live runs at its cheapest feasible place, in real time
(``nemt.scheduling.live.LiveRoutes``, the solver's exact feasibility test). The other legs keep their vehicles and
order, stops already driven do not move, nothing is planned before now plus the dispatch lead time, and the plan is
verified by the independent checker before it is written. A leg no vehicle can take is refused with the reason."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import LegStatus
from nemt.services.dispatch.live import able_vehicles, load_live_day, refusal, refuse_stale_runs, save_checked
from nemt.services.dispatch.runs import one_writer
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action
from nemt.store.models import Leg

if TYPE_CHECKING:
    from nemt.store.uow import UnitOfWork


def insert_urgent(uow: UnitOfWork, actor: Actor, leg_key: str, *, now: dt.datetime | None = None) -> Leg:
    """Put an urgent (unassigned) leg into the day's live runs at its cheapest feasible place at ``now`` (default:
    the clock's now); refused, with what breaks and by how much, when no vehicle can take it."""
    from nemt.scheduling.explain import closest_miss
    from nemt.scheduling.live import LiveRoutes, order_of

    permissions.require(actor, Action.DISPATCH)
    leg = uow.dispatch.leg(actor, leg_key)
    if leg is None:
        raise NotFound("no such leg", field="leg", rule="leg look-up")
    if leg.status != LegStatus.SCHEDULED or leg.vehicle_id:
        raise InvalidInput("only an unassigned, open leg can be inserted", field="leg", rule="open legs only")
    live = load_live_day(uow, leg.trip.program, leg.service_date, now or clock.now(), extra=[leg])
    r = live.request_of(leg)
    if r is None:
        raise InvalidInput("the leg's pick-up or destination ZIP is unknown", field="leg", rule="geocoding")
    routes = LiveRoutes(live.model.instance, live.order, live.model.miles)
    refuse_stale_runs(live, routes)
    placed = routes.insert(r)
    if placed is None:
        miss = closest_miss(live.model.instance, order_of(routes.solution()), r, able_vehicles(live, r))
        raise refusal(live, miss, "no vehicle can take this leg in time", field="leg")
    with one_writer(uow, "another dispatcher changed these runs; reload and try again", "schedule"):
        save_checked(uow, live, routes.solution())
        audit.record(uow, actor, "insert-urgent", "leg", leg.trip.member_id, leg=leg.key,
                     vehicle=live.model.vehicles[placed.vehicle].key)
    return leg
