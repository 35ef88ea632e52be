"""The one lateness / on-time rule (nemt.domain.punctuality) shared by the dispatch board and the reports."""

from __future__ import annotations

import datetime as dt

from nemt.domain.punctuality import LegTimes, on_time, plan_lateness

T0 = dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(minutes=30)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_a_plan_inside_the_window_is_not_late():
    times = LegTimes(pickup_earliest=at(0), planned_pickup=at(30), planned_dropoff=at(60), dropoff_latest=at(60))
    assert plan_lateness(times, WINDOW, now=at(0), open_leg=True) == []


def test_each_reason_of_a_late_plan():
    times = LegTimes(pickup_earliest=at(0), planned_pickup=at(31), planned_dropoff=at(61), dropoff_latest=at(60))
    assert plan_lateness(times, WINDOW, now=at(62), open_leg=True) == [
        "planned pick-up after the window", "arrives after the appointment", "not picked up yet"]
    assert plan_lateness(times, WINDOW, now=at(62), open_leg=False)[-1] == "arrives after the appointment"


def test_on_time_by_the_log():
    assert on_time(LegTimes(planned_pickup=at(0), picked_up_at=at(30)), WINDOW) is True
    assert on_time(LegTimes(planned_pickup=at(0), picked_up_at=at(31)), WINDOW) is False
    assert on_time(LegTimes(pickup_earliest=at(0), picked_up_at=at(29)), WINDOW) is True  # requested, not planned
    assert on_time(LegTimes(dropoff_latest=at(60), dropped_off_at=at(60)), WINDOW) is True
    assert on_time(LegTimes(dropoff_latest=at(60), dropped_off_at=at(61)), WINDOW) is False
    assert on_time(LegTimes(planned_pickup=at(0)), WINDOW) is None
