"""The one parser of the dates people type and files hold (``nemt.domain.dates``), and the service error the pages
make of its error (``nemt.services.platform.inputs``)."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt.domain.dates import DateInputError, parse_date, parse_optional_date
from nemt.services.platform.errors import InvalidInput
from nemt.services.platform.inputs import date_input, day_input, optional_date_input

DAY = dt.date(2026, 11, 18)


def test_a_date_is_written_yyyy_mm_dd_blanks_around_it_ignored():
    assert parse_date("2026-11-18", "day") == DAY
    assert parse_date(" 2026-11-18\n", "day") == DAY
    assert parse_optional_date("", "day") is None and parse_optional_date(None, "day") is None
    assert parse_optional_date("  ", "day") is None
    assert parse_optional_date("2026-11-18", "day") == DAY


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "18/11/2026", "tomorrow"])
def test_a_bad_date_names_its_field(value):
    with pytest.raises(DateInputError) as err:
        parse_date(value, "birth_date")
    assert isinstance(err.value, ValueError)
    assert err.value.field == "birth_date" and err.value.reason == "must be a date YYYY-MM-DD"
    assert str(err.value) == err.value.message == "birth date must be a date YYYY-MM-DD"
    with pytest.raises(DateInputError):
        parse_optional_date(value, "birth_date")


def test_a_missing_date_is_required_and_the_label_names_the_field():
    with pytest.raises(DateInputError) as err:
        parse_date("", "start_date", label="the first day")
    assert err.value.field == "start_date" and err.value.reason == "is required (YYYY-MM-DD)"
    assert err.value.message == "the first day is required (YYYY-MM-DD)"


def test_the_pages_get_invalid_input_with_field_and_rule():
    assert date_input("2026-11-18", "end", "report period") == DAY
    with pytest.raises(InvalidInput) as err:
        optional_date_input("2026-11-31", "end", "report period", label="the end of the period")
    assert (err.value.field, err.value.rule) == ("end", "report period")
    assert err.value.message == "the end of the period must be a date YYYY-MM-DD"
    with pytest.raises(InvalidInput) as err:
        date_input(None, "appointment_date", "booking form")
    assert err.value.field == "appointment_date" and "YYYY-MM-DD" in err.value.message


def test_a_page_day_defaults_to_today():
    today = dt.date(2026, 1, 2)
    assert day_input(None, today, "dispatch board") == today
    assert day_input("", today, "dispatch board") == today
    assert day_input("2026-11-18", today, "dispatch board") == DAY
    with pytest.raises(InvalidInput) as err:
        day_input("11/18", today, "dispatch board")
    assert (err.value.field, err.value.rule, err.value.message) == (
        "day", "dispatch board", "the day must be a date YYYY-MM-DD")
