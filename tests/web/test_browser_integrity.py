"""Program integrity in Chromium (issue 15, point 4): the auditor opens the provider scores, opens a review case from
Mile High Mobility's row, holds its claims (a payment suspension); the provider builds its claims and exports — the
export skips them and says why.

The server is the one of tests/web/test_browser.py (a fresh SQLite file seeded with `nemt demo seed`: a past week of
driven legs, billing profiles set)."""

from __future__ import annotations

import re

import pytest

from tests.web.test_browser import Shots, _sign_in, browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
PROVIDER = "Mile High Mobility (demo)"


def test_an_auditor_holds_a_providers_claims_and_the_export_skips_them(browser, server):  # noqa: F811
    shots = Shots()
    context, page = _sign_in(browser, server, "auditor")
    with page.expect_navigation():
        page.get_by_role("link", name="Provider integrity").first.click()
    row = page.locator("#scores tbody tr", has_text=PROVIDER)
    assert row.count() == 1 and page.locator("figure.chart-box svg").count() == 1
    shots.take(page, "auditor-provider-scores")
    with page.expect_navigation():  # the legs behind a score open from its number
        row.locator("td a").first.click()
    assert PROVIDER in page.inner_text("h1") and page.locator("tbody tr").count() >= 1
    page.go_back()

    with page.expect_navigation():
        page.locator("#scores tbody tr", has_text=PROVIDER).get_by_role("button", name="Open a case").click()
    page.get_by_label("Why the case is opened").fill("Trips per week far above its history; all legs unverified.")
    with page.expect_navigation():
        page.get_by_role("button", name="Open the case").click()
    page.wait_for_url(re.compile(r"/integrity/cases/RC\d{6}$"))
    assert page.inner_text("#case-status") == "open"
    page.get_by_label(re.compile(r"^Hold the provider's claims")).fill("Credible allegation: phantom trips.")
    with page.expect_navigation():
        page.get_by_role("button", name="Hold the claims").click()
    assert page.inner_text("#case-status") == "holding the provider's claims"
    assert "held from export" in page.inner_text(".flash")
    shots.take(page, "auditor-case-held")
    context.close()

    context, page = _sign_in(browser, server, "provider")
    with page.expect_navigation():
        page.get_by_role("link", name="Claims", exact=True).first.click()
    with page.expect_navigation():
        page.get_by_role("button", name="Build claims").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Export").click()
    error = page.inner_text("[role=alert]")
    assert "held from export: review case RC" in error and "suspends its payments" in error, error
    assert "455.23" in error
    shots.take(page, "provider-export-held")
    context.close()
