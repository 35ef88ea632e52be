"""The Colorado Standard Trip Log on the database: append-only events per leg, recorded by drivers.

Health First Colorado NEMT Billing Manual — Standard Forms Required: "Effective October 1, 2024, all NEMT providers
must begin using the Department provided Standard Trip Log for all rides provided." A leg's log is a sequence of
events (``arrived``, ``picked-up``, ``dropped-off``, ``no-show``, ``cancelled``, ``correction``) stored in
``trip_log_events``, which database triggers keep append-only. A correction is a new event that supersedes fields
of an earlier one. The current log of a leg is :func:`fold_log` of its events — a pure function.

A leg is completed by its ``dropped-off`` event, and only when every field the log must carry is there
(:func:`completion_problems`); a correction may not take a required field away from a completed leg. The leg's
status follows the events: ``completed``, ``no-show``, ``cancelled``.

Who: a driver records (and reads) only the legs assigned to their driver record (``Driver.user_id``) — directly
(``Leg.driver_id``) or through the vehicle run of the leg's vehicle that day; provider admins read their
organization's legs; dispatchers, auditors and administrators read their program's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from nemt import clock
from nemt.billing.trip_log import (
    ESCORT_ROLES,
    PASSENGER_REASONS,
    PASSENGER_RELATIONS,
    STANDARD_TRIP_LOG_REQUIRED_FROM,
    TRIP_CONFIRMERS,
    AdditionalPassenger,
    Escort,
    Stop,
    TransportedPerson,
    TripLogLeg,
)
from nemt.billing.trip_log import (
    Member as BillingMember,
)
from nemt.domain.actors import Actor, Role
from nemt.policy import Policy, load_policy
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from nemt.store.models import Driver, Leg, TransportProvider, Trip, TripLogEvent, Vehicle, VehicleRun

__all__ = [
    "EVENT_FIELDS",
    "EVENT_KINDS",
    "READ_ROLES",
    "RECORD_ROLES",
    "TERMINAL_STATUS",
    "LegLog",
    "LegLogView",
    "LogEvent",
    "assignment",
    "billing_leg",
    "completion_problems",
    "fold_log",
    "leg_log",
    "legs_for_actor",
    "load_logs",
    "record_event",
    "utc",
    "validate_event_data",
]

EVENT_KINDS = ("arrived", "picked-up", "dropped-off", "no-show", "cancelled", "correction")
# The fields each kind of event may carry in ``data`` (a correction may supersede these and ``at``).
EVENT_FIELDS: Mapping[str, frozenset[str]] = {
    "arrived": frozenset(),
    "picked-up": frozenset({"identity_verified", "escorts", "additional_passengers", "member_in_vehicle",
                            "shared_ride_group", "metered", "service_level"}),
    "dropped-off": frozenset({"loaded_miles", "trip_confirmed_by", "wait_minutes", "attachment_25mi"}),
    "no-show": frozenset({"wait_minutes", "reason"}),
    "cancelled": frozenset({"wait_minutes", "reason"}),
}
TERMINAL_STATUS: Mapping[str, str] = {"dropped-off": "completed", "no-show": "no-show", "cancelled": "cancelled"}
CLOSED_LEG_STATUSES = frozenset(TERMINAL_STATUS.values())
NOT_DRIVEN_LEG_STATUSES = frozenset({"denied", "pending"})  # booking's statuses of legs not approved

RECORD_ROLES = {Role.DRIVER}
READ_ROLES = {Role.DRIVER, Role.PROVIDER_ADMIN, Role.DISPATCHER, Role.AUDITOR, Role.ADMIN}

_STANDARD_LOG = "Standard Forms Required"
_ATTACHMENT = "25 Mile or Longer Trips"
_PASSENGERS = "Child or At-Risk Adult Accompaniment"


def utc(value: dt.datetime) -> dt.datetime:
    """Times are stored in UTC; SQLite hands them back naive."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# ----------------------------------------------------------------------------------------------------------------
