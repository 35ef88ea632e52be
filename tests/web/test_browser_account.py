"""In Debian's Chromium: a user sets up a second factor on the account-security page (QR code shown, key read from
the page as an authenticator app would), signs out, and signs in again with password and code. The server, browser
and screenshots are those of test_browser.py."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from playwright.sync_api import expect

from nemt import clock
from tests.web.test_browser import ZONE, Shots, browser, server, shots  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def _password_step(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(username + "-demo-2026")
    page.get_by_role("button", name="Sign in").click()


def test_a_user_sets_up_a_second_factor_and_signs_in_with_it(browser, server, shots: Shots):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server, timezone_id=str(ZONE))
    page = context.new_page()
    page.set_default_timeout(30_000)
    _password_step(page, "provider")
    page.wait_for_url(server + "/")
    page.get_by_role("link", name="Account security").click()
    page.get_by_role("button", name="Set up a second factor").click()
    page.wait_for_url(server + "/account/security/start")
    expect(page.locator("figure.qr svg")).to_have_count(1)  # waits for the new page (the click does not)
    shots.take(page, "account-second-factor-setup")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(clock.now()))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator("main")).to_contain_text("second factor is set up")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(server + "/login")

    _password_step(page, "provider")
    page.wait_for_url(server + "/login/code")
    shots.take(page, "login-code-step")
    later = clock.now() + dt.timedelta(seconds=30)  # the code used to confirm is not accepted twice
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(later))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url == server + "/", page.inner_text("main")
    assert "Provider (demo)" in page.inner_text("header")
    context.close()
