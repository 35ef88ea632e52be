"""The pure rules of complaints: the steps and the sentences refusing the others, the due day, overdue, and the rate
(complaints per 1,000 trips; Connecticut's broker reported "0.10 %" of trips for 2019)."""

from __future__ import annotations

import datetime as dt

import pytest

from nemt.domain.complaints import ComplaintRate, due_on, is_overdue, step_refused


def test_the_rate_per_thousand_and_as_a_percent():
    connecticut = ComplaintRate(complaints=412, trips=412_000)  # one in a thousand
    assert (connecticut.per_thousand, connecticut.percent, connecticut.percent_text()) == (1.0, 0.1, "0.10 %")
    assert ComplaintRate(3, 77).per_thousand == 39.0 and ComplaintRate(3, 77).percent == 3.9
    assert ComplaintRate(2, 3).per_thousand == 666.7 and ComplaintRate(2, 3).percent_text() == "66.67 %"
    nothing = ComplaintRate(1, 0)
    assert (nothing.per_thousand, nothing.percent, nothing.percent_text()) == (None, None, "no trips")
    assert ComplaintRate(0, 500).percent_text() == "0.00 %"


def test_the_due_day_and_overdue():
    received = dt.date(2026, 11, 17)
    assert due_on(received, 30) == dt.date(2026, 12, 17)
    assert not is_overdue("open", dt.date(2026, 12, 17), dt.date(2026, 12, 17))
    assert is_overdue("investigating", dt.date(2026, 12, 17), dt.date(2026, 12, 18))
    assert not is_overdue("resolved", dt.date(2026, 12, 17), dt.date(2027, 1, 1))
    with pytest.raises(ValueError):
        due_on(received, 0)


def test_the_steps_open_investigating_resolved():
    assert step_refused("open", "investigating") is None
    assert step_refused("investigating", "resolved") is None
    assert step_refused("open", "resolved") == (
        "the complaint is not under investigation: a complaint is investigated before it is resolved")
    assert step_refused("investigating", "investigating") == "the complaint is already under investigation"
    assert step_refused("resolved", "investigating") == (
        "the complaint is resolved: a resolved complaint takes no more steps")