# Pure part: events, their validation and their fold
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogEvent:
    """One stored event as a plain value (``at`` is timezone-aware)."""

    id: int
    kind: str
    at: dt.datetime
    data: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class LegLog:
    """The current Standard Trip Log of one leg: the fold of its events, corrections applied."""

    status: str | None = None  # completed | no-show | cancelled; None while the leg is under way
    arrived_at: dt.datetime | None = None
    picked_up_at: dt.datetime | None = None
    dropped_off_at: dt.datetime | None = None
    identity_verified: bool | None = None
    member_in_vehicle: bool = True
    escorts: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    additional_passengers: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    shared_ride_group: str | None = None
    metered: bool = False
    service_level: str | None = None
    loaded_miles: int | None = None
    trip_confirmed_by: str | None = None
    wait_minutes: int = 0
    attachment_25mi: bool = False
    events: int = 0
    corrections: int = 0

    def as_dict(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "status": self.status, "arrived_at": iso(self.arrived_at), "picked_up_at": iso(self.picked_up_at),
            "dropped_off_at": iso(self.dropped_off_at), "identity_verified": self.identity_verified,
            "member_in_vehicle": self.member_in_vehicle, "escorts": [dict(e) for e in self.escorts],
            "additional_passengers": [dict(p) for p in self.additional_passengers],
            "shared_ride_group": self.shared_ride_group, "metered": self.metered,
            "service_level": self.service_level, "loaded_miles": self.loaded_miles,
            "trip_confirmed_by": self.trip_confirmed_by, "wait_minutes": self.wait_minutes,
            "attachment_25mi": self.attachment_25mi, "events": self.events, "corrections": self.corrections,
        }


_LOG_FIELDS = frozenset(f for kind_fields in EVENT_FIELDS.values() for f in kind_fields) - {"reason"}


def _bool(data: Mapping, name: str, path: str) -> bool:
    value = data[name]
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false", field=f"{path}{name}", rule="trip-log event schema")
    return value


def _count(data: Mapping, name: str, path: str) -> int:
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a whole number, 0 or more", field=f"{path}{name}",
                           rule="trip-log event schema")
    return value


def _choice(value: Any, allowed: Sequence[str], where: str, rule: str = "trip-log event schema") -> str:
    if value not in allowed:
        raise InvalidInput(f"must be one of {', '.join(allowed)}", field=where, rule=rule)
    return value


