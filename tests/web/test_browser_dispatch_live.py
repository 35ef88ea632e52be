"""The live day in Debian's Chromium: a dispatcher at 15:00 schedules the day and gets no pick-up before 15:00 (nor
before the dispatch lead time), sees why the morning's legs cannot be served, is refused an impossible insertion with
the reason in words, and is offered only the vehicles that can take a leg.

The server runs as in test_browser.py (`nemt serve` on a fresh demo database) but its clock starts at 15:00 of the
suite's day (NEMT_CLOCK_START for the server process), so the demo's morning is already past.
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest

from nemt import clock
from nemt.policy import load_policy

from . import test_browser as base
from .live_server import running_server
from .test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser

ZONE = base.ZONE
AFTERNOON = clock.now().astimezone(ZONE).replace(hour=15, minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def afternoon_server(tmp_path_factory):
    """`nemt serve` on a demo database, its clock starting at 15:00 local time of the suite's day."""
    env = {**os.environ, "NEMT_SECRET_KEY": "live-secret", "NEMT_PASSWORD_HASH_COST": "test",
           "NEMT_CLOCK_START": AFTERNOON.isoformat()}
    with running_server(tmp_path_factory.mktemp("live"), env) as url:
        yield url


def _book_for(chromium, url: str, appointment: dt.datetime) -> str:
    """The agent books a taxi ride for the demo member to a Denver clinic; its confirmation."""
    context, page = base._sign_in(chromium, url, "agent")
    page.get_by_role("link", name="Find a member").first.click()
    page.get_by_label("Medicaid ID", exact=True).fill(base.MEMBER_ID)
    page.get_by_role("button", name="Search by ID").click()
    page.locator("tbody tr", has_text=base.MEMBER_ID).get_by_role("link").click()
    page.get_by_role("link", name="Book a ride").click()
    page.get_by_label("Appointment date").fill(appointment.date().isoformat())
    page.get_by_label("Appointment time").fill(appointment.strftime("%H:%M"))
    page.get_by_label("Destination and service").select_option(
        label=page.locator("#destination option", has_text="Denver Example Medical Center").filter(
            has_text="primary care").first.inner_text())
    page.get_by_label("Requested mode").select_option("taxi")
    page.get_by_role("button", name="Book and decide").click()
    page.wait_for_url(re.compile(r"/trips/"))
    assert page.locator("#outcome").inner_text() == "approved"
    confirmation = re.search(r"CO-\d+", page.locator("h1").inner_text()).group(0)
    context.close()
    return confirmation


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def test_scheduling_at_three_pm_plans_nothing_before_three_and_refuses_the_impossible_in_words(
        browser, afternoon_server):  # noqa: F811 - the fixture
    day = AFTERNOON.date().isoformat()
    confirmation = _book_for(browser, afternoon_server, AFTERNOON + dt.timedelta(hours=2, minutes=30))
    lead = int(load_policy("CO").get("operations.dispatch_lead_minutes"))

    shots = base.Shots()
    context, page = base._sign_in(browser, afternoon_server, "dispatcher")
    page.goto(f"/dispatch?day={day}")
    page.get_by_role("button", name="Schedule the day (optimizer)").click()
    result = page.locator("#schedule-result")
    result.wait_for()
    shots.take(page, "live-board-scheduled-at-1500")
    text = result.inner_text()
    assert "verified by the independent checker" in text, text
    earliest = re.search(r"no new pick-up before (\d\d:\d\d)", text).group(1)
    assert _minutes(earliest) >= 15 * 60 + lead
    # The morning's legs are listed with the reason in words, never planned late.
    reasons = page.locator("#unserved-reasons li")
    assert reasons.count() >= 1 and "after the window closes" in reasons.first.inner_text()

    # Every planned pick-up on the board is at or after 15:00 — the booked ride's after the lead time.
    page.locator("details", has_text="Reassign an assigned leg").locator("summary").click()
    planned = page.locator("details table tbody tr")
    assert planned.count() >= 1
    for i in range(planned.count()):
        row = planned.nth(i)
        pickup = row.locator("td").nth(2).inner_text().split("–")[0]
        assert _minutes(pickup) >= 15 * 60, row.inner_text()
    booked = page.locator("details tr", has_text=f"{confirmation}/1")
    assert _minutes(booked.locator("td").nth(2).inner_text().split("–")[0]) >= _minutes(earliest)

    # The booked leg is offered only vehicles that can take it, with the minutes and miles each adds.
    options = booked.locator("select option")
    fleet = page.locator("#runs-h")  # the section is there; the fleet has 23 vehicles
    assert fleet.count() == 1 and 1 <= options.count() < 23
    for i in range(options.count()):
        assert re.search(r"\(now\)$|\+\d+ min, \+\d+\.\d mi$", options.nth(i).inner_text())

    # A morning leg no vehicle can reach any more: "best place" is refused with the reason in words.
    row = page.locator("#unassigned-h ~ table tbody tr").first
    row.locator("select").select_option("best")
    row.get_by_role("button").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    message = alert.inner_text()
    assert "no vehicle can take this leg in time" in message and "after the window closes" in message, message
    assert re.search(r"would be at \d\d:\d\d, (\d+ h )?\d+ min after the window closes \(\d\d:\d\d\)", message)
    shots.take(page, "live-board-insertion-refused")
    context.close()
