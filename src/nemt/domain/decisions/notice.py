"""Notice and urgency: Colorado's urgent rides and Connecticut's 48-hour notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from nemt.domain.dates import local_date
from nemt.domain.decisions.values import Facts, Finding
from nemt.domain.notice import counted_notice, holiday_calendar, same_or_next_days


def colorado_urgent(f: Facts) -> Iterable[Finding]:
    """Urgent NEMT: hospital discharge; a provider's failure to pick up "within one hour of the scheduled pick up
    time" (urgent only after more than that many minutes); critical, unplanned appointments."""
    t = f.trip
    reason = t.urgent_reason
    if reason is None:
        return
    if reason == "missed-pickup-over-1-hour":
        if t.missed_pickup_scheduled_at is None:
            return
        waited = _elapsed(t.missed_pickup_scheduled_at, f.request.requested_at)
        if waited <= dt.timedelta(minutes=f.policy.get("urgent.missed_pickup_minutes")):
            return
    yield Finding("urgent", {"reason": reason.replace("-", " ")})


def connecticut_notice(f: Facts) -> Iterable[Finding]:
    """NEMT Contract (updated December 7, 2017): "call at least 48 hours (not including weekends and holidays)
    before their appointment. If a member has an urgent need and their healthcare provider needs to see them the
    same day or next day, they need to call as soon as they can"."""
    zone = f.policy.time_zone
    requested_at, appointment_at = f.request.requested_at, f.trip.appointment_at
    required = dt.timedelta(hours=f.policy.get("notice.required_hours"))
    years = range(local_date(requested_at, zone).year, local_date(appointment_at, zone).year + 1)
    holidays = (
        holiday_calendar(f.policy.get("notice.holiday_calendar"), years)
        if f.policy.get("notice.exclude_holidays", True)
        else frozenset()
    )
    counted = counted_notice(requested_at, appointment_at, zone, holidays,
                             exclude_weekends=f.policy.get("notice.exclude_weekends", True))
    if counted >= required:
        return
    reason = f.trip.urgent_reason
    if reason is not None and same_or_next_days(
        requested_at, appointment_at, zone, f.policy.get("notice.urgent_max_days_ahead")
    ):
        yield Finding("urgent", {"reason": reason.replace("-", " ")})
    else:
        hours = counted.total_seconds() / 3600
        yield Finding("insufficient-notice", {"hours": f"{hours:.2f}".rstrip("0").rstrip("."),
                                              "required": f.policy.get("notice.required_hours")})


def _elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)
