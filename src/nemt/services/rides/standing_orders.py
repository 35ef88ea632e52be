"""Standing orders: recurring appointments (dialysis three times a week for three months) and the trips made from
them — all of them or none."""

from __future__ import annotations

import datetime as dt

from nemt.domain.actors import Actor, OrgKind
from nemt.domain.statuses import TripStatus
from nemt.policy import Policy, load_policy
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict, InvalidInput, NotFound
from nemt.services.platform.permissions import Action, require
from nemt.services.rides.change_cancel import cancel_leg
from nemt.services.rides.commands import MAX_OCCURRENCES, WEEKDAYS, StandingOrderIn
from nemt.services.rides.idempotency import (
    booked_before,
    commit_or_conflict,
    fingerprint,
    idempotency_key,
    other_request,
    retry_on_race,
    sha,
)
from nemt.services.rides.places import Cache
from nemt.services.rides.prepare import bookable_member, prepare
from nemt.services.rides.results import StandingOrderResult, replayed
from nemt.services.rides.writing import write_trip
from nemt.store.models import Member, StandingOrder
from nemt.store.uow import UnitOfWork

Occurrence = tuple[dt.datetime, dt.datetime | None]  # appointment, return pick-up


def occurrences(order: StandingOrderIn, policy: Policy, now: dt.datetime) -> list[Occurrence]:
    zone = policy.time_zone
    days = {WEEKDAYS.index(w) for w in order.weekdays}
    out = []
    day = order.start_date
    while day <= order.end_date:
        if day.weekday() in days:
            appointment = dt.datetime.combine(day, order.appointment_time.replace(tzinfo=None), tzinfo=zone)
            ret = (dt.datetime.combine(day, order.return_pickup_time.replace(tzinfo=None), tzinfo=zone)
                   if order.return_pickup_time is not None else None)
            if appointment > now:
                out.append((appointment, ret))
        day += dt.timedelta(days=1)
    return out


def _check_period(order: StandingOrderIn) -> None:
    if order.end_date < order.start_date:
        raise InvalidInput("is before start_date", field="end_date", rule="standing order period")
    if order.round_trip:
        if order.return_pickup_time is None:
            raise InvalidInput("required for a round trip", field="return_pickup_time", rule="round trip")
        if order.return_pickup_time <= order.appointment_time:
            raise InvalidInput("must be after the appointment time", field="return_pickup_time",
                               rule="return after the appointment")
    if (order.end_date - order.start_date).days > MAX_OCCURRENCES * 7:
        raise InvalidInput("the period is too long", field="end_date", rule="standing order period")


def _future_occurrences(order: StandingOrderIn, policy: Policy, now: dt.datetime) -> list[Occurrence]:
    found = occurrences(order, policy, now)
    if not found:
        raise InvalidInput("no occurrence of the standing order is in the future", field="start_date",
                           rule="appointment in the future")
    if len(found) > MAX_OCCURRENCES:
        raise InvalidInput(f"more than {MAX_OCCURRENCES} occurrences", field="end_date",
                           rule="standing order period")
    return found


def _write_order(uow: UnitOfWork, actor: Actor, member: Member, order: StandingOrderIn, order_key: str,
                 body: dict, when: list[Occurrence], now: dt.datetime) -> StandingOrderResult:
    """The order and one decided trip per occurrence; an occurrence already booked on its own is kept."""
    standing = uow.rides.add_standing_order(StandingOrder(
        program=member.program, member_id=member.id, weekdays=sorted(WEEKDAYS.index(w) for w in set(order.weekdays)),
        appointment_time=order.appointment_time.strftime("%H:%M"), start_date=order.start_date,
        end_date=order.end_date, request={"order": body, "fingerprint": fingerprint(body)},
        idempotency_key=order_key, created_by=actor.user_id))
    result = StandingOrderResult(standing)
    cache: Cache = {}
    for appointment, ret in when:
        p = prepare(uow, actor, order.ride(appointment, ret), now, member=member, cache=cache)
        existing = booked_before(uow, p.idempotency_key, p.content_key)
        result.trips.append(replayed(existing[0]) if existing is not None else write_trip(uow, actor, p, standing))
    audit.record(uow, actor, "create", "standing-order", member.id, standing_order=standing.key,
                 trips=sum(1 for t in result.trips if t.created))
    uow.commit()
    return result


