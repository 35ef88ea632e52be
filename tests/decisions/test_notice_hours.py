"""Counted notice hours (Connecticut DSS NEMT notice — NEMT Contract (updated December 7, 2017): "at least 48 hours
(not including weekends and holidays)") and the holiday calendar it uses."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemt.domain.notice import counted_notice, holiday_calendar, same_or_next_days

NY = ZoneInfo("America/New_York")
H = dt.timedelta(hours=1)
CT_HOLIDAYS = holiday_calendar("US-CT", range(2017, 2021))

# The README's "full calendar for the period of the cases, 2017-11-01 to 2018-12-31".
README_CALENDAR = {
    dt.date(2017, 11, 10), dt.date(2017, 11, 23), dt.date(2017, 12, 25), dt.date(2018, 1, 1), dt.date(2018, 1, 15),
    dt.date(2018, 2, 12), dt.date(2018, 2, 19), dt.date(2018, 3, 30), dt.date(2018, 5, 28), dt.date(2018, 7, 4),
    dt.date(2018, 9, 3), dt.date(2018, 10, 8), dt.date(2018, 11, 12), dt.date(2018, 11, 22), dt.date(2018, 12, 25),
}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


def hours(start, end) -> dt.timedelta:
    return counted_notice(start, end, NY, CT_HOLIDAYS)


def test_calendar_matches_the_readme_on_weekdays():
    period = {d for d in CT_HOLIDAYS if dt.date(2017, 11, 1) <= d <= dt.date(2018, 12, 31)}
    # The package also lists the actual date of a holiday observed on another day (Veterans Day 2017-11-11, a
    # Saturday; 2018-11-11, a Sunday); weekend days are never counted, so only weekdays must agree.
    assert {d for d in period if d.weekday() < 5} == README_CALENDAR
    assert all(d.weekday() >= 5 for d in period - README_CALENDAR)


@pytest.mark.parametrize("day", [dt.date(2018, 2, 12), dt.date(2018, 3, 30)])
def test_connecticut_state_holidays_are_in(day):
    assert day in CT_HOLIDAYS


def test_readme_examples():
    assert hours(at(2018, 1, 19, 10, 0), at(2018, 1, 23, 10, 0)) == 48 * H
    assert hours(at(2018, 1, 19, 10, 1), at(2018, 1, 23, 10, 0)) == 48 * H - dt.timedelta(minutes=1)


def test_holiday_is_not_counted():
    # Friday before MLK day 09:00 to Wednesday 08:00: 15 + 0 (holiday) + 24 + 8
    assert hours(at(2018, 1, 12, 9, 0), at(2018, 1, 17, 8, 0)) == 47 * H
    # the appointment day itself a holiday: its hours before the appointment are not counted
    assert hours(at(2017, 12, 27, 10, 0), at(2018, 1, 1, 9, 0)) == (14 + 24 + 24) * H


def test_lincolns_birthday_and_good_friday():
    assert hours(at(2018, 2, 9, 12, 0), at(2018, 2, 13, 12, 0)) == (12 + 12) * H
    assert hours(at(2018, 3, 29, 12, 0), at(2018, 4, 2, 12, 0)) == (12 + 12) * H


def test_offsets_of_the_inputs_do_not_matter():
    utc = dt.UTC
    assert hours(dt.datetime(2018, 1, 19, 15, 0, tzinfo=utc), dt.datetime(2018, 1, 23, 15, 0, tzinfo=utc)) == 48 * H


def test_appointment_before_request_counts_nothing():
    assert hours(at(2018, 1, 23, 10), at(2018, 1, 19, 10)) == dt.timedelta(0)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        counted_notice(dt.datetime(2018, 1, 1), at(2018, 1, 2), NY, CT_HOLIDAYS)


def test_weekends_can_be_counted_when_the_policy_says_so():
    assert counted_notice(at(2018, 1, 19, 10), at(2018, 1, 23, 10), NY, frozenset(), exclude_weekends=False) == 96 * H


def test_same_or_next_days():
    assert same_or_next_days(at(2018, 3, 6, 23, 59), at(2018, 3, 7, 0, 0), NY, 1)
    assert not same_or_next_days(at(2018, 3, 6, 0, 0), at(2018, 3, 8, 0, 0), NY, 1)
    assert not same_or_next_days(at(2018, 3, 6, 10), at(2018, 3, 5, 10), NY, 1)


moments = st.datetimes(min_value=dt.datetime(2017, 11, 1), max_value=dt.datetime(2020, 12, 31),
                       timezones=st.just(dt.UTC))


@settings(max_examples=150, deadline=None)
@given(moments, moments, moments)
def test_counted_hours_add_up_and_never_exceed_elapsed(a, b, c):
    a, b, c = sorted((a, b, c))
    assert hours(a, c) == hours(a, b) + hours(b, c)
    assert dt.timedelta(0) <= hours(a, c) <= c - a


@settings(max_examples=100, deadline=None)
@given(moments, st.integers(min_value=0, max_value=24 * 60))
def test_within_one_working_day_everything_counts(start, minutes):
    local = start.astimezone(NY)
    end = local + dt.timedelta(minutes=minutes)
    if end.date() == local.date() and local.weekday() < 5 and local.date() not in CT_HOLIDAYS:
        assert hours(local, end) == end - local
