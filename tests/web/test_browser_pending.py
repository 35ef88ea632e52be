"""Pending rides in Chromium (issue 16, point 3): the agent books a dialysis standing order for a member with no
written certification on file — every trip waits; "Pending rides" lists them with what they wait for; the agent
records the medical professional's certification (statements, who signed, the signature date) and the trips are
decided again and released.

The server is the one of tests/web/test_browser.py (a fresh SQLite file seeded with `nemt demo seed`)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from nemt import clock
from nemt.policy import load_policy
from tests.web.test_browser import Shots, _sign_in, browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ZONE = load_policy("CO").time_zone
MEMBER_ID = "D100028"  # a Denver demo adult with no certification on file


@pytest.fixture(scope="module")
def shots():
    return Shots()


def test_a_standing_orders_trips_wait_and_a_certification_releases_them(browser, server, shots):  # noqa: F811
    today = clock.now().astimezone(ZONE).date()
    context, page = _sign_in(browser, server, "agent")
    page.get_by_role("link", name="Find a member").first.click()
    page.get_by_label("Medicaid ID", exact=True).fill(MEMBER_ID)
    page.get_by_role("button", name="Search by ID").click()
    page.locator("tbody tr", has_text=MEMBER_ID).get_by_role("link").click()
    page.wait_for_url(re.compile(r"/members/[A-Za-z0-9_-]{16,}$"))

    page.get_by_role("link", name="Book a standing order").click()
    for day in ("Monday", "Wednesday", "Friday"):
        page.get_by_label(day).check()
    page.get_by_label("Appointment time").fill("07:00")
    page.get_by_label("Return pick-up time (empty: one-way)").fill("11:00")
    page.get_by_label("First day").fill((today + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Last day").fill((today + dt.timedelta(days=28)).isoformat())
    option = page.locator("#destination option", has_text="Denver Example Medical Center").filter(
        has_text="dialysis").first.inner_text()
    page.get_by_label("Destination and service").select_option(label=option)
    page.get_by_label("Requested mode").select_option("mobility-ambulatory")
    page.get_by_role("button", name="Create the standing order").click()
    page.wait_for_url(re.compile(r"/standing-orders/"))
    trips = page.locator("table.data tbody tr")
    count = trips.count()
    assert count >= 11 and page.locator("table.data .tag.pending").count() == count
    shots.take(page, "agent-standing-order-pending")

    page.get_by_role("link", name="Pending rides").first.click()
    listed = page.locator("#pending tbody tr")
    waiting_before = listed.count()
    assert waiting_before >= count
    assert "cannot use less costly modes" in page.inner_text("#pending")
    shots.take(page, "agent-pending-rides")

    listed.first.get_by_role("link", name="Record the certification").click()
    page.wait_for_url(re.compile(r"/members/[A-Za-z0-9_-]{16,}/certify$"))
    page.get_by_label("The member cannot use less costly modes of transportation").check()
    page.get_by_label("Signed by (name, credentials, practice)").fill("Dr. Ada Example, MD (demo)")
    page.get_by_label("Signature date").fill(today.isoformat())
    shots.take(page, "agent-certify-form")
    page.get_by_role("button", name="Record and decide the waiting rides again").click()
    result = page.locator("#certify-result").inner_text()
    assert f"{count} ride(s) released, 0 still waiting" in result, result
    assert "Dr. Ada Example" in page.inner_text("main")  # on file, with who signed
    shots.take(page, "agent-certify-released")

    page.get_by_role("link", name="Pending rides").first.click()
    expect(page.locator("#pending tbody tr")).to_have_count(waiting_before - count)  # waits for the new page
    context.close()
