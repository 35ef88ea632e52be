"""The Colorado Standard Trip Log's rules: what an event may carry, the fold of a leg's events into its current log,
and what a completed leg's log still lacks. Pure: plain values in, plain values out.

Health First Colorado NEMT Billing Manual — Standard Forms Required: "Effective October 1, 2024, all NEMT providers
must begin using the Department provided Standard Trip Log for all rides provided." A leg's log is a sequence of
events (``arrived``, ``picked-up``, ``dropped-off``, ``no-show``, ``cancelled``, ``correction``). A correction is a
new event that supersedes fields of an earlier one. The current log of a leg is :func:`fold_log` of its events.

A leg is completed by its ``dropped-off`` event, and only when every field the log must carry is there
(:func:`completion_problems`); a correction may not take a required field away from a completed leg.

Errors are :class:`TripLogError` (message, field, rule); the services turn them into their ``InvalidInput``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nemt.billing.trip_log import ESCORT_ROLES, PASSENGER_REASONS, PASSENGER_RELATIONS, TRIP_CONFIRMERS
from nemt.domain.statuses import CLOSED_LEG_STATUSES, TERMINAL_STATUS, EventKind
from nemt.policy import Policy

__all__ = [
    "EVENT_FIELDS",
    "EVENT_KINDS",
    "TERMINAL_STATUS",
    "LegLog",
    "LogEvent",
    "TripLogError",
    "check_event_time",
    "completion_problems",
    "correction_data",
    "fold_log",
    "is_closed",
    "parse_at",
    "utc",
    "validate_event_data",
]

EVENT_KINDS: tuple[str, ...] = tuple(EventKind)
# The fields each kind of event may carry in ``data`` (a correction may supersede these and ``at``).
EVENT_FIELDS: Mapping[str, frozenset[str]] = {
    EventKind.ARRIVED: frozenset(),
    EventKind.PICKED_UP: frozenset({"identity_verified", "escorts", "additional_passengers", "member_in_vehicle",
                                    "shared_ride_group", "metered", "service_level"}),
    EventKind.DROPPED_OFF: frozenset({"loaded_miles", "trip_confirmed_by", "wait_minutes", "attachment_25mi"}),
    EventKind.NO_SHOW: frozenset({"wait_minutes", "reason"}),
    EventKind.CANCELLED: frozenset({"wait_minutes", "reason"}),
}

_SCHEMA = "trip-log event schema"
_CORRECTION = "a correction supersedes fields of an earlier event"
_STANDARD_LOG = "Standard Forms Required"
_ATTACHMENT = "25 Mile or Longer Trips"
_PASSENGERS = "Child or At-Risk Adult Accompaniment"


class TripLogError(ValueError):
    """Event data the log cannot take: names the field (its path in the request) and the rule."""

    def __init__(self, message: str, *, field: str, rule: str = _SCHEMA):
        super().__init__(message)
        self.message, self.field, self.rule = message, field, rule


def utc(value: dt.datetime) -> dt.datetime:
    """Times are stored in UTC; SQLite hands them back naive."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


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


# ----------------------------------------------------------------------------------------------------------------
# Validation of an event's data
# ----------------------------------------------------------------------------------------------------------------
def _bool(data: Mapping[str, Any], name: str, path: str) -> bool:
    value = data[name]
    if not isinstance(value, bool):
        raise TripLogError(f"{name} must be true or false", field=f"{path}{name}")
    return value


def _count(data: Mapping[str, Any], name: str, path: str, policy: Policy) -> int:
    """A whole number from 0 to the program's largest (``trip_log.max_loaded_miles``, ``trip_log.max_wait_minutes``:
    far beyond any real trip, so absurd numbers are refused at entry instead of reaching a claim's arithmetic)."""
    value = data[name]
    top = int(policy.get(f"trip_log.max_{name}"))
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise TripLogError(f"{name} must be a whole number from 0 to {top:,}", field=f"{path}{name}")
    return value


def _choice(value: Any, allowed: Sequence[str], where: str) -> str:
    if value not in allowed:
        raise TripLogError(f"must be one of {', '.join(allowed)}", field=where)
    return str(value)


