"""The platform's one clock: every "now" and "today" the code reads comes from here, never from the machine's local
time zone.

``now()`` is an aware UTC instant; ``today(zone)`` is the calendar date in a program's zone (the policy's
``time_zone``), so a server in Honolulu and one in Denver agree on a Colorado member's date of service.

The clock follows the machine's clock unless ``NEMT_CLOCK_START`` names an instant with its UTC offset (for example
``2026-11-17T09:30:00-07:00``): then the clock starts there when the process starts and runs at the real rate. A
training room uses it to replay a chosen day; the test suite sets it so that its results do not depend on the day,
the time of day or the time zone it runs in. ``start_at`` does the same inside a running process. The database's own
clock (``now()`` in SQL) is never read: every timestamp is written from this one.
"""

from __future__ import annotations

import datetime as dt
import os
import time

ENV = "NEMT_CLOCK_START"

_offset = dt.timedelta(0)


def _parse(value: str) -> dt.datetime:
    try:
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{ENV}: {value!r} is not an ISO 8601 date and time") from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{ENV}: {value!r} must carry its UTC offset (for example -07:00)")
    return instant


def _machine_now() -> dt.datetime:
    return dt.datetime.fromtimestamp(time.time(), dt.UTC)


def start_at(instant: dt.datetime | str | None) -> None:
    """Run the clock from ``instant`` from now on (None: follow the machine's clock again)."""
    global _offset
    if instant is None:
        _offset = dt.timedelta(0)
        return
    if isinstance(instant, str):
        instant = _parse(instant)
    elif instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("the clock's start must be an aware datetime")
    _offset = instant - _machine_now()


def now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return _machine_now() + _offset


def today(zone: dt.tzinfo) -> dt.date:
    """Today's calendar date in ``zone`` (a program's time zone)."""
    return now().astimezone(zone).date()


if os.environ.get(ENV):
    start_at(os.environ[ENV])
