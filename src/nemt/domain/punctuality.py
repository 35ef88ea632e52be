"""Lateness and on-time, one rule for the dispatch board and the reports.

A leg is promised a pick-up time: the planned pick-up, or the requested earliest pick-up when none was planned, and
the program's pick-up window (policy ``operations.pickup_window_minutes``) is how late a pick-up may be and still be
on time. A leg to an appointment is also promised arrival by the appointment (its latest drop-off).

The same rule measures three things: a plan (:func:`plan_lateness`), what will happen as the vehicle drives on from
where the trip log last saw it (:func:`expected_lateness`, the board's "will be 25 min late"), and what did happen by
the immutable trip log (:func:`on_time` and :func:`verdict`, the reports'). Minutes late are :func:`minutes_past` the
deadline, rounded up: a pick-up 30 seconds past the window is a minute late, never "0 minutes late".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class LegTimes:
    """A leg's times, all aware: requested (``pickup_earliest``, ``dropoff_latest``), planned by dispatch, and logged
    by the driver."""

    pickup_earliest: dt.datetime | None = None
    dropoff_latest: dt.datetime | None = None
    planned_pickup: dt.datetime | None = None
    planned_dropoff: dt.datetime | None = None
    picked_up_at: dt.datetime | None = None
    dropped_off_at: dt.datetime | None = None

    @property
    def promised_pickup(self) -> dt.datetime | None:
        return self.planned_pickup or self.pickup_earliest


def plan_lateness(times: LegTimes, window: dt.timedelta, *, now: dt.datetime, open_leg: bool,
                  eta_pickup: dt.datetime | None = None, on_board: bool = False) -> list[str]:
    """Why a planned leg is late, in words (empty: it is not): a plan that picks up after the window, a plan that
    arrives after the appointment, or an open leg whose promised pick-up has passed with the window
    (:func:`pickup_deadline`) — unless the vehicle's estimated pick-up ``eta_pickup`` is known
    (:func:`expected_lateness` then says by how much it will miss, and when) or the member is ``on_board``."""
    reasons = []
    planned, earliest = times.planned_pickup, times.pickup_earliest
    if planned and earliest and planned > earliest + window:
        reasons.append("planned pick-up after the window")
    if times.planned_dropoff and times.dropoff_latest and times.planned_dropoff > times.dropoff_latest:
        reasons.append("arrives after the appointment")
    deadline = pickup_deadline(times, window)
    if open_leg and eta_pickup is None and not on_board and deadline is not None and now > deadline:
        reasons.append("not picked up yet")
    return reasons


def minutes_past(deadline: dt.datetime | None, at: dt.datetime | None) -> int:
    """Whole minutes ``at`` is after ``deadline``, rounded up (0: not after it, or either unknown)."""
    if deadline is None or at is None or at <= deadline:
        return 0
    return math.ceil((at - deadline).total_seconds() / 60)


def pickup_deadline(times: LegTimes, window: dt.timedelta) -> dt.datetime | None:
    """The latest on-time pick-up: the promised pick-up plus the window."""
    return None if times.promised_pickup is None else times.promised_pickup + window


def expected_lateness(times: LegTimes, window: dt.timedelta, *, eta_pickup: dt.datetime | None,
                      eta_dropoff: dt.datetime | None, hhmm: Callable[[dt.datetime], str]) -> list[str]:
    """Why a leg not yet driven will be late, in words, from the vehicle's estimated times (empty: it will not):
    "will miss its pick-up window by 25 min (ETA 10:55)", "will arrive 12 min after the appointment (ETA 11:12)"."""
    reasons = []
    late = minutes_past(pickup_deadline(times, window), eta_pickup)
    if late and eta_pickup is not None:
        reasons.append(f"will miss its pick-up window by {late} min (ETA {hhmm(eta_pickup)})")
    late = minutes_past(times.dropoff_latest, eta_dropoff)
    if late and eta_dropoff is not None:
        reasons.append(f"will arrive {late} min after the appointment (ETA {hhmm(eta_dropoff)})")
    return reasons


def verdict(times: LegTimes, window: dt.timedelta) -> str | None:
    """A driven leg by its log against the window on both sides (the ±15 minutes most broker contracts use):
    ``early`` (picked up more than the window before the promised pick-up), ``late`` (:func:`on_time` is False), or
    ``on time``; None: nothing to measure."""
    good = on_time(times, window)
    if good is None:
        return None
    if not good:
        return "late"
    promised, picked = times.promised_pickup, times.picked_up_at
    if promised is not None and picked is not None and picked < promised - window:
        return "early"
    return "on time"


def on_time(times: LegTimes, window: dt.timedelta) -> bool | None:
    """Whether a driven leg was on time by its log: picked up within the window after the promised pick-up and, a leg
    to an appointment, dropped off by the appointment (with no pick-up time, the appointment alone). None: nothing to
    measure."""
    deadline = pickup_deadline(times, window)
    if deadline is not None and times.picked_up_at is not None:
        return times.picked_up_at <= deadline and not (times.dropoff_latest is not None
                                                       and times.dropped_off_at is not None
                                                       and times.dropped_off_at > times.dropoff_latest)
    if times.dropoff_latest is not None and times.dropped_off_at is not None:
        return times.dropped_off_at <= times.dropoff_latest
    return None
