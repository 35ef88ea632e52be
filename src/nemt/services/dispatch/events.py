"""The day's events, each a change of the live runs through the same checked save (``live.save_checked``):

* a leg cancelled, or its member a no-show: :func:`repair_runs` re-times what remains of the day's runs (stops already
  driven stay; a leg its run can no longer keep goes to its cheapest feasible place, or is listed unassigned). The
  booking and trip-log services call it after their own commit (:func:`repair_after_change`): their change stands
  whatever the repair finds, and a repair that loses to a concurrent dispatcher is left to the next change;
* a will-call return — the member calls when ready: :func:`will_call_ready` records the call and the pick-up the
  program promises then (policy ``operations.will_call_pickup_minutes``), and inserts the leg into the live runs as
  an urgent leg within that promise, or refuses with what breaks, in words.

A late driver needs no event of its own: the trip log says where each vehicle was last seen, and the board's
estimated times (``services.dispatch.eta``) drive on from there.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import OPEN_LEG_STATUSES
from nemt.policy import load_policy
from nemt.services.dispatch.live import able_vehicles, load_live_day, refusal, save_checked
from nemt.services.dispatch.runs import one_writer
from nemt.services.platform import audit, permissions
from nemt.services.platform.errors import InvalidInput, NotFound, ServiceError
from nemt.services.platform.permissions import Action
from nemt.store.models import Leg, WillCall

if TYPE_CHECKING:
    from nemt.store.uow import UnitOfWork

log = logging.getLogger(__name__)


def repair_runs(uow: UnitOfWork, actor: Actor, program: str, day: dt.date, now: dt.datetime, *,
                why: str = "repair") -> int:
    """Re-time the day's live runs at ``now`` after a leg left them (cancelled, no-show): each run keeps its order,
    a leg its run can no longer keep is put at its cheapest feasible place, or left unassigned. Verified by the
    independent checker and saved; returns how many legs are left without a vehicle by it."""
    from nemt.scheduling.live import LiveRoutes

    live = load_live_day(uow, program, day, now)
    if not live.order:
        return 0
    routes = LiveRoutes(live.model.instance, live.order, live.model.miles)
    lost = [r for r in routes.dropped if routes.insert(r) is None]
    with one_writer(uow, "another dispatcher changed these runs; reload and try again", "schedule"):
        save_checked(uow, live, routes.solution())
        audit.record(uow, actor, "repair-runs", "day", None, program=program, day=day.isoformat(), why=why,
                     unassigned=len(lost))
    return len(lost)


def repair_after_change(uow: UnitOfWork, actor: Actor, leg: Leg, *, why: str) -> None:
    """The hook the booking and trip-log services call after committing a cancellation or a no-show: repair the
    runs of the leg's day if that day is today or later. Never raises: the change is already saved, and a repair
    that cannot be made now (another dispatcher's write won, a run out of date) is made by the next change."""
    program, day = leg.trip.program, leg.service_date
    now = clock.now()
    if day < now.astimezone(load_policy(program).time_zone).date():
        return
    if not any(run.plan.get("stops") for run in uow.dispatch.runs_of_day(day, program).values()):
        return  # the day is not planned yet: nothing to repair
    try:
        repair_runs(uow, actor, program, day, now, why=why)
    except ServiceError as exc:
        uow.rollback()
        log.info("runs of %s %s not repaired after a %s: %s", program, day, why, exc.rule)
    except Exception:  # the change is saved; a repair that broke must not turn it into an error
        uow.rollback()
        log.exception("runs of %s %s not repaired after a %s", program, day, why)


@dataclass(frozen=True)
class WillCallResult:
    leg: Leg
    called_at: dt.datetime
    promised_by: dt.datetime  # the pick-up promised the member
    vehicle: str  # the vehicle's external id
    planned_pickup: dt.datetime | None


def is_return_leg(leg: Leg) -> bool:
    """A leg home from the appointment (no drop-off deadline, not the first leg): its member may call when ready."""
    return leg.dropoff_latest is None and leg.sequence > 1


def awaits_will_call(leg: Leg) -> bool:
    """A return leg still to be driven: the board offers "member ready" for it (``will_call_ready`` accepts it)."""
    return is_return_leg(leg) and leg.status in OPEN_LEG_STATUSES


def will_call_ready(uow: UnitOfWork, actor: Actor, leg_key: str, *, now: dt.datetime | None = None) -> WillCallResult:
    """The member of a return leg calls: ready to be picked up. The leg is promised a pick-up within the program's
    ``operations.will_call_pickup_minutes`` of the call and inserted into the live runs as an urgent leg (off the
    run it was on, if any: its time was a guess) at its cheapest feasible place within that promise; refused, with
    what breaks and by how much, when no vehicle can keep it."""
    from nemt.scheduling.explain import closest_miss
    from nemt.scheduling.live import LiveRoutes, order_of, with_lead

    permissions.require(actor, Action.DISPATCH)
    leg = uow.dispatch.leg(actor, leg_key)
    if leg is None:
        raise NotFound("no such leg", field="leg", rule="leg look-up")
    if not is_return_leg(leg):
        raise InvalidInput("only a return leg is a will-call: a leg to an appointment has its time", field="leg",
                           rule="will-call returns")
    if leg.status not in OPEN_LEG_STATUSES:
        raise InvalidInput(f"a {leg.status} leg cannot be called for", field="leg", rule="open legs only")
    now = now or clock.now()
    policy = load_policy(leg.trip.program)
    if leg.service_date != now.astimezone(policy.time_zone).date():
        raise InvalidInput("a member calls for a pick-up on the day of the ride", field="leg", rule="will-call returns")
    promise = dt.timedelta(minutes=int(policy.get("operations.will_call_pickup_minutes")))
    call = uow.live_day.will_call(leg.id)
    if call is None:
        call = uow.live_day.add_will_call(WillCall(leg_id=leg.id, called_at=now, promised_by=now + promise,
                                                   recorded_by=actor.user_id))
    else:  # a second call: the promise runs from the first
        now = max(now, call.called_at)
    leg.pickup_earliest = call.called_at
    uow.flush()
    live = load_live_day(uow, leg.trip.program, leg.service_date, now, extra=[leg])
    r = live.request_of(leg)
    if r is None:
        raise InvalidInput("the leg's pick-up or destination ZIP is unknown", field="leg", rule="geocoding")
    live.model.instance = with_lead(live.model.instance, r, live.state)  # new to whichever driver takes it
    order = {k: [s for s in stops if s[0] != r] for k, stops in live.order.items()}
    routes = LiveRoutes(live.model.instance, order, live.model.miles)
    for q in routes.dropped:  # a run time has passed by keeps what it can; the rest is placed again
        routes.insert(q)
    placed = routes.insert(r)
    if placed is None:
        miss = closest_miss(live.model.instance, order_of(routes.solution()), r, able_vehicles(live, r))
        promised = live.hhmm(live.model.minutes(call.promised_by))
        raise refusal(live, miss, f"no vehicle can pick the member up by {promised} as promised", field="leg")
    with one_writer(uow, "another dispatcher changed these runs; reload and try again", "schedule"):
        save_checked(uow, live, routes.solution())
        vehicle = live.model.vehicles[placed.vehicle]
        audit.record(uow, actor, "will-call", "leg", leg.trip.member_id, leg=leg.key, vehicle=vehicle.key)
    return WillCallResult(leg, call.called_at, call.promised_by, vehicle.external_id, leg.planned_pickup)