def _name(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 200:
        raise InvalidInput("a name must be text of at most 200 characters", field=where,
                           rule="trip-log event schema")
    return value.strip()


def validate_event_data(kind: str, data: Mapping[str, Any] | None, *, path: str = "data.") -> dict[str, Any]:
    """The normalized ``data`` of an event of ``kind`` (not ``correction``). Raises :class:`InvalidInput` naming
    the field. Messages never repeat the values sent (they may be names)."""
    data = dict(data or {})
    allowed = EVENT_FIELDS[kind]
    for name in data:
        if name not in allowed:
            raise InvalidInput(f"a {kind} event has no field {name!r}" if len(name) < 40 else "unknown field",
                               field=f"{path}{name}"[:80], rule="trip-log event schema")
    out: dict[str, Any] = {}
    for name in ("identity_verified", "member_in_vehicle", "metered", "attachment_25mi"):
        if name in data:
            out[name] = _bool(data, name, path)
    for name in ("loaded_miles", "wait_minutes"):
        if name in data:
            out[name] = _count(data, name, path)
    if "trip_confirmed_by" in data:
        out["trip_confirmed_by"] = _choice(data["trip_confirmed_by"], TRIP_CONFIRMERS, f"{path}trip_confirmed_by")
    for name in ("shared_ride_group", "service_level"):
        if name in data:
            value = data[name]
            if value is not None and (not isinstance(value, str) or len(value) > 40):
                raise InvalidInput(f"{name} must be text of at most 40 characters", field=f"{path}{name}",
                                   rule="trip-log event schema")
            out[name] = value or None
    if "reason" in data:
        value = data["reason"]
        if not isinstance(value, str) or len(value) > 200:
            raise InvalidInput("reason must be text of at most 200 characters", field=f"{path}reason",
                               rule="trip-log event schema")
        out["reason"] = value
    if "escorts" in data:
        escorts = data["escorts"]
        if not isinstance(escorts, list):
            raise InvalidInput("escorts must be a list", field=f"{path}escorts", rule="trip-log event schema")
        out["escorts"] = []
        for i, item in enumerate(escorts):
            where = f"{path}escorts[{i}]"
            if not isinstance(item, Mapping):
                raise InvalidInput("an escort is {name, role}", field=where, rule="trip-log event schema")
            out["escorts"].append({
                "name": _name(item.get("name"), f"{where}.name"),
                "role": _choice(item.get("role", "attendant"), ESCORT_ROLES, f"{where}.role"),
            })
    if "additional_passengers" in data:
        passengers = data["additional_passengers"]
        if not isinstance(passengers, list):
            raise InvalidInput("additional_passengers must be a list", field=f"{path}additional_passengers",
                               rule="trip-log event schema")
        out["additional_passengers"] = []
        for i, item in enumerate(passengers):
            where = f"{path}additional_passengers[{i}]"
            if not isinstance(item, Mapping):
                raise InvalidInput("a passenger is {name, age, relation}", field=where, rule="trip-log event schema")
            age = item.get("age", 0)
            if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130:
                raise InvalidInput("age must be a whole number of years", field=f"{where}.age",
                                   rule="trip-log event schema")
            entry = {
                "name": _name(item.get("name"), f"{where}.name"),
                "age": age,
                "relation": _choice(item.get("relation", "other"), PASSENGER_RELATIONS, f"{where}.relation"),
            }
            if item.get("reason") is not None:
                entry["reason"] = _choice(item["reason"], PASSENGER_REASONS, f"{where}.reason")
            out["additional_passengers"].append(entry)
    return out


def _parse_at(value: Any, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput("must be an ISO 8601 date and time", field=where, rule="trip-log event schema") from None
    if parsed.tzinfo is None:
        raise InvalidInput("must carry its UTC offset", field=where, rule="trip-log event schema")
    return utc(parsed)


def fold_log(events: Iterable[LogEvent]) -> LegLog:
    """The current log of a leg from its events (in any order; ids give the recording order). Corrections replace
    fields of the event they supersede — later corrections win — and the events are then applied in order."""
    ordered = sorted(events, key=lambda e: e.id)
    effective: dict[int, tuple[str, dt.datetime, dict[str, Any]]] = {}
    corrections = 0
    for event in ordered:
        if event.kind != "correction":
            effective[event.id] = (event.kind, event.at, dict(event.data))
            continue
        corrections += 1
        target = effective.get(int(event.data.get("supersedes", -1)))
        if target is None:  # validated when recorded; a stray one changes nothing
            continue
        kind, at, data = target
        fields = dict(event.data.get("fields", {}))
        if "at" in fields:
            at = _parse_at(fields.pop("at"), "fields.at")
        data.update(fields)
        effective[int(event.data["supersedes"])] = (kind, at, data)

    values: dict[str, Any] = {"events": len(ordered), "corrections": corrections}
    for _, (kind, at, data) in sorted(effective.items()):
        if kind == "arrived":
            values["arrived_at"] = at
        elif kind == "picked-up":
            values["picked_up_at"] = at
        elif kind == "dropped-off":
            values["dropped_off_at"] = at
        if kind in TERMINAL_STATUS:
            values["status"] = TERMINAL_STATUS[kind]
        for name, value in data.items():
            if name not in _LOG_FIELDS:
                continue
            if name in ("escorts", "additional_passengers"):
                value = tuple(dict(v) for v in value)
            values[name] = value
    return LegLog(**values)


def completion_problems(log: LegLog, *, vehicle: str | None, driver: str | None,
                        policy: Policy) -> list[tuple[str, str]]:
    """What a completed leg's Standard Trip Log lacks: ``[(field, rule)]``, empty when complete. The fields are those
    the Department's log and the 25-mile attachment carry (Standard Forms Required; 25 Mile or Longer Trips) and the
    names of escorts and additional passengers (Child or At-Risk Adult Accompaniment)."""
    standard, attachment = policy.cite(_STANDARD_LOG), policy.cite(_ATTACHMENT)
    problems: list[tuple[str, str]] = []
    if log.picked_up_at is None:
        problems.append(("pickup_time", f"the actual pick-up time (a picked-up event) is required — {attachment}"))
    if log.dropped_off_at is None:
        problems.append(("dropoff_time", f"the actual drop-off time is required — {attachment}"))
    if log.identity_verified is not True:
        problems.append(("identity_verified", (f"confirmation that the driver verified the member's identity is "
                                               f"required (recorded true) — {attachment}")))
    if log.loaded_miles is None:
        problems.append(("loaded_miles", f"the loaded miles on the shortest route are required — {standard}"))
    if log.trip_confirmed_by is None:
        problems.append(("trip_confirmed_by", (f"confirmation by the member, escort or medical facility that the "
                                               f"trip occurred is required — {attachment}")))
    for i, escort in enumerate(log.escorts):
        if not escort.get("name"):
            problems.append((f"escorts[{i}].name", f"the escort's name is required — {standard}"))
    for i, passenger in enumerate(log.additional_passengers):
        if not passenger.get("name"):
            problems.append((f"additional_passengers[{i}].name",
                             "the names of the additional passengers must be included in the trip log — "
                             f"{policy.cite(_PASSENGERS)}"))
    if not driver:
        problems.append(("driver", f"the driver's name is required (assign a driver to the leg) — {attachment}"))
    if not vehicle:
        problems.append(("vehicle", f"the vehicle must be identified (assign a vehicle to the leg) — {attachment}"))
    return problems


# ----------------------------------------------------------------------------------------------------------------
# Database part
# ----------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LegLogView:
    """A leg and its log as the interfaces show it (opaque keys only; no member data)."""

    leg_key: str
    trip_key: str
    member_key: str
    sequence: int
    service_date: dt.date
    leg_status: str
    log: LegLog
    events: tuple[dict[str, Any], ...]
    missing: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "leg_key": self.leg_key, "trip_key": self.trip_key, "member_key": self.member_key,
            "sequence": self.sequence, "service_date": self.service_date.isoformat(), "leg_status": self.leg_status,
            "log": self.log.as_dict(), "events": list(self.events),
            "missing": [{"field": f, "rule": r} for f, r in self.missing],
        }


def _event_value(row: TripLogEvent) -> LogEvent:
    return LogEvent(row.id, row.kind, utc(row.at), row.data or {})


def _event_dict(row: TripLogEvent) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "at": utc(row.at).isoformat(), "data": row.data or {},
            "recorded_at": utc(row.recorded_at).isoformat() if row.recorded_at else None}


