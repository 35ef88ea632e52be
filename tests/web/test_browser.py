"""End to end in Debian's Chromium through Playwright: an agent books a ride, a dispatcher schedules and assigns it, a
driver completes it, the provider bills it, the auditor sees it in a report.

The app runs as `nemt serve` in a subprocess on a free localhost port, against a fresh SQLite file made with
`nemt db upgrade` and `nemt demo seed`. A screenshot of each page goes to test-artifacts/screenshots/ (the path is
printed at the end of the run). Without /usr/bin/chromium the tests skip — except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pyotp
import pytest

from nemt import clock
from nemt.policy import PACKAGED_POLICIES, load_policy
from nemt.services.platform import auth, totp
from tests.conftest import require_or_skip
from tests.web.live_server import running_server

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MEMBER_ID = "D100044"  # Jefferson county, certified for taxi: the ride is approved
ZONE = load_policy("CO").time_zone


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("e2e")
    env = {**os.environ, "NEMT_SECRET_KEY": "e2e-secret-key", "NEMT_PASSWORD_HASH_COST": "test",
           "NEMT_CLOCK_START": clock.for_child()}  # the server's clock = ours
    # This flow drives a ride booked for three hours ahead at once: its pick-up is logged long before the pick-up
    # window opens, which the plausibility rules hold for review (tests/web/test_browser_trip_evidence.py drives a
    # ride due now). Here the early-pickup allowance is widened, in a copy of the program files.
    programs = folder / "programs"
    shutil.copytree(PACKAGED_POLICIES, programs)
    co = programs / "co.toml"
    co.write_text(co.read_text().replace("early_pickup_minutes = 20", "early_pickup_minutes = 1440"))
    env["NEMT_POLICY_DIR"] = str(programs)
    with running_server(folder, env, restart_clock=clock.for_child) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    require_or_skip(None if CHROMIUM.exists() else "apt-get install chromium, or `make browser-deps`",
                    f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Shots:
    """Screenshots numbered in the order taken; each page is also checked for labels and member data in its URL."""

    def __init__(self):
        self.n = 0
        self.forbidden_in_urls: list[str] = []

    def take(self, page, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(SCREENSHOTS / f"{self.n:02d}-{name}.png"), full_page=True)
        for secret in self.forbidden_in_urls:
            assert secret.lower() not in page.url.lower(), f"member data in the URL {page.url}"
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
            .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
            .map(e => e.name)""")
        assert not unlabelled, f"{name}: form fields without a label: {unlabelled}"
        assert page.locator("main h1").count() == 1, f"{name}: one h1 in main"


@pytest.fixture(scope="module")
def shots():
    return Shots()


# Messages of the browser about a rule of the Content-Security-Policy broken on a page (there must be none).
POLICY_VIOLATIONS: list[str] = []


def _watch_policy(message) -> None:
    if "Content Security Policy" in message.text:
        POLICY_VIOLATIONS.append(message.text)


SECOND_FACTOR = {"admin", "auditor", "ct-auditor"}


def _sign_in(browser, base: str, username: str, *, phone: bool = False):
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport, base_url=base, timezone_id=str(ZONE))
    page = context.new_page()
    page.on("console", _watch_policy)
    page.set_default_timeout(30_000)
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(username + "-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    if username in SECOND_FACTOR:  # the demo's administrator and auditor: the code step (README, demo secret)
        page.wait_for_url(base + "/login/code")
        page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(totp.DEMO_SECRET).at(clock.now()))
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(base + "/")
    return context, page


