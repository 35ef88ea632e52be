"""Recording an event of a leg's Standard Trip Log (Health First Colorado NEMT Billing Manual — Standard Forms
Required): the log is append-only; a correction is a new event that supersedes fields of an earlier one; the leg's
status follows the events (``completed``, ``no-show``, ``cancelled``).

One event of each kind per leg (a correction may repeat), held by a unique index of the database: the same event
again — a phone retrying on a bad connection, or many of its retries at once — answers with the stored event; one of
the same kind with other data or another time is a :class:`Conflict` naming the rule. An event's time must be a
plausible instant (:func:`nemt.domain.trip_log.check_event_time`).

Verified trips (issue 15): an arrive / pick-up / drop-off event may carry its evidence (the phone's position, the
odometer) and a pick-up or drop-off the trip's attestation (a signature, or the member's PIN), stored append-only
with the event (:mod:`.evidence`). Every event is checked by the plausibility rules (:mod:`.plausibility`): a rule
the program's policy names in ``plausibility.refuse`` refuses the event; the others hold the leg for review (the
answer's ``holds``; the claims build skips it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import NOT_DRIVEN_LEG_STATUSES, EventKind, LegStatus
from nemt.domain.trip_log import (
    EVENT_KINDS,
    LegLog,
    LogEvent,
    TripLogError,
    check_event_time,
    completion_problems,
    correction_data,
    fold_log,
    is_closed,
    utc,
    utc_instant,
    validate_event_data,
)
from nemt.policy import Policy, load_policy
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.services.platform.permissions import Action
from nemt.services.trips import evidence as proof
from nemt.services.trips.access import leg_for
from nemt.services.trips.plausibility import check_entry
from nemt.services.trips.read import leg_log
from nemt.services.trips.views import LegLogView, event_value, view_of
from nemt.store.models import Leg, TripLogEvent
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

T = TypeVar("T")
_LATEST = 10**12  # the id a not yet stored event folds with: after every stored one
ONE_EACH = "one event of each kind per leg"


def _checked(check: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """A pure trip-log rule's answer; its error as the services' InvalidInput (same message, field and rule)."""
    try:
        return check(*args, **kwargs)
    except TripLogError as exc:
        raise InvalidInput(exc.message, field=exc.field, rule=exc.rule) from None


def _when(at: dt.datetime | None, policy: Policy) -> dt.datetime:
    """``at`` in UTC: None is now; a naive time is the program's local time."""
    if at is None:
        at = clock.now()
    elif at.tzinfo is None:
        at = at.replace(tzinfo=policy.time_zone)
    return _checked(utc_instant, at, "at", rule="event times are of the ride's day")


def _check_times(leg: Leg, at: dt.datetime, stored: Mapping[str, Any] | None, policy: Policy) -> None:
    """The event's time, and a correction's new time, must be plausible instants for the leg."""
    _checked(check_event_time, at, service_date=leg.service_date, now=clock.now(), policy=policy)
    corrected = (stored or {}).get("fields", {}).get("at")
    if corrected is not None:
        _checked(check_event_time, dt.datetime.fromisoformat(corrected), service_date=leg.service_date,
                 now=clock.now(), policy=policy, where="data.fields.at")


def _repeat(uow: Any, leg: Leg, rows: list[TripLogEvent], kind: str, data: Mapping[str, Any] | None,
            given: dt.datetime | None, policy: Policy) -> LegLogView | None:
    """The answer to an event of a kind the leg has already (one event of each kind per leg): the stored event when
    this is the same event again — the same data, and the same time when one is given — else a Conflict."""
    row = next((r for r in rows if r.kind == kind), None)
    if row is None:
        return None
    stored = _checked(validate_event_data, kind, data, policy=policy)
    if dict(row.data or {}) != stored or (given is not None and utc(row.at) != given):
        raise Conflict(f"the leg already has a {kind} event; record a correction instead", field="kind",
                       rule=ONE_EACH)
    return view_of(uow, leg, rows, policy)


def _check_order(leg: Leg, rows: list[TripLogEvent], before: LegLog, kind: str) -> None:
    """An event other than a correction: the leg must be open, approved, and the event in order."""
    if is_closed(before, leg.status):
        raise Conflict(f"the leg is already {before.status or leg.status}; record a correction instead",
                       field="kind", rule="trip-log events are append-only; a closed leg takes corrections only")
    if leg.status in NOT_DRIVEN_LEG_STATUSES:
        raise Conflict(f"the leg is {leg.status}: it is not to be driven", field="leg",
                       rule="only approved legs are driven and logged")
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


