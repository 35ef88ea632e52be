"""Lateness and on-time, one rule for the dispatch board and the reports.

A leg is promised a pick-up time: the planned pick-up, or the requested earliest pick-up when none was planned, and
the program's pick-up window (policy ``operations.pickup_window_minutes``) is how late a pick-up may be and still be
on time. A leg to an appointment is also promised arrival by the appointment (its latest drop-off).
"""

from __future__ import annotations

import datetime as dt
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


def plan_lateness(times: LegTimes, window: dt.timedelta, *, now: dt.datetime, open_leg: bool) -> list[str]:
    """Why a planned leg is late, in words (empty: it is not): a plan that picks up after the window, a plan that
    arrives after the appointment, or an open leg whose promised pick-up has passed with the window."""
    reasons = []
    planned, earliest = times.planned_pickup, times.pickup_earliest
    if planned and earliest and planned > earliest + window:
        reasons.append("planned pick-up after the window")
    if times.planned_dropoff and times.dropoff_latest and times.planned_dropoff > times.dropoff_latest:
        reasons.append("arrives after the appointment")
    if planned and open_leg and now > planned + window:
        reasons.append("not picked up yet")
    return reasons


def on_time(times: LegTimes, window: dt.timedelta) -> bool | None:
    """Whether a driven leg was on time by its log: picked up within the window after the promised pick-up, or — a
    leg to an appointment with no pick-up time — dropped off by the appointment. None: nothing to measure."""
    promised = times.promised_pickup
    if promised is not None and times.picked_up_at is not None:
        return times.picked_up_at <= promised + window
    if times.dropoff_latest is not None and times.dropped_off_at is not None:
        return times.dropped_off_at <= times.dropoff_latest
    return None