def _events_of(session, leg_ids: Sequence[int]) -> dict[int, list[TripLogEvent]]:
    out: dict[int, list[TripLogEvent]] = {leg_id: [] for leg_id in leg_ids}
    for start in range(0, len(leg_ids), 500):
        chunk = list(leg_ids[start:start + 500])
        for row in session.scalars(select(TripLogEvent).where(TripLogEvent.leg_id.in_(chunk))
                                   .order_by(TripLogEvent.id)):
            out[row.leg_id].append(row)
    return out


def load_logs(session, leg_ids: Sequence[int]) -> dict[int, LegLog]:
    """The folded logs of many legs in one query per 500 legs."""
    return {leg_id: fold_log(_event_value(r) for r in rows) for leg_id, rows in _events_of(session, leg_ids).items()}


def _driver_record(uow, actor: Actor) -> Driver | None:
    if actor.user_id is None:
        return None
    return uow.session.scalar(select(Driver).where(Driver.user_id == actor.user_id, Driver.active.is_(True)))


def _run_driver_id(session, leg: Leg) -> int | None:
    if leg.vehicle_id is None:
        return None
    return session.scalar(select(VehicleRun.driver_id).where(VehicleRun.vehicle_id == leg.vehicle_id,
                                                           VehicleRun.service_date == leg.service_date))