def _proof_of(kind: str, data: Mapping[str, Any] | None, evidence: Mapping[str, Any] | None,
              attestation: Mapping[str, Any] | None, policy: Policy
              ) -> tuple[proof.EventEvidence | None, proof.Attestation | None, Mapping[str, Any] | None]:
    """The event's validated evidence and attestation; a drop-off attested on the screen is confirmed by whoever
    attested it (``trip_confirmed_by``), and may not name someone else."""
    found = proof.parse_evidence(evidence)
    if found is not None and kind not in proof.EVIDENCE_KINDS:
        raise InvalidInput("only arrive, pick-up and drop-off events carry a position and odometer",
                           field="evidence", rule="trip evidence schema")
    attested = proof.parse_attestation(attestation, policy)
    if attested is None:
        return found, None, data
    if kind not in proof.ATTESTED_KINDS:
        raise InvalidInput("a trip is attested at pick-up or drop-off", field="attestation",
                           rule="trip evidence schema")
    if kind == EventKind.DROPPED_OFF:
        named = (data or {}).get("trip_confirmed_by")
        if named is not None and named != attested.by:
            raise InvalidInput("trip_confirmed_by must be who attested the trip", field="data.trip_confirmed_by",
                               rule="trip evidence schema")
        data = {**(data or {}), "trip_confirmed_by": attested.by}
    return found, attested, data


def record_event(uow: Any, actor: Actor, leg_key: str, kind: str, data: Mapping[str, Any] | None = None,
                 at: dt.datetime | None = None, *, evidence: Mapping[str, Any] | None = None,
                 attestation: Mapping[str, Any] | None = None) -> LegLogView:
    """Append one event to a leg's log and commit; the leg's status follows. ``at`` is when it happened (aware;
    naive = the program's local time; None = now). A ``correction`` carries ``{"supersedes": event id, "fields":
    {...}, "reason": "..."}``. The same event again answers with the stored one. ``evidence`` and ``attestation``:
    :func:`.evidence.parse_evidence`, :func:`.evidence.parse_attestation`. Raises InvalidInput (field and rule
    named; a plausibility rule that refuses), Conflict (the leg is closed, an event out of order, another event of a
    kind the leg has), Forbidden (not the actor's leg)."""
    if kind not in EVENT_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(EVENT_KINDS)}", field="kind", rule="trip-log events")
    leg = leg_for(uow, actor, leg_key, Action.TRIP_LOG_RECORD)
    policy = load_policy(leg.trip.program)
    given = None if at is None else _when(at, policy)
    at = given or _when(None, policy)
    found, attested, data = _proof_of(kind, data, evidence, attestation, policy)
    rows = uow.trip_logs.events_of([leg.id])[leg.id]
    earlier = [event_value(r) for r in rows]
    if kind == EventKind.CORRECTION:
        stored = _checked(correction_data, earlier, data or {}, policy=policy)
    else:
        repeat = _repeat(uow, leg, rows, kind, data, given, policy)
        if repeat is not None:
            return repeat
        _check_order(leg, rows, fold_log(earlier), kind)
        stored = _checked(validate_event_data, kind, data, policy=policy)
    _check_times(leg, at, stored if kind == EventKind.CORRECTION else None, policy)
    after = fold_log([*earlier, LogEvent(_LATEST, kind, at, stored)])
    if after.status == LegStatus.COMPLETED:
        _check_complete(uow, leg, after, policy)
    holds = check_entry(uow, leg, after, kind, found, policy)
    if attested is not None:
        proof.check_pin(uow, actor, leg, attested, policy)
    row = uow.trip_logs.add_event(TripLogEvent(leg_id=leg.id, kind=kind, at=at, data=stored,
                                               recorded_by=actor.user_id))
    proof.store(uow, actor, leg, row, found, attested)
    if after.status is not None and leg.status != after.status:
        leg.status = after.status
    audit.record(uow, actor, "create", "trip-log", leg.trip.member_id, leg=leg.key, kind=kind,
                 held=[h.rule for h in holds])
    lost = _commit(uow, leg, kind, data, given, policy)
    if lost is not None:
        return lost
    view = replace(view_of(uow, leg, [*rows, row], policy), holds=tuple(h.as_dict() for h in holds))
    if kind in (EventKind.NO_SHOW, EventKind.CANCELLED):  # the live runs close the gap (best effort, after commit)
        from nemt.services.dispatch.events import repair_after_change

        repair_after_change(uow, actor, leg, why=str(kind))
    return view


def _commit(uow: Any, leg: Leg, kind: str, data: Mapping[str, Any] | None, given: dt.datetime | None,
            policy: Policy) -> LegLogView | None:
    """Commit; None when stored. A write that lost to another writer rolls back: when the winner stored the same
    event (a phone's retries at once: the unique index let one through), the answer is the stored event; else a
    Conflict."""
    try:
        uow.commit()
        return None
    except CONCURRENT_WRITE_ERRORS:
        uow.rollback()
    if kind != EventKind.CORRECTION:
        repeat = _repeat(uow, leg, uow.trip_logs.events_of([leg.id])[leg.id], kind, data, given, policy)
        if repeat is not None:
            return repeat
    raise Conflict("the leg was changed by someone else at the same time; try again", field="leg",
                   rule="optimistic locking")


def record_identity_check(uow: Any, actor: Actor, leg_key: str) -> LegLogView:
    """The driver's identity check after a pick-up recorded without it: a correction of the pick-up event."""
    view = leg_log(uow, actor, leg_key)
    picked = next((e for e in view.events if e["kind"] == EventKind.PICKED_UP), None)
    if picked is None:
        raise InvalidInput("record the pick-up first", field="kind", rule="trip-log event order")
    return record_event(uow, actor, leg_key, EventKind.CORRECTION,
                        {"supersedes": picked["id"], "fields": {"identity_verified": True},
                         "reason": "identity checked by the driver"})
