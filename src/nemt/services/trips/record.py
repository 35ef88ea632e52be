"""Recording an event of a leg's Standard Trip Log (Health First Colorado NEMT Billing Manual — Standard Forms
Required): the log is append-only; a correction is a new event that supersedes fields of an earlier one; the leg's
status follows the events (``completed``, ``no-show``, ``cancelled``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import NOT_DRIVEN_LEG_STATUSES, EventKind, LegStatus
from nemt.domain.trip_log import (
    EVENT_KINDS,
    LegLog,
    LogEvent,
    TripLogError,
    completion_problems,
    correction_data,
    fold_log,
    is_closed,
    utc,
    validate_event_data,
)
from nemt.policy import Policy, load_policy
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.services.platform.permissions import Action
from nemt.services.trips.access import leg_for
from nemt.services.trips.read import leg_log
from nemt.services.trips.views import LegLogView, event_value, view_of
from nemt.store.models import Leg, TripLogEvent
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

T = TypeVar("T")
_LATEST = 10**12  # the id a not yet stored event folds with: after every stored one


def _checked(rule: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A pure trip-log rule's answer; its error as the services' InvalidInput (same message, field and rule)."""
    try:
        return rule(*args, **kwargs)
    except TripLogError as exc:
        raise InvalidInput(exc.message, field=exc.field, rule=exc.rule) from None


def _when(at: dt.datetime | None, policy: Policy) -> dt.datetime:
    """``at`` in UTC: None is now; a naive time is the program's local time."""
    if at is None:
        at = clock.now()
    elif at.tzinfo is None:
        at = at.replace(tzinfo=policy.time_zone)
    return utc(at)


def _check_order(leg: Leg, rows: list[TripLogEvent], before: LegLog, kind: str) -> None:
    """An event other than a correction: the leg must be open, approved, and the event in order."""
    if is_closed(before, leg.status):
        raise Conflict(f"the leg is already {before.status or leg.status}; record a correction instead",
                       field="kind", rule="trip-log events are append-only; a closed leg takes corrections only")
    if leg.status in NOT_DRIVEN_LEG_STATUSES:
        raise Conflict(f"the leg is {leg.status}: it is not to be driven", field="leg",
                       rule="only approved legs are driven and logged")
    if kind in (EventKind.ARRIVED, EventKind.PICKED_UP) and any(r.kind == kind for r in rows):
        raise Conflict(f"the leg already has a {kind} event; record a correction instead", field="kind",
                       rule="one event of each kind per leg")
    if kind == EventKind.NO_SHOW and before.picked_up_at is not None:
        raise Conflict("the member was picked up: not a no-show", field="kind", rule="trip-log event order")


def _check_complete(uow: Any, leg: Leg, after: LegLog, policy: Policy) -> None:
    """A completing event: the log must then carry every required field."""
    vehicle, driver = uow.trip_logs.assignment(leg)
    problems = completion_problems(after, vehicle=vehicle, driver=driver, policy=policy)
    if problems:
        name, rule = problems[0]
        others = f" (and {len(problems) - 1} more: {', '.join(p[0] for p in problems[1:])})" if problems[1:] else ""
        raise InvalidInput(f"the leg cannot be completed: {name} is missing{others}", field=name, rule=rule)


def record_event(uow: Any, actor: Actor, leg_key: str, kind: str, data: Mapping[str, Any] | None = None,
                 at: dt.datetime | None = None) -> LegLogView:
    """Append one event to a leg's log and commit; the leg's status follows. ``at`` is when it happened (aware;
    naive = the program's local time; None = now). A ``correction`` carries ``{"supersedes": event id, "fields":
    {...}, "reason": "..."}``. Raises InvalidInput (field and rule named), Conflict (the leg is closed, or an
    event out of order), Forbidden (not the actor's leg)."""
    if kind not in EVENT_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(EVENT_KINDS)}", field="kind", rule="trip-log events")
    leg = leg_for(uow, actor, leg_key, Action.TRIP_LOG_RECORD)
    policy = load_policy(leg.trip.program)
    at = _when(at, policy)
    rows = uow.trip_logs.events_of([leg.id])[leg.id]
    earlier = [event_value(r) for r in rows]
    if kind == EventKind.CORRECTION:
        stored = _checked(correction_data, earlier, data or {})
    else:
        _check_order(leg, rows, fold_log(earlier), kind)
        stored = _checked(validate_event_data, kind, data)
    after = fold_log([*earlier, LogEvent(_LATEST, kind, at, stored)])
    if after.status == LegStatus.COMPLETED:
        _check_complete(uow, leg, after, policy)
    row = uow.trip_logs.add_event(TripLogEvent(leg_id=leg.id, kind=kind, at=at, data=stored,
                                               recorded_by=actor.user_id))
    if after.status is not None and leg.status != after.status:
        leg.status = after.status
    audit.record(uow, actor, "create", "trip-log", leg.trip.member_id, leg=leg.key, kind=kind)
    try:
        uow.commit()
    except CONCURRENT_WRITE_ERRORS:
        uow.rollback()
        raise Conflict("the leg was changed by someone else at the same time; try again", field="leg",
                       rule="optimistic locking") from None
    return view_of(uow, leg, [*rows, row], policy)


def record_identity_check(uow: Any, actor: Actor, leg_key: str) -> LegLogView:
    """The driver's identity check after a pick-up recorded without it: a correction of the pick-up event."""
    view = leg_log(uow, actor, leg_key)
    picked = next((e for e in view.events if e["kind"] == EventKind.PICKED_UP), None)
    if picked is None:
        raise InvalidInput("record the pick-up first", field="kind", rule="trip-log event order")
    return record_event(uow, actor, leg_key, EventKind.CORRECTION,
                        {"supersedes": picked["id"], "fields": {"identity_verified": True},
                         "reason": "identity checked by the driver"})