def assignment(session, leg: Leg) -> tuple[str | None, str | None]:
    """``(vehicle id as the provider knows it, driver's name)`` of a leg — the driver directly on the leg, else
    the driver of its vehicle's run that day."""
    vehicle = session.get(Vehicle, leg.vehicle_id).external_id if leg.vehicle_id else None
    driver_id = leg.driver_id or _run_driver_id(session, leg)
    driver = session.get(Driver, driver_id).name if driver_id else None
    return vehicle, driver


def _check_access(uow, actor: Actor, leg: Leg, *, write: bool) -> None:
    system = actor.user_id is None
    if write and not system and actor.role not in {str(r) for r in RECORD_ROLES}:
        raise Forbidden(f"the role {actor.role!r} may not record trip logs", rule="role-based access")
    if not write and not system and actor.role not in {str(r) for r in READ_ROLES}:
        raise Forbidden(f"the role {actor.role!r} may not read trip logs", rule="role-based access")
    if system:
        return
    if actor.role == Role.DRIVER:
        driver = _driver_record(uow, actor)
        assigned = driver is not None and (
            leg.driver_id == driver.id or (leg.driver_id is None and _run_driver_id(uow.session, leg) == driver.id))
        if not assigned:
            raise Forbidden("this leg is not assigned to you", field="leg",
                            rule="a driver records and reads only the legs assigned to their driver record")
        return
    if actor.role == Role.PROVIDER_ADMIN:
        org_id = uow.session.scalar(select(TransportProvider.organization_id)
                                    .where(TransportProvider.id == leg.provider_id)) if leg.provider_id else None
        if org_id != actor.organization_id:
            raise Forbidden("this leg is not your organization's", field="leg",
                            rule="provider admins see their organization's trip logs")
        return
    if not actor.sees_program(leg.trip.program):
        raise NotFound("no such leg", field="leg", rule="program-based access")


def _leg(uow, key: str) -> Leg:
    leg = uow.session.scalar(select(Leg).where(Leg.key == key).options(selectinload(Leg.trip)))
    if leg is None:
        raise NotFound("no such leg", field="leg", rule="legs are addressed by their key")
    return leg


def _view(uow, leg: Leg, rows: list[TripLogEvent], policy: Policy) -> LegLogView:
    log = fold_log(_event_value(r) for r in rows)
    missing: tuple = ()
    if log.status in (None, "completed"):
        vehicle, driver = assignment(uow.session, leg)
        missing = tuple(completion_problems(log, vehicle=vehicle, driver=driver, policy=policy))
    return LegLogView(leg.key, leg.trip.key, _member_key(uow, leg), leg.sequence, leg.service_date, leg.status,
                      log, tuple(_event_dict(r) for r in rows), missing)


def _member_key(uow, leg: Leg) -> str:
    from nemt.store.models import Member

    return uow.session.scalar(select(Member.key).where(Member.id == leg.trip.member_id))


def leg_log(uow, actor: Actor, leg_key: str) -> LegLogView:
    """The current log of one leg, with its events and (while not complete) what it still lacks."""
    leg = _leg(uow, leg_key)
    _check_access(uow, actor, leg, write=False)
    policy = load_policy(leg.trip.program)
    rows = _events_of(uow.session, [leg.id])[leg.id]
    audit.record(uow, actor, "read", "trip-log", leg.trip.member_id, leg=leg.key)
    uow.commit()
    return _view(uow, leg, rows, policy)


