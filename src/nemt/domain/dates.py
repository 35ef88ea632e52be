"""Calendar arithmetic the rules share: ages in whole years, local dates of service."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years on ``day``; a person is N from their Nth birthday on (a 29 February birthday counts on 1 March
    in common years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The calendar date of an aware datetime in the program's time zone."""
    if moment.tzinfo is None:
        raise ValueError("datetime must carry a UTC offset")
    return moment.astimezone(zone).date()
