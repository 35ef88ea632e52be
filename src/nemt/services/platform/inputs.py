"""Input a person types, turned into values, or into :class:`InvalidInput` naming the field and the rule.

The parsing itself is pure (``nemt.domain.dates``); this module only gives its errors the service-error form the
API, the pages and the command line report.
"""

from __future__ import annotations

import datetime as dt

from nemt.domain.dates import DateInputError, parse_date, parse_optional_date
from nemt.services.platform.errors import InvalidInput


def invalid(error: DateInputError, rule: str) -> InvalidInput:
    """The service error of a date that does not parse: its sentence, its field, and the form's rule."""
    return InvalidInput(error.message, field=error.field, rule=rule)


def date_input(value: str | None, field: str, rule: str, *, label: str | None = None) -> dt.date:
    """A required date (YYYY-MM-DD) from a form or a query, or :class:`InvalidInput` naming ``field``."""
    try:
        return parse_date(value, field, label=label)
    except DateInputError as error:
        raise invalid(error, rule) from None


def optional_date_input(value: str | None, field: str, rule: str, *, label: str | None = None) -> dt.date | None:
    """A date (YYYY-MM-DD) a person may leave blank: None then; :class:`InvalidInput` when it does not parse."""
    try:
        return parse_optional_date(value, field, label=label)
    except DateInputError as error:
        raise invalid(error, rule) from None


def day_input(value: str | None, today: dt.date, rule: str) -> dt.date:
    """The ``day`` a page shows (YYYY-MM-DD), ``today`` when none is given."""
    return optional_date_input(value, "day", rule, label="the day") or today


def clamp_rows(limit: int | None, default: int, maximum: int) -> int:
    """The one limit rule of the lists a person asks for: ``default`` rows when not given, else at least 1 and at
    most ``maximum`` — a zero or negative limit is not an error, nor a list of everything."""
    return default if limit is None else max(1, min(limit, maximum))
