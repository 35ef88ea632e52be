"""Calendar arithmetic the rules share: ages in whole years, local dates of service; the one parser of the dates
people type and files hold (YYYY-MM-DD)."""

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


DATE_FORMAT = "YYYY-MM-DD"


class DateInputError(ValueError):
    """A date from a person or a file that is missing or not a calendar date; carries the field it came in.

    ``reason`` completes the field's name ("--today: must be a date YYYY-MM-DD", a CSV row's error);
    ``str(error)`` is the whole sentence, naming the field ("the day must be a date YYYY-MM-DD").
    """

    def __init__(self, field: str, reason: str, label: str | None = None):
        self.field, self.reason = field, reason
        super().__init__(f"{label or field.replace('_', ' ')} {reason}")

    @property
    def message(self) -> str:
        return str(self)


def parse_date(value: str | None, field: str, *, label: str | None = None) -> dt.date:
    """The date a person typed or a file holds, written YYYY-MM-DD (surrounding blanks ignored).

    Raises :class:`DateInputError` naming ``field`` (``label`` is how the sentence names it, by default the field
    with spaces) when the value is blank or not a calendar date.
    """
    text = (value or "").strip()
    if not text:
        raise DateInputError(field, f"is required ({DATE_FORMAT})", label)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DateInputError(field, f"must be a date {DATE_FORMAT}", label) from None


def parse_optional_date(value: str | None, field: str, *, label: str | None = None) -> dt.date | None:
    """:func:`parse_date`, but None for a blank value (a date the person may leave out)."""
    if not (value or "").strip():
        return None
    return parse_date(value, field, label=label)
