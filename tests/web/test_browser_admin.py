"""In Debian's Chromium: an administrator adds a user, who opens their one-time link in a browser of their own, sets
a password and signs in. The server, browser and screenshots are those of test_browser.py (`nemt serve` on a fresh
SQLite file seeded with the demo)."""

from __future__ import annotations

import re

import pyotp
import pytest

from nemt import clock
from nemt.services.platform.totp import DEMO_SECRET
from tests.web.test_browser import ZONE, Shots, browser, server, shots  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def _context(browser, base: str):  # noqa: F811 - the fixture's value
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base, timezone_id=str(ZONE))
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if page.url.endswith("/login/code"):  # the demo administrator's second factor (the demo's published secret)
        page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(DEMO_SECRET).at(clock.now()))
        page.get_by_role("button").first.click()
    page.wait_for_url(base + "/")


def test_admin_adds_a_user_who_sets_a_password_and_signs_in(browser, server, shots: Shots):  # noqa: F811
    context, page = _context(browser, server)
    _sign_in(page, server, "admin", "admin-demo-2026")
    page.get_by_role("link", name="Users").first.click()
    page.wait_for_url(re.compile(r"/admin/users$"))
    shots.take(page, "admin-users")
    page.get_by_role("link", name="Add a user").click()
    page.get_by_label("User name").fill("browser-driver")
    page.get_by_label("Display name").fill("Browser Driver")
    page.get_by_label("Role").select_option("driver")
    page.get_by_label("Organization").select_option(
        label=page.locator("#organization option", has_text="Mile High Mobility").first.inner_text())
    shots.take(page, "admin-new-user")
    page.get_by_role("button", name="Add the user").click()
    link = page.get_by_label("One-time link").input_value()
    assert re.fullmatch(re.escape(server) + r"/account/set-password/[A-Za-z0-9_-]{40,}", link)
    shots.take(page, "admin-one-time-link")
    admin_context, admin = context, page

    # --- the new user, in a browser of their own -------------------------------------------------------------------
    context, page = _context(browser, server)
    page.goto(link)
    assert "browser-driver" in page.inner_text("main")
    page.get_by_label("New password").fill("browser-driver-secret")
    page.get_by_label("The same password again").fill("browser-driver-secret")
    shots.take(page, "user-set-password")
    page.get_by_role("button", name="Set the password").click()
    assert "Your password is set" in page.inner_text("main")
    page.get_by_role("link", name="sign in").click()
    _sign_in(page, server, "browser-driver", "browser-driver-secret")
    assert "Browser Driver" in page.inner_text("main")
    shots.take(page, "new-user-home")

    # --- the administrator disables them: behind a confirmation, and their session ends at once -------------------
    admin.get_by_role("link", name="Back to browser-driver").click()
    shots.take(admin, "admin-user-detail")
    admin.get_by_role("link", name="Disable").click()
    assert "will no longer be able to sign in" in admin.inner_text("main")
    shots.take(admin, "admin-confirm-disable")
    admin.get_by_role("button", name="Disable").click()
    admin.wait_for_url(re.compile(r"/admin/users/browser-driver$"))
    assert "is disabled" in admin.inner_text("main")
    page.reload()
    page.wait_for_url(re.compile(r"/login$"))
    page.goto(link)
    assert "expired or was already used" in page.inner_text("main")
    context.close()
    admin_context.close()