def legs_for_actor(uow, actor: Actor, service_date: dt.date | None = None) -> list[LegLogView]:
    """The legs the actor may see (a driver: theirs; a provider admin: the organization's), optionally of one day."""
    if actor.role not in {str(r) for r in READ_ROLES} and actor.user_id is not None:
        raise Forbidden(f"the role {actor.role!r} may not read trip logs", rule="role-based access")
    query = select(Leg).join(Trip, Trip.id == Leg.trip_id).options(selectinload(Leg.trip))
    if service_date is not None:
        query = query.where(Leg.service_date == service_date)
    if actor.user_id is not None and actor.role == Role.DRIVER:
        driver = _driver_record(uow, actor)
        if driver is None:
            return []
        run_vehicles = select(VehicleRun.vehicle_id).where(VehicleRun.driver_id == driver.id,
                                                           VehicleRun.service_date == Leg.service_date)
        query = query.where((Leg.driver_id == driver.id)
                            | (Leg.driver_id.is_(None) & Leg.vehicle_id.in_(run_vehicles.scalar_subquery())))
    elif actor.user_id is not None and actor.role == Role.PROVIDER_ADMIN:
        query = query.join(TransportProvider, TransportProvider.id == Leg.provider_id).where(
            TransportProvider.organization_id == actor.organization_id)
    elif actor.program is not None:
        query = query.where(Trip.program == actor.program)
    legs = list(uow.session.scalars(query.order_by(Leg.service_date, Leg.planned_pickup, Leg.id).limit(2000)))
    events = _events_of(uow.session, [leg.id for leg in legs])
    views = []
    policies: dict[str, Policy] = {}
    for leg in legs:
        policy = policies.setdefault(leg.trip.program, load_policy(leg.trip.program))
        views.append(_view(uow, leg, events[leg.id], policy))
    audit.record(uow, actor, "read", "trip-log", None, legs=len(views))
    uow.commit()
    return views


def record_event(uow, actor: Actor, leg_key: str, kind: str, data: Mapping[str, Any] | None = None,
                 at: dt.datetime | None = None) -> LegLogView:
    """Append one event to a leg's log and commit; the leg's status follows. ``at`` is when it happened (aware;
    naive = the program's local time; None = now). A ``correction`` carries ``{"supersedes": event id, "fields":
    {...}, "reason": "..."}``. Raises InvalidInput (field and rule named), Conflict (the leg is closed, or an
    event out of order), Forbidden (not the actor's leg)."""
    if kind not in EVENT_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(EVENT_KINDS)}", field="kind", rule="trip-log events")
    leg = _leg(uow, leg_key)
    _check_access(uow, actor, leg, write=True)
    policy = load_policy(leg.trip.program)
    if at is None:
        at = clock.now()
    elif at.tzinfo is None:
        at = at.replace(tzinfo=policy.time_zone)
    at = utc(at)
    rows = _events_of(uow.session, [leg.id])[leg.id]
    before = fold_log(_event_value(r) for r in rows)

    if kind == "correction":
        stored = _correction_data(rows, data or {})
    else:
        if before.status is not None or leg.status in CLOSED_LEG_STATUSES:
            raise Conflict(f"the leg is already {before.status or leg.status}; record a correction instead",
                           field="kind", rule="trip-log events are append-only; a closed leg takes corrections only")
        if leg.status in NOT_DRIVEN_LEG_STATUSES:
            raise Conflict(f"the leg is {leg.status}: it is not to be driven", field="leg",
                           rule="only approved legs are driven and logged")
        if kind in ("arrived", "picked-up") and any(r.kind == kind for r in rows):
            raise Conflict(f"the leg already has a {kind} event; record a correction instead", field="kind",
                           rule="one event of each kind per leg")
        if kind == "no-show" and before.picked_up_at is not None:
            raise Conflict("the member was picked up: not a no-show", field="kind", rule="trip-log event order")
        stored = validate_event_data(kind, data)

    after = fold_log([*(_event_value(r) for r in rows), LogEvent(10**12, kind, at, stored)])
    if after.status == "completed":
        vehicle, driver = assignment(uow.session, leg)
        problems = completion_problems(after, vehicle=vehicle, driver=driver, policy=policy)
        if problems:
            name, rule = problems[0]
            others = f" (and {len(problems) - 1} more: {', '.join(p[0] for p in problems[1:])})" if problems[1:] else ""
            raise InvalidInput(f"the leg cannot be completed: {name} is missing{others}", field=name, rule=rule)
        if leg.service_date >= STANDARD_TRIP_LOG_REQUIRED_FROM:
            pass  # the Standard Trip Log is the log: nothing else to attach

    row = TripLogEvent(leg_id=leg.id, kind=kind, at=at, data=stored, recorded_by=actor.user_id)
    uow.session.add(row)
    if after.status is not None and leg.status != after.status:
        leg.status = after.status
    audit.record(uow, actor, "create", "trip-log", leg.trip.member_id, leg=leg.key, kind=kind)
    try:
        uow.commit()
    except StaleDataError:
        uow.rollback()
        raise Conflict("the leg was changed by someone else at the same time; try again", field="leg",
                       rule="optimistic locking") from None
    return _view(uow, leg, [*rows, row], policy)


