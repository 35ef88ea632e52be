"""Reports on ride requests: trips by day, by mode and by county, and denials by reason."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from nemt.domain.decisions import DENIED
from nemt.domain.statuses import TripStatus
from nemt.services.reports.report import Report, days

# A trip counts under its decision's outcome, or as cancelled when it was.
CANCELLED = TripStatus.CANCELLED


def trips_by_day(uow, actor, start, end, policy) -> Report:
    counts: dict[dt.date, Counter] = {d: Counter() for d in days(start, end)}
    for trip, _county in uow.reports.trips(actor, start, end):
        c = counts.setdefault(trip.service_date, Counter())
        c["booked"] += 1
        c[CANCELLED if trip.status == CANCELLED else trip.outcome] += 1
    rows = [(d, c["booked"], c["approved"], c["pending"], c[DENIED], c[CANCELLED])
            for d, c in sorted(counts.items())]
    return Report("trips-by-day", "Trips by day", "Ride requests by date of service and outcome.",
                  ("date", "requests", "approved", "pending", "denied", "cancelled"), rows, chart="column")


def trips_by_mode(uow, actor, start, end, policy) -> Report:
    c = Counter(trip.mode or "(none: denied or pending)" for trip, _ in uow.reports.trips(actor, start, end)
                if trip.status != CANCELLED)
    rows = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
    return Report("trips-by-mode", "Trips by mode", "Trips not cancelled, by the mode decided (least costly mode "
                  "the member's certifications support).", ("mode", "trips"), rows, citation=policy.cite("modes")
                  if policy.has("modes.cite") else "")


def trips_by_county(uow, actor, start, end, policy) -> Report:
    c = Counter(county for trip, county in uow.reports.trips(actor, start, end) if trip.status != CANCELLED)
    rows = sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))
    return Report("trips-by-county", "Trips by county", "Trips not cancelled, by the member's county of residence.",
                  ("county", "trips"), rows)


def denials(uow, actor, start, end, policy) -> Report:
    c: Counter = Counter()
    citations: dict[str, str] = {}
    for trip, _ in uow.reports.trips(actor, start, end):
        if trip.outcome != DENIED:
            continue
        for reason in (trip.decision or {}).get("reasons", []):
            if reason.get("kind") == "deny":
                c[reason["code"]] += 1
                citations.setdefault(reason["code"], reason.get("citation", ""))
    rows = [(code, n, citations[code]) for code, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Report("denials", "Denials by reason", "Denied ride requests by each denial reason (one request may "
                  "have several reasons).", ("reason", "denials", "rule"), rows)
