"""The platform's one clock: every "now" and "today" the code reads comes from here, never from the machine's local
time zone.

``now()`` is an aware UTC instant; ``today(zone)`` is the calendar date in a program's zone (the policy's
``time_zone``), so a server in Honolulu and one in Denver agree on a Colorado member's date of service.

The clock follows the machine's clock unless ``NEMT_CLOCK_START`` names an instant with its UTC offset (for example
``2026-11-17T09:30:00-07:00``): then the clock starts there when the process starts and runs at the real rate. A
training room uses it to replay a chosen day; the test suite sets it so that its results do not depend on the day,
the time of day or the time zone it runs in. ``start_at`` does the same inside a running process. The database's own
clock (``now()`` in SQL) is never read: every timestamp is written from this one.

``NEMT_CLOCK_START=<instant>@<Unix seconds>`` pins the start to a moment of the machine's clock instead of the
process's start: :func:`for_child` writes it, so that a process started by another (a web server, a worker) runs on
its parent's clock to the millisecond however long it takes to start. (Without it the child's clock lags its parent's
by its start-up time, and two processes disagree on the 30-second step of a second-factor code.)
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


def parse_start(value: str) -> tuple[dt.datetime, dt.datetime | None]:
    """A ``NEMT_CLOCK_START`` value, ``instant`` or ``instant@unix-seconds``: the start and the machine's moment it
    belongs to (None: the process's start)."""
    text, _, at = value.partition("@")
    if not at:
        return _parse(text), None
    try:
        machine = dt.datetime.fromtimestamp(float(at), dt.UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"{ENV}: {at!r} after '@' is not a machine time in Unix seconds") from None
    return _parse(text), machine


def start_at(instant: dt.datetime | str | None) -> None:
    """Run the clock from ``instant`` from now on (None: follow the machine's clock again). A string may be pinned
    to a machine time (``instant@unix-seconds``, see :func:`for_child`)."""
    global _offset
    if instant is None:
        _offset = dt.timedelta(0)
        return
    machine = None
    if isinstance(instant, str):
        instant, machine = parse_start(instant)
    elif instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("the clock's start must be an aware datetime")
    _offset = instant - (machine or _machine_now())


def for_child() -> str:
    """The ``NEMT_CLOCK_START`` value that runs a process started now on this process's clock exactly."""
    machine = time.time()
    return f"{(dt.datetime.fromtimestamp(machine, dt.UTC) + _offset).isoformat()}@{machine!r}"


def now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return _machine_now() + _offset


def today(zone: dt.tzinfo) -> dt.date:
    """Today's calendar date in ``zone`` (a program's time zone)."""
    return now().astimezone(zone).date()


if os.environ.get(ENV):
    start_at(os.environ[ENV])
