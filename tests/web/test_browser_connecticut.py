"""Connecticut end to end in Chromium (issue 16, point 1): the demo's Connecticut agent (`ct-agent`) finds a member,
books a ride to a Connecticut medical provider with enough notice (approved, arranged by the broker with its
reason), and a late one the day before (denied: the notice needed in words and the broker's number to call); the
Connecticut auditor's reports have data.

The server is the one of tests/web/test_browser.py (a fresh SQLite file seeded with `nemt demo seed`)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from nemt import clock
from nemt.policy import load_policy
from tests.web.test_browser import Shots, _sign_in, browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

CT_ZONE = load_policy("CT").time_zone
MEMBER_ID = "C100002"  # a Connecticut demo member (New Haven county)


@pytest.fixture(scope="module")
def shots():
    return Shots()


def _book(page, day: dt.date, at: str, destination: str, mode: str, urgent: str = "") -> None:
    page.get_by_role("link", name="Book a ride").click()
    page.get_by_label("Appointment date").fill(day.isoformat())
    page.get_by_label("Appointment time").fill(at)
    option = page.locator("#destination option", has_text=destination).first.inner_text()
    page.get_by_label("Destination and service").select_option(label=option)
    page.get_by_label("Requested mode").select_option(mode)
    if urgent:
        page.get_by_label("Urgent need (appointment today or tomorrow)").select_option(urgent)
    page.get_by_role("button", name="Book and decide").click()
    page.wait_for_url(re.compile(r"/trips/"))


def test_a_connecticut_agent_books_rides_by_the_48_hour_notice(browser, server, shots):  # noqa: F811
    today = clock.now().astimezone(CT_ZONE).date()
    context, page = _sign_in(browser, server, "ct-agent")
    page.get_by_role("link", name="Find a member").first.click()
    page.get_by_label("Medicaid ID", exact=True).fill(MEMBER_ID)
    page.get_by_role("button", name="Search by ID").click()
    row = page.locator("tbody tr", has_text=MEMBER_ID)
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/members/[A-Za-z0-9_-]{16,}$"))
    member_url = page.url
    shots.take(page, "ct-agent-member")

    # A week ahead: at least 48 counted hours whatever the weekends and holidays.
    _book(page, today + dt.timedelta(days=7), "10:30", "Hartford Example Hospital", "wheelchair-van")
    main = page.inner_text("main")
    assert page.locator("#outcome").inner_text() == "approved", main
    assert re.search(r"Ride CT-\d+", page.locator("h1").inner_text())
    why = page.locator("#arranged-why").inner_text()
    assert "Veyo" in why and "1-855-478-7350" in why
    assert "wheelchair-van" not in main  # the mode in words
    shots.take(page, "ct-agent-approved")

    # The afternoon before, with no urgent need: denied, with the notice needed and the number to call.
    page.goto(member_url)
    late_day = today + dt.timedelta(days=1)
    _book(page, late_day, "16:00", "New Haven Example Clinic", "taxi")
    main = page.inner_text("main")
    assert page.locator("#outcome").inner_text() == "denied", main
    reason = page.locator("li[data-code='insufficient-notice']").inner_text()
    assert "48 hours of notice" in reason and "call Veyo at 1-855-478-7350" in reason
    assert not re.search(r"\d+\.\d{2,} hours", reason)
    assert "insufficient-notice" not in main  # codes stay in the JSON
    shots.take(page, "ct-agent-late-denied")

    # The same afternoon with an urgent need (the provider must see the member tomorrow): approved as urgent.
    page.goto(member_url)
    _book(page, late_day, "16:30", "Hartford Example Hospital", "taxi", urgent="critical-unplanned")
    assert page.locator("#outcome").inner_text() == "approved"
    assert "critical, unplanned appointment" in page.inner_text("main")
    shots.take(page, "ct-agent-urgent-approved")
    context.close()

    # The Connecticut auditor's reports show the demo's week.
    context, page = _sign_in(browser, server, "ct-auditor")
    week = f"start={(today - dt.timedelta(days=7)).isoformat()}&end={(today - dt.timedelta(days=1)).isoformat()}"
    for report in ("trips-by-day", "on-time", "denials"):
        page.goto(f"/reports/{report}?{week}")
        assert page.locator("table.data tbody tr").count() >= 1, report
        shots.take(page, f"ct-auditor-{report}")
    context.close()