def create_standing_order(uow: UnitOfWork, actor: Actor, order: StandingOrderIn, now: dt.datetime, *,
                          idempotency_key: str | None = None) -> StandingOrderResult:
    """Recurring appointments: a StandingOrder and one decided trip per future occurrence (``recurring`` true, as the
    25-mile verification form rule reads it). All trips or none. An occurrence already booked on its own is kept and
    reported with ``created=False``. The same order twice returns the first (``created=False``)."""
    require(actor, Action.RIDE_BOOK)
    member = bookable_member(uow, actor, order.member)
    policy = load_policy(member.program)
    _check_period(order)
    when = _future_occurrences(order, policy, now)
    body = order.model_dump(mode="json")
    order_key = _order_key(member, order, body, idempotency_key, now)

    def attempt() -> StandingOrderResult:
        found = uow.rides.standing_order_by_idempotency_key(order_key)
        if found is not None:
            return _replay_order(uow, actor, found, fingerprint(body))
        return _write_order(uow, actor, member, order, order_key, body, when, now)

    return retry_on_race(uow, attempt, lambda: None, Conflict(
        "the standing order could not be created; try again", field="standing_order", rule="concurrent booking"))


def _order_key(member: Member, order: StandingOrderIn, body: dict, header: str | None, now: dt.datetime) -> str:
    if header is not None:
        return idempotency_key(member, header, now, order.destination, order.direction)[0]
    return sha("standing-order", member.key, fingerprint(body))


def _replay_order(uow: UnitOfWork, actor: Actor, order: StandingOrder, request_fingerprint: str) -> StandingOrderResult:
    if (order.request or {}).get("fingerprint") != request_fingerprint:
        raise other_request()
    trips = uow.rides.trips_of_standing_order(order.id)
    audit.record(uow, actor, "read", "standing-order", order.member_id, standing_order=order.key,
                 via="idempotent-replay")
    uow.commit()
    return StandingOrderResult(order, [replayed(t) for t in trips], created=False)


def _visible_order(uow: UnitOfWork, actor: Actor, key: str) -> StandingOrder:
    order = uow.rides.standing_order_by_key(key)
    if order is None or not actor.sees_program(order.program):
        raise NotFound("no such standing order", field="standing_order", rule="organization-based access")
    if actor.organization_kind == OrgKind.FACILITY:
        creator = uow.users.by_id(order.created_by) if order.created_by else None
        if creator is None or creator.organization_id != actor.organization_id:
            raise NotFound("no such standing order", field="standing_order", rule="organization-based access")
    if actor.organization_kind == OrgKind.PROVIDER and not uow.rides.may_see_a_trip_of_order(actor, order.id):
        # A provider's users see an order through the trips of it they carry, as they see any ride.
        raise NotFound("no such standing order", field="standing_order", rule="organization-based access")
    return order


def cancel_standing_order(uow: UnitOfWork, actor: Actor, key: str, now: dt.datetime, *,
                          reason: str = "") -> StandingOrderResult:
    """Cancel a standing order and every one of its trips whose appointment is still ahead."""
    require(actor, Action.RIDE_BOOK)
    order = _visible_order(uow, actor, key)
    count = 0
    for trip in uow.rides.trips_of_standing_order(order.id):
        if trip.status == TripStatus.CANCELLED or trip.appointment_at <= now:
            continue
        for lg in trip.legs:
            cancel_leg(uow, lg)
        trip.status, trip.cancelled_at = TripStatus.CANCELLED, now
        trip.cancel_reason = (reason or "standing order cancelled")[:200]
        count += 1
    if order.cancelled_at is None:
        order.cancelled_at = now
    audit.record(uow, actor, "cancel", "standing-order", order.member_id, standing_order=order.key,
                 cancelled_trips=count)
    commit_or_conflict(uow)
    return StandingOrderResult(order, [], created=False, cancelled_trips=count)


def get_standing_order(uow: UnitOfWork, actor: Actor, key: str) -> StandingOrderResult:
    require(actor, Action.RIDE_READ)
    order = _visible_order(uow, actor, key)
    trips = uow.rides.trips_of_standing_order(order.id)
    audit.record(uow, actor, "read", "standing-order", order.member_id, standing_order=order.key)
    uow.commit()
    return StandingOrderResult(order, [replayed(t) for t in trips], created=False)
