"""Reports on driven legs, from the drivers' trip logs: on-time pick-ups, no-shows and cancellations, ride time."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from nemt.domain.punctuality import verdict
from nemt.domain.statuses import LegStatus
from nemt.services.reports.report import Report, graded, leg_times, legs_with_logs
from nemt.services.reports.trips import CANCELLED

# The trip-log status of a leg whose member did not come.
NO_SHOW = LegStatus.NO_SHOW


def on_time(uow, actor, start, end, policy) -> Report:
    """Legs on time, early and late by day: each graded by ``punctuality.verdict``, the rule of the on-time by
    provider report and of the dispatch board."""
    window = dt.timedelta(minutes=int(policy.get("operations.pickup_window_minutes")))
    per_day: dict[dt.date, Counter] = defaultdict(Counter)
    for leg, _trip, log in legs_with_logs(uow, actor, start, end):
        grade = verdict(leg_times(leg, log), window)
        if grade is not None:
            per_day[leg.service_date][grade] += 1
    rows: list[tuple] = [(d, *graded(per_day[d])) for d in sorted(per_day)]
    if rows:  # a row per day, then "all days"
        rows.append(("all days", *graded(sum(per_day.values(), Counter()))))
    minutes = int(window.total_seconds() // 60)
    return Report("on-time", "On-time pick-ups",
                  f"A leg is on time when the driver's logged pick-up is within {minutes} minutes (the program's "
                  "pick-up window) either side of the planned pick-up, or the requested one when none was planned, "
                  f"and, to an appointment, it arrives by it; early when picked up more than {minutes} minutes "
                  "before. A leg to an appointment with no pick-up time is on time when it arrives by the "
                  "appointment.",
                  ("date", "legs measured", "on time", "early", "late", "on-time %"), rows, chart="bar",
                  value_column=5, unit="%", citation=policy.cite("operations"))


def no_shows(uow, actor, start, end, policy) -> Report:
    per_day: dict[dt.date, Counter] = defaultdict(Counter)
    for leg, _trip, log in legs_with_logs(uow, actor, start, end):
        if log.status == NO_SHOW:
            per_day[leg.service_date]["no_show"] += 1
    for trip, _ in uow.reports.trips(actor, start, end):
        per_day[trip.service_date]["trips"] += 1
        if trip.status == CANCELLED:
            per_day[trip.service_date]["cancelled"] += 1
    rows = [(d, c["trips"], c["no_show"], c["cancelled"]) for d, c in sorted(per_day.items())]
    return Report("no-shows", "No-shows and cancellations",
                  "Legs where the driver logged a no-show, and trips cancelled, by date of service.",
                  ("date", "trips", "no-show legs", "cancelled trips"), rows, chart="column", value_column=2)


def ride_time(uow, actor, start, end, policy) -> Report:
    minutes: dict[str, list[float]] = defaultdict(list)
    for _leg, trip, log in legs_with_logs(uow, actor, start, end):
        if log.picked_up_at and log.dropped_off_at and log.status == LegStatus.COMPLETED:
            minutes[trip.mode or "(unknown)"].append((log.dropped_off_at - log.picked_up_at).total_seconds() / 60)
    rows = [(mode, len(v), round(sum(v) / len(v), 1)) for mode, v in sorted(minutes.items())]
    every = [m for v in minutes.values() for m in v]
    if every:
        rows.append(("all modes", len(every), round(sum(every) / len(every), 1)))
    return Report("ride-time", "Average ride time",
                  f"Minutes from logged pick-up to logged drop-off, by mode (the program's limit is "
                  f"{policy.get('operations.max_ride_minutes')} minutes).",
                  ("mode", "legs", "average minutes"), rows, value_column=2, unit=" min",
                  citation=policy.cite("operations"))
