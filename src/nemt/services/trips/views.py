"""A leg and its log as the interfaces show it, and the folded logs of many legs (for billing and reports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nemt.domain.statuses import LegStatus
from nemt.domain.trip_log import LegLog, LogEvent, completion_problems, fold_log, utc
from nemt.policy import Policy
from nemt.store.models import Leg, TripLogEvent
from nemt.store.repositories.trips import TripLogRepository


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
    # Verified trips (issue 15), on the one-leg answers: the plausibility rules the log fails (each "refused" or
    # "held for review", with the reason) and the leg's evidence (positions, odometer, attestations; no images).
    holds: tuple[dict[str, Any], ...] = ()
    evidence: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "leg_key": self.leg_key, "trip_key": self.trip_key, "member_key": self.member_key,
            "sequence": self.sequence, "service_date": self.service_date.isoformat(), "leg_status": self.leg_status,
            "log": self.log.as_dict(), "events": list(self.events),
            "missing": [{"field": f, "rule": r} for f, r in self.missing],
            "holds": list(self.holds), "evidence": self.evidence,
        }


def event_value(row: TripLogEvent) -> LogEvent:
    return LogEvent(row.id, row.kind, utc(row.at), row.data or {})


def event_dict(row: TripLogEvent) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "at": utc(row.at).isoformat(), "data": row.data or {},
            "recorded_at": utc(row.recorded_at).isoformat() if row.recorded_at else None}


def assignment(uow: Any, leg: Leg) -> tuple[str | None, str | None]:
    """``(vehicle id as the provider knows it, driver's name)`` of a leg — the driver directly on the leg, else
    the driver of its vehicle's run that day."""
    return uow.trip_logs.assignment(leg)


def view_of(uow: Any, leg: Leg, rows: list[TripLogEvent], policy: Policy) -> LegLogView:
    """The view of one leg from its event rows; what it still lacks while it is not closed otherwise."""
    log = fold_log(event_value(r) for r in rows)
    missing: tuple[tuple[str, str], ...] = ()
    if log.status in (None, LegStatus.COMPLETED):
        vehicle, driver = uow.trip_logs.assignment(leg)
        missing = tuple(completion_problems(log, vehicle=vehicle, driver=driver, policy=policy))
    return LegLogView(leg.key, leg.trip.key, uow.trip_logs.member_key(leg.trip.member_id), leg.sequence,
                      leg.service_date, leg.status, log, tuple(event_dict(r) for r in rows), missing)


def logs_of(uow: Any, leg_ids: Sequence[int]) -> dict[int, LegLog]:
    """The folded logs of many legs in one query per 500 legs."""
    return {leg_id: fold_log(event_value(r) for r in rows)
            for leg_id, rows in uow.trip_logs.events_of(leg_ids).items()}


def load_logs(source: Any, leg_ids: Sequence[int]) -> dict[int, LegLog]:
    """:func:`logs_of` for a unit of work — or, for callers not yet moved, a database session."""
    repository = source.trip_logs if hasattr(source, "trip_logs") else TripLogRepository(source)
    return {leg_id: fold_log(event_value(r) for r in rows)
            for leg_id, rows in repository.events_of(leg_ids).items()}