def _correction_data(rows: list[TripLogEvent], data: Mapping[str, Any]) -> dict[str, Any]:
    supersedes = data.get("supersedes")
    target = next((r for r in rows if r.id == supersedes), None) if isinstance(supersedes, int) else None
    if target is None:
        raise InvalidInput("supersedes must be the id of an earlier event of this leg", field="data.supersedes",
                           rule="a correction supersedes fields of an earlier event")
    if target.kind == "correction":
        raise InvalidInput("correct the original event, not a correction", field="data.supersedes",
                           rule="a correction supersedes fields of an earlier event")
    fields = data.get("fields")
    if not isinstance(fields, Mapping) or not fields:
        raise InvalidInput("fields must name at least one field to supersede", field="data.fields",
                           rule="a correction supersedes fields of an earlier event")
    fields = dict(fields)
    out_fields: dict[str, Any] = {}
    if "at" in fields:
        out_fields["at"] = _parse_at(fields.pop("at"), "data.fields.at").isoformat()
    out_fields.update(validate_event_data(target.kind, fields, path="data.fields."))
    reason = data.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 200:
        raise InvalidInput("reason must be text of at most 200 characters", field="data.reason",
                           rule="trip-log event schema")
    extra = set(data) - {"supersedes", "fields", "reason"}
    if extra:
        raise InvalidInput("a correction has supersedes, fields and reason only", field="data",
                           rule="trip-log event schema")
    return {"supersedes": target.id, "fields": out_fields, "reason": reason}


# ----------------------------------------------------------------------------------------------------------------
# The log as the billing layer's value
# ----------------------------------------------------------------------------------------------------------------
def billing_leg(leg: Leg, trip: Trip, log: LegLog, *, member, vehicle: str | None, driver: str | None,
                rendering_npi: str, policy: Policy) -> TripLogLeg:
    """A completed (or closed) leg's log as :class:`nemt.billing.trip_log.TripLogLeg`; ``leg_id`` is the leg's
    opaque key. Times are local to the program. Mode: the decided mode, else the requested one; service level and
    a caregiver trip's transported person come from the log or the ride request."""
    tz = policy.time_zone

    def local(value: dt.datetime | None) -> dt.time | None:
        return utc(value).astimezone(tz).time().replace(second=0, microsecond=0) if value else None

    request = trip.request or {}
    transported = request.get("transported_person")
    person = None
    if isinstance(transported, Mapping) and transported.get("name"):
        person = TransportedPerson(str(transported["name"]), transported.get("medicaid_id") or None)
    return TripLogLeg(
        leg_id=leg.key,
        member=BillingMember(member.medicaid_id, f"{member.first_name} {member.last_name}".strip(),
                             member.birth_date, bool(member.at_risk_adult)),
        date_of_service=leg.service_date,
        rendering_provider_npi=rendering_npi,
        mode=trip.mode or trip.requested_mode,
        service_level=log.service_level or request.get("service_level"),
        vehicle_id=vehicle,
        driver=driver,
        pickup=Stop(leg.origin_address, local(log.picked_up_at)),
        dropoff=Stop(leg.destination_address, local(log.dropped_off_at)),
        loaded_miles=log.loaded_miles or 0,
        status=log.status or leg.status,
        member_in_vehicle=log.member_in_vehicle,
        escorts=tuple(Escort(e.get("name", ""), e.get("role", "attendant")) for e in log.escorts),
        additional_passengers=tuple(AdditionalPassenger(p.get("name", ""), p.get("age", 0),
                                                        p.get("relation", "other"), p.get("reason"))
                                    for p in log.additional_passengers),
        shared_ride_group=log.shared_ride_group,
        identity_verified=bool(log.identity_verified),
        trip_confirmed_by=log.trip_confirmed_by,
        attachment_25mi=log.attachment_25mi,
        wait_minutes=log.wait_minutes,
        metered=log.metered,
        transported_person=person,
    )
