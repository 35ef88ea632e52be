"""Complaints in Chromium (issue 16, point 5): the agent records a member's complaint about a demo ride by its
confirmation number, adds an investigation note, resolves it (the member's notice follows) and sees it counted in the
complaints report (per 1,000 trips, by provider and category).

The server is the one of tests/web/test_browser.py (a fresh SQLite file seeded with `nemt demo seed`, which records
a few complaints of its own)."""

from __future__ import annotations

import re

import pytest

from tests.web.test_browser import Shots, _sign_in, browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def _all_providers(page) -> int:
    """The program's complaints in the report's last row ("all providers, all categories")."""
    row = page.locator("#complaints-report tbody tr", has_text="all providers").last
    return int(row.locator("td").nth(2).inner_text())


def test_an_agent_records_investigates_and_resolves_a_complaint(browser, server):  # noqa: F811
    shots = Shots()
    context, page = _sign_in(browser, server, "agent")
    with page.expect_navigation():
        page.get_by_role("link", name="Complaints", exact=True).first.click()
    confirmation = page.locator("tbody tr td", has_text=re.compile(r"^CO-\d+$")).first.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Complaints per 1,000 trips").click()
    before = _all_providers(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Complaints", exact=True).first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Record a complaint").click()
    page.get_by_label("Ride's confirmation number").fill(confirmation)
    page.get_by_label("Category").select_option("late")
    page.get_by_label("Reported by").select_option("member")
    page.get_by_label("What happened").fill("The van came 40 minutes late and I missed my dialysis slot.")
    shots.take(page, "agent-complaint-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the complaint").click()
    page.wait_for_url(re.compile(r"/complaints/[A-Za-z0-9_-]{16,}$"))
    assert "recorded; due by" in page.inner_text(".flash")
    assert page.inner_text("#complaint-status") == "open" and confirmation in page.inner_text("#complaint-facts")

    page.get_by_role("textbox", name=re.compile(r"^Note")).fill("The driver's log shows the pick-up 38 minutes late.")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the note").click()
    assert page.inner_text("#complaint-status") == "under investigation"
    assert "38 minutes late" in page.inner_text("#complaint-notes") and "agent" in page.inner_text("#complaint-notes")

    page.get_by_label("Substantiated", exact=True).check()
    page.get_by_label("Resolution (the member's notice says it)").fill("The provider moved the member's pick-up "
                                                                       "15 minutes earlier.")
    with page.expect_navigation():
        page.get_by_role("button", name="Resolve and notify the member").click()
    assert page.inner_text("#complaint-status") == "resolved: substantiated"
    notice = page.inner_text("#member-notice")
    assert "found it substantiated" in notice and "15 minutes earlier" in notice
    shots.take(page, "agent-complaint-resolved")

    with page.expect_navigation():
        page.get_by_role("link", name="Complaints", exact=True).first.click()
    with page.expect_navigation():
        page.get_by_role("link", name="Complaints per 1,000 trips").click()
    assert _all_providers(page) == before + 1
    assert page.locator("#complaints-report tbody tr", has_text="late").count() >= 1
    assert page.locator("figure.chart-box svg").count() == 1
    shots.take(page, "agent-complaints-report")
    context.close()