def test_ride_from_booking_to_report(browser, server, shots):
    appointment = clock.now().astimezone(ZONE) + dt.timedelta(hours=3)
    day = appointment.date().isoformat()

    # --- the call-center agent finds the member and books a one-way ride -----------------------------------------
    context, page = _sign_in(browser, server, "agent")
    shots.take(page, "agent-home")
    page.get_by_role("link", name="Find a member").first.click()
    page.get_by_label("Medicaid ID", exact=True).fill(MEMBER_ID)
    page.get_by_role("button", name="Search by ID").click()
    shots.take(page, "agent-search-results")
    row = page.locator("tbody tr", has_text=MEMBER_ID)
    name = row.locator("td").first.inner_text()
    last, first = [part.strip() for part in name.split(",")]
    shots.forbidden_in_urls = [MEMBER_ID, last, first]
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/members/[A-Za-z0-9_-]{16,}$"))
    assert "Covered today" in page.inner_text("main")
    shots.take(page, "agent-member")
    page.get_by_role("link", name="Book a ride").click()
    page.get_by_label("Appointment date").fill(day)
    page.get_by_label("Appointment time").fill(appointment.strftime("%H:%M"))
    page.get_by_label("Destination and service").select_option(
        label=page.locator("#destination option", has_text="Denver Example Medical Center").filter(
            has_text="primary care").first.inner_text())
    page.get_by_label("Requested mode").select_option("taxi")
    shots.take(page, "agent-book-form")
    page.get_by_role("button", name="Book and decide").click()
    page.wait_for_url(re.compile(r"/trips/"))
    assert page.locator("#outcome").inner_text() == "approved"
    confirmation = re.search(r"CO-\d+", page.locator("h1").inner_text()).group(0)
    shots.take(page, "agent-trip-decision")
    context.close()

    # --- the medical facility books an urgent discharge for another member -------------------------------------
    context, page = _sign_in(browser, server, "facility")
    page.get_by_role("link", name="Urgent ride").first.click()
    page.get_by_label("Medicaid ID", exact=True).fill("D100018")
    page.get_by_role("button", name="Find").click()
    page.get_by_label("Why it is urgent").select_option("hospital-discharge")
    page.get_by_label("Time (discharge or appointment)").fill(
        (clock.now().astimezone(ZONE) + dt.timedelta(hours=2)).strftime("%H:%M"))
    page.get_by_label("Date", exact=True).fill(
        (clock.now().astimezone(ZONE) + dt.timedelta(hours=2)).date().isoformat())
    page.get_by_label("Requested mode").select_option("taxi")
    shots.take(page, "facility-urgent-form")
    page.get_by_role("button", name="Book urgent ride").click()
    page.wait_for_url(re.compile(r"/trips/"))
    assert "urgent" in page.inner_text("main")
    shots.take(page, "facility-urgent-decision")
    context.close()

    # --- the dispatcher schedules the day and puts the leg on the first vehicle -----------------------------------
    context, page = _sign_in(browser, server, "dispatcher")
    page.goto(f"/dispatch?day={day}")
    assert confirmation in page.inner_text("main")
    shots.take(page, "dispatcher-board-before")
    page.get_by_role("button", name="Schedule the day (optimizer)").click()
    page.wait_for_selector("#schedule-result, .error")
    shots.take(page, "dispatcher-board-scheduled")
    details = page.locator("details", has_text="Reassign an assigned leg")
    if details.count():
        details.locator("summary").click()
    row = page.locator("tr", has_text=f"{confirmation}/1").filter(has=page.locator("select")).last
    row.locator("select").select_option(label=page.locator("select option", has_text="MI-01").first.inner_text())
    row.get_by_role("button").click()
    page.wait_for_url(re.compile(r"/dispatch\?day="))
    assert "Unassigned legs" in page.inner_text("main")
    shots.take(page, "dispatcher-board-assigned")
    page.get_by_role("link", name=re.compile("Manifest of MI-01")).click()
    assert confirmation not in page.url and last in page.inner_text("main")
    shots.take(page, "dispatcher-manifest")
    page.evaluate("window.print = () => { window.printed = true }")  # /static/print.js runs under the policy
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed === true")
    context.close()

    # --- the driver, on a phone, logs the ride -----------------------------------------------------------------
    context, page = _sign_in(browser, server, "driver", phone=True)
    page.goto(f"/driver?day={day}")
    card = page.locator("li.stop-card", has_text=f"Ride {confirmation}/1")
    shots.take(page, "driver-manifest")
    logged = {k: (clock.now() - dt.timedelta(minutes=m)).astimezone(ZONE).strftime("%H:%M")  # logged late: the
              for k, m in (("arrived", 30), ("picked-up", 25))}  # ride takes time (loaded-minutes rule)
    card.locator("form[action$='/arrived']").get_by_label(re.compile("^Time it happened")).fill(logged["arrived"])
    with page.expect_navigation():  # the page's script posts once the phone's position is in
        card.get_by_role("button", name=re.compile("^Arrived")).click()
    card = page.locator("li.stop-card", has_text=f"Ride {confirmation}/1")
    card.get_by_label("I checked the member's identity").check()
    card.locator("form[action$='/picked-up']").get_by_label(re.compile("^Time it happened")).fill(logged["picked-up"])
    with page.expect_navigation():  # the page's script posts once the phone's position is in
        card.get_by_role("button", name=re.compile("^Picked up")).click()
    card = page.locator("li.stop-card", has_text=f"Ride {confirmation}/1")
    shots.take(page, "driver-picked-up")
    assert float(card.get_by_label("Loaded miles").input_value()) > 0  # the shortest route's miles, as billed
    card.get_by_label("Trip confirmed by").select_option("member")
    with page.expect_navigation():  # the page's script posts once the phone's position is in
        card.get_by_role("button", name=re.compile("^Dropped off")).click()
    assert "Completed" in page.locator("li.stop-card", has_text=f"Ride {confirmation}/1").inner_text()
    shots.take(page, "driver-completed")
    context.close()

    # --- the provider checks the trip log and bills the ride -----------------------------------------------------
    context, page = _sign_in(browser, server, "provider")
    page.get_by_role("link", name="Assigned trips").first.click()
    shots.take(page, "provider-trips")
    page.locator("tr", has_text=confirmation).get_by_role("link", name=re.compile("Open")).click()
    assert "dropped-off" in page.inner_text("main")
    shots.take(page, "provider-trip-log")
    page.goto("/provider/fleet")
    shots.take(page, "provider-fleet")
    page.goto("/credentials?within=90")
    shots.take(page, "provider-credentials")
    page.goto("/provider/claims")
    page.get_by_label("First date of service").fill(day)
    page.get_by_label("Last date of service").fill(day)
    page.get_by_role("button", name="Build claims").click()
    assert "Built 1 claim(s)" in page.locator("#build-result").inner_text()
    shots.take(page, "provider-claims-built")
    profile = page.locator("details", has_text="Billing profile")
    if profile.get_attribute("open") is None:  # the demo seeds a profile: open the form to change it
        profile.locator("summary").click()
    for label, value in (("Pay-to street address", "100 Demo Way"), ("City", "Denver"), ("State", "CO"),
                         ("ZIP", "80204"), ("Tax ID (EIN, 9 digits)", "123456789"), ("Phone", "3035550100"),
                         ("Submitter ID (ETIN)", "MHM0001"), ("Submitter name", "Mile High Mobility"),
                         ("Contact name", "Pat Billing")):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save billing profile").click()
    page.get_by_label("Format").select_option("837p")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export", exact=True).click()
    assert download.value.suggested_filename.endswith(".x12")
    assert Path(download.value.path()).read_text().startswith("ISA*")
    page.goto("/provider/claims")
    assert "exported: 1" in page.inner_text("main")
    shots.take(page, "provider-claims-exported")
    context.close()

    # --- the auditor sees it in the reports and the audit trail ----------------------------------------------------
    context, page = _sign_in(browser, server, "auditor")
    page.get_by_role("link", name="Reports").first.click()
    shots.take(page, "auditor-reports")
    page.get_by_role("link", name="Claims by status", exact=True).click()
    table = page.locator("table.data").inner_text()
    assert re.search(r"exported\s+1\b", table), table
    assert page.locator("svg.chart").count() == 1
    shots.take(page, "auditor-claims-by-status")
    for report in ("Trips by day", "Trips by mode", "On-time pick-ups", "Average ride time",
                   "Cost per trip and per member", "Credentials expiring"):
        page.get_by_role("link", name=report, exact=True).click()
        shots.take(page, "auditor-" + re.sub(r"[^a-z]+", "-", report.lower()).strip("-"))
    assert "taxi" in page.goto(f"/reports/ride-time?start={day}&end={day}").text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    page.get_by_role("link", name="Audit trail").first.click()
    assert "trip-log" in page.inner_text("main")
    shots.take(page, "auditor-audit-trail")
    context.close()
    assert not POLICY_VIOLATIONS, POLICY_VIOLATIONS


def test_keyboard_reaches_the_form_and_errors_are_announced(browser, server, shots):
    context = browser.new_context(base_url=server)
    page = context.new_page()
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("agent")
    page.keyboard.press("Tab")
    page.keyboard.type("wrong-password")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text() == auth.WRONG
    shots.take(page, "login-error")
    context.close()


def test_api_docs_render_offline_under_the_security_policy(browser, server, shots):
    """/docs loads Swagger UI from the app itself (every other host is unreachable here) and breaks no rule of its
    Content-Security-Policy."""
    context = browser.new_context(base_url=server)
    page = context.new_page()
    outside: list[str] = []

    def offline(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "NEMT broker platform" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-tag", has_text="members").first.click()
    page.wait_for_selector(".opblock", timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"), full_page=False)
    assert not outside and not violations, (outside, violations)
    context.close()