def _name(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 200:
        raise TripLogError("a name must be text of at most 200 characters", field=where)
    return value.strip()


def _short_text(data: Mapping[str, Any], name: str, path: str) -> str | None:
    value = data[name]
    if value is not None and (not isinstance(value, str) or len(value) > 40):
        raise TripLogError(f"{name} must be text of at most 40 characters", field=f"{path}{name}")
    return value or None


def _reason(value: Any, where: str) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise TripLogError("reason must be text of at most 200 characters", field=where)
    return value


def _escorts(value: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise TripLogError("escorts must be a list", field=f"{path}escorts")
    out = []
    for i, item in enumerate(value):
        where = f"{path}escorts[{i}]"
        if not isinstance(item, Mapping):
            raise TripLogError("an escort is {name, role}", field=where)
        out.append({
            "name": _name(item.get("name"), f"{where}.name"),
            "role": _choice(item.get("role", "attendant"), ESCORT_ROLES, f"{where}.role"),
        })
    return out


def _passenger(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise TripLogError("a passenger is {name, age, relation}", field=where)
    age = item.get("age", 0)
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130:
        raise TripLogError("age must be a whole number of years", field=f"{where}.age")
    entry: dict[str, Any] = {
        "name": _name(item.get("name"), f"{where}.name"),
        "age": age,
        "relation": _choice(item.get("relation", "other"), PASSENGER_RELATIONS, f"{where}.relation"),
    }
    if item.get("reason") is not None:
        entry["reason"] = _choice(item["reason"], PASSENGER_REASONS, f"{where}.reason")
    return entry


def _passengers(value: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise TripLogError("additional_passengers must be a list", field=f"{path}additional_passengers")
    return [_passenger(item, f"{path}additional_passengers[{i}]") for i, item in enumerate(value)]


def _check_names(kind: str, data: Mapping[str, Any], path: str) -> None:
    allowed = EVENT_FIELDS[kind]
    for name in data:
        if name not in allowed:
            raise TripLogError(f"a {kind} event has no field {name!r}" if len(name) < 40 else "unknown field",
                               field=f"{path}{name}"[:80])


def validate_event_data(kind: str, data: Mapping[str, Any] | None, *, policy: Policy,
                        path: str = "data.") -> dict[str, Any]:
    """The normalized ``data`` of an event of ``kind`` (not ``correction``). Raises :class:`TripLogError` naming
    the field. Messages never repeat the values sent (they may be names)."""
    data = dict(data or {})
    _check_names(kind, data, path)
    out: dict[str, Any] = {}
    for name in ("identity_verified", "member_in_vehicle", "metered", "attachment_25mi"):
        if name in data:
            out[name] = _bool(data, name, path)
    for name in ("loaded_miles", "wait_minutes"):
        if name in data:
            out[name] = _count(data, name, path, policy)
    if "trip_confirmed_by" in data:
        out["trip_confirmed_by"] = _choice(data["trip_confirmed_by"], TRIP_CONFIRMERS, f"{path}trip_confirmed_by")
    for name in ("shared_ride_group", "service_level"):
        if name in data:
            out[name] = _short_text(data, name, path)
    if "reason" in data:
        out["reason"] = _reason(data["reason"], f"{path}reason")
    if "escorts" in data:
        out["escorts"] = _escorts(data["escorts"], path)
    if "additional_passengers" in data:
        out["additional_passengers"] = _passengers(data["additional_passengers"], path)
    return out


def parse_at(value: Any, where: str) -> dt.datetime:
    """An event time given as ISO 8601 text (or a datetime) with its UTC offset, in UTC."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise TripLogError("must be an ISO 8601 date and time", field=where) from None
    if parsed.tzinfo is None:
        raise TripLogError("must carry its UTC offset", field=where)
    return utc_instant(parsed, where)


def utc_instant(value: dt.datetime, where: str, *, rule: str = _SCHEMA) -> dt.datetime:
    """An aware time in UTC; one that has none (year 0001 ahead of UTC, year 9999 behind it) is refused."""
    try:
        return utc(value)
    except OverflowError:
        raise TripLogError("is not a plausible instant", field=where, rule=rule) from None


def check_event_time(at: dt.datetime, *, service_date: dt.date, now: dt.datetime, policy: Policy,
                     where: str = "at") -> None:
    """An event's time must be a plausible instant: not before the day before the leg's date of service (local
    midnight) and not after now plus a few minutes (a phone's clock running ahead). Year 0001 or next month is a
    typing or device error, not a trip. The bounds are the program's operational ``trip_log`` values (the manual
    states none; Standard Forms Required asks for the times of the ride, which are of its day)."""
    days = int(policy.get("trip_log.days_before_service_date"))
    ahead = dt.timedelta(minutes=int(policy.get("trip_log.future_tolerance_minutes")))
    earliest = dt.datetime.combine(service_date - dt.timedelta(days=days), dt.time(0), tzinfo=policy.time_zone)
    rule = f"event times are of the ride's day ({policy.cite('trip_log')})"
    if utc(at) < earliest:
        raise TripLogError(f"is before the leg's date of service ({service_date.isoformat()}) less {days} day(s)",
                           field=where, rule=rule)
    if utc(at) > utc(now) + ahead:
        raise TripLogError(f"is in the future (more than {int(ahead.total_seconds() // 60)} minutes ahead)",
                           field=where, rule=rule)


def correction_data(earlier: Sequence[LogEvent], data: Mapping[str, Any], *, policy: Policy) -> dict[str, Any]:
    """The normalized ``data`` of a correction of one of the ``earlier`` events of the leg: ``{"supersedes": event
    id, "fields": {...}, "reason": "..."}``; the fields are validated as the superseded event's kind."""
    supersedes = data.get("supersedes")
    target = next((e for e in earlier if e.id == supersedes), None) if isinstance(supersedes, int) else None
    if target is None:
        raise TripLogError("supersedes must be the id of an earlier event of this leg", field="data.supersedes",
                           rule=_CORRECTION)
    if target.kind == EventKind.CORRECTION:
        raise TripLogError("correct the original event, not a correction", field="data.supersedes", rule=_CORRECTION)
    fields = data.get("fields")
    if not isinstance(fields, Mapping) or not fields:
        raise TripLogError("fields must name at least one field to supersede", field="data.fields", rule=_CORRECTION)
    fields = dict(fields)
    out_fields: dict[str, Any] = {}
    if "at" in fields:
        out_fields["at"] = parse_at(fields.pop("at"), "data.fields.at").isoformat()
    out_fields.update(validate_event_data(target.kind, fields, policy=policy, path="data.fields."))
    reason = _reason(data.get("reason", ""), "data.reason")
    if set(data) - {"supersedes", "fields", "reason"}:
        raise TripLogError("a correction has supersedes, fields and reason only", field="data")
    return {"supersedes": target.id, "fields": out_fields, "reason": reason}


# ----------------------------------------------------------------------------------------------------------------
# The fold
# ----------------------------------------------------------------------------------------------------------------
_Effective = dict[int, tuple[str, dt.datetime, dict[str, Any]]]
_TIME_OF = {EventKind.ARRIVED: "arrived_at", EventKind.PICKED_UP: "picked_up_at",
            EventKind.DROPPED_OFF: "dropped_off_at"}


def _effective_events(ordered: Sequence[LogEvent]) -> tuple[_Effective, int]:
    """The original events with their corrections applied (later corrections win), and the number of corrections."""
    effective: _Effective = {}
    corrections = 0
    for event in ordered:
        if event.kind != EventKind.CORRECTION:
            effective[event.id] = (event.kind, event.at, dict(event.data))
            continue
        corrections += 1
        target = effective.get(int(event.data.get("supersedes", -1)))
        if target is None:  # validated when recorded; a stray one changes nothing
            continue
        kind, at, data = target
        fields = dict(event.data.get("fields", {}))
        if "at" in fields:
            at = parse_at(fields.pop("at"), "fields.at")
        data.update(fields)
        effective[int(event.data["supersedes"])] = (kind, at, data)
    return effective, corrections


def _apply(values: dict[str, Any], kind: str, at: dt.datetime, data: Mapping[str, Any]) -> None:
    if kind in _TIME_OF:
        values[_TIME_OF[EventKind(kind)]] = at
    if kind in TERMINAL_STATUS:
        values["status"] = TERMINAL_STATUS[EventKind(kind)].value
    for name, value in data.items():
        if name not in _LOG_FIELDS:
            continue
        if name in ("escorts", "additional_passengers"):
            value = tuple(dict(v) for v in value)
        values[name] = value


def fold_log(events: Iterable[LogEvent]) -> LegLog:
    """The current log of a leg from its events (in any order; ids give the recording order). Corrections replace
    fields of the event they supersede — later corrections win — and the events are then applied in order."""
    ordered = sorted(events, key=lambda e: e.id)
    effective, corrections = _effective_events(ordered)
    values: dict[str, Any] = {"events": len(ordered), "corrections": corrections}
    for _, (kind, at, data) in sorted(effective.items()):
        _apply(values, kind, at, data)
    return LegLog(**values)


# ----------------------------------------------------------------------------------------------------------------
# Completion
# ----------------------------------------------------------------------------------------------------------------
def _people_problems(log: LegLog, policy: Policy, standard: str) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for i, escort in enumerate(log.escorts):
        if not escort.get("name"):
            problems.append((f"escorts[{i}].name", f"the escort's name is required — {standard}"))
    for i, passenger in enumerate(log.additional_passengers):
        if not passenger.get("name"):
            problems.append((f"additional_passengers[{i}].name",
                             "the names of the additional passengers must be included in the trip log — "
                             f"{policy.cite(_PASSENGERS)}"))
    return problems


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
    problems += _people_problems(log, policy, standard)
    if not driver:
        problems.append(("driver", f"the driver's name is required (assign a driver to the leg) — {attachment}"))
    if not vehicle:
        problems.append(("vehicle", f"the vehicle must be identified (assign a vehicle to the leg) — {attachment}"))
    return problems


def is_closed(log: LegLog, leg_status: str) -> bool:
    """A leg closed by its log (or by its stored status) takes corrections only."""
    return log.status is not None or leg_status in CLOSED_LEG_STATUSES
