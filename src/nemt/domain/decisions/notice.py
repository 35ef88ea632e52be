"""Notice and urgency: Colorado's urgent rides and Connecticut's 48-hour notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from nemt.domain.dates import local_date
from nemt.domain.decisions.arranger import broker_of, call_broker
from nemt.domain.decisions.values import Facts, Finding
from nemt.domain.decisions.words import duration, urgent_words
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
    yield Finding("urgent", {"reason": urgent_words(reason)})


def connecticut_notice(f: Facts) -> Iterable[Finding]:
    """NEMT Contract (updated December 7, 2017): "call at least 48 hours (not including weekends and holidays)
    before their appointment. If a member has an urgent need and their healthcare provider needs to see them the
    same day or next day, they need to call as soon as they can"."""
    zone = f.policy.time_zone
    requested_at, appointment_at = f.request.requested_at, f.trip.appointment_at
    required = dt.timedelta(hours=f.policy.get("notice.required_hours"))
    years = range(local_date(requested_at, zone).year, local_date(appointment_at, zone).year + 1)
    holidays: frozenset[dt.date] = frozenset()
    if f.policy.get("notice.exclude_holidays", True):  # the calendar's and the program's own, listed in its file
        calendar = f.policy.get("notice.holiday_calendar", None)
        holidays = (holiday_calendar(calendar, years) if calendar else frozenset()) | frozenset(
            f.policy.get("notice.holiday_dates", ()))
    counted = counted_notice(requested_at, appointment_at, zone, holidays,
                             exclude_weekends=f.policy.get("notice.exclude_weekends", True))
    if counted >= required:
        return
    reason = f.trip.urgent_reason
    if reason is not None and same_or_next_days(
        requested_at, appointment_at, zone, f.policy.get("notice.urgent_max_days_ahead")
    ):
        yield Finding("urgent", {"reason": urgent_words(reason)})
    else:
        yield Finding("insufficient-notice", _late_request_words(f, counted))


_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


def _late_request_words(f: Facts, counted: dt.timedelta) -> dict[str, str]:
    """The values of a late request's message: the notice given and needed, in words, and the broker to call (the
    broker of the appointment date: "the new telephone number to call is ...")."""
    required = int(f.policy.get("notice.required_hours"))
    days, rest = divmod(required, 24)
    needed = f"{required} hours of notice"
    if days and not rest:
        days_text = _NUMBER_WORDS.get(days, str(days))
        needed += f" ({days_text} full weekday{'s' if days > 1 else ''})"
    call = call_broker(broker_of(f))
    given = f"{duration(counted)} before the appointment" if counted >= dt.timedelta(minutes=1) else \
        "with no counted time before the appointment"
    return {"given": given, "needed": needed, "call": call}


def _elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)
