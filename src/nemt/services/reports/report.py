"""What every report is: a table, a chart choice and a CSV export; and what the report builders share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from nemt.domain.actors import Actor
from nemt.domain.punctuality import LegTimes
from nemt.domain.trip_log import LegLog, LogEvent, fold_log, utc
from nemt.services.reports.export import csv_text
from nemt.store.models import Leg, Trip


@dataclass
class Report:
    name: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)
    chart: str | None = "bar"  # bar | column | None
    label_column: int = 0
    value_column: int = 1
    unit: str = ""
    citation: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    def chart_items(self) -> list[tuple[str, float]]:
        return [(str(r[self.label_column]), float(r[self.value_column] or 0)) for r in self.rows]

    def csv(self) -> str:
        """The table as CSV, cells a spreadsheet would run as formulas escaped (:mod:`.export`)."""
        return csv_text(self.columns, self.rows)


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    build: Callable


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as an aware UTC time (SQLite hands them back naive)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def leg_times(leg: Leg, log: LegLog) -> LegTimes:
    """A driven leg's promised and logged times, as the one punctuality rule (``nemt.domain.punctuality``) reads
    them."""
    return LegTimes(pickup_earliest=aware(leg.pickup_earliest), dropoff_latest=aware(leg.dropoff_latest),
                    planned_pickup=aware(leg.planned_pickup), picked_up_at=log.picked_up_at,
                    dropped_off_at=log.dropped_off_at)


def graded(counts: Mapping[str, int]) -> tuple[int, int, int, int, float | None]:
    """Legs measured, on time, early, late (the grades of ``punctuality.verdict``) and the on-time percent."""
    good, early, late = counts.get("on time", 0), counts.get("early", 0), counts.get("late", 0)
    measured = good + early + late
    return measured, good, early, late, percent(good, measured)


def legs_with_logs(uow, actor: Actor, start: dt.date, end: dt.date) -> list[tuple[Leg, Trip, LegLog]]:
    """(leg, trip, current trip log) for the period's legs; the log is the fold of the leg's events
    (``nemt.domain.trip_log.fold_log``), so corrections count."""
    rows = uow.reports.legs(actor, start, end)
    events = uow.reports.log_events([leg.id for leg, _ in rows]) if rows else {}
    logs = {leg_id: fold_log(LogEvent(e.id, e.kind, utc(e.at), e.data or {}) for e in leg_events)
            for leg_id, leg_events in events.items()}
    return [(leg, trip, logs[leg.id]) for leg, trip in rows]
