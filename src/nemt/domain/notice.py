"""Counted notice hours: the time between a ride request and the appointment, leaving out weekends and holidays.

Connecticut DSS NEMT notice — NEMT Contract (updated December 7, 2017): "members will still need to call at least
48 hours (not including weekends and holidays) before their appointment". Reading (acceptance README, "Counted
notice hours"): the clock time of the interval, leaving out every part that falls on a Saturday, a Sunday or a
holiday, days taken as calendar days in the program's time zone. Friday 10:00 to Tuesday 10:00 = 14 + 24 + 10 = 48 h.

Pure functions: the holiday calendar is passed in (``holiday_calendar`` builds one from the ``holidays`` package).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Iterable
from functools import cache
from zoneinfo import ZoneInfo

__all__ = ["counted_notice", "holiday_calendar", "is_counted_day", "same_or_next_days"]

_SATURDAY, _SUNDAY = 5, 6


def holiday_calendar(name: str, years: Iterable[int]) -> frozenset[dt.date]:
    """The holiday dates of calendar ``name`` for ``years``.

    ``name`` is a country code with an optional subdivision, as the policy writes it: ``"US-CT"`` = US federal
    holidays plus Connecticut's (Lincoln's Birthday, Good Friday), on observed dates, from the ``holidays`` package.
    The package also lists the actual date of a holiday observed on another day (Veterans Day on a Saturday); such a
    date is a weekend day, which is not counted anyway.
    """
    return _calendar(name, tuple(sorted(set(years))))


@cache
def _calendar(name: str, years: tuple[int, ...]) -> frozenset[dt.date]:
    import holidays  # imported here: only the notice rule needs it

    country, _, subdiv = name.partition("-")
    return frozenset(holidays.country_holidays(country, subdiv=subdiv or None, years=years).keys())


def is_counted_day(day: dt.date, holiday_dates: Container[dt.date]) -> bool:
    """A day whose hours count toward notice: not a Saturday, a Sunday or a holiday."""
    return day.weekday() not in (_SATURDAY, _SUNDAY) and day not in holiday_dates


def _start_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def counted_notice(
    requested_at: dt.datetime,
    appointment_at: dt.datetime,
    zone: ZoneInfo,
    holiday_dates: Container[dt.date] | Callable[[dt.date], bool],
    *,
    exclude_weekends: bool = True,
) -> dt.timedelta:
    """Elapsed time from ``requested_at`` to ``appointment_at`` that falls on counted days in ``zone``.

    ``holiday_dates`` is a set of dates or a predicate ``day -> is holiday``. Zero when the appointment is not after the
    request. Elapsed time is real time (computed in UTC), so a daylight-saving change is measured as it happens; US
    changes fall on Sundays, which are never counted.
    """
    if requested_at.tzinfo is None or appointment_at.tzinfo is None:
        raise ValueError("datetimes must carry a UTC offset")
    is_holiday = holiday_dates if callable(holiday_dates) else holiday_dates.__contains__
    start = requested_at.astimezone(dt.UTC)
    end = appointment_at.astimezone(dt.UTC)
    total = dt.timedelta(0)
    if end <= start:
        return total
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        weekend = exclude_weekends and day.weekday() in (_SATURDAY, _SUNDAY)
        if not weekend and not is_holiday(day):  # a counted day
            day_start = _start_of_day(day, zone).astimezone(dt.UTC)
            day_end = _start_of_day(day + dt.timedelta(days=1), zone).astimezone(dt.UTC)
            overlap = min(end, day_end) - max(start, day_start)
            if overlap > dt.timedelta(0):
                total += overlap
        day += dt.timedelta(days=1)
    return total


def same_or_next_days(requested_at: dt.datetime, appointment_at: dt.datetime, zone: ZoneInfo, max_days: int) -> bool:
    """The appointment falls on the calendar day of the request or at most ``max_days`` calendar days later
    (dates in ``zone``)."""
    delta = (appointment_at.astimezone(zone).date() - requested_at.astimezone(zone).date()).days
    return 0 <= delta <= max_days
