"""Verified trips end to end in Chromium (issue 15): a driver's phone, with a simulated position granted to the page,
logs arrival, pick-up and drop-off of a ride (two steps typed as logged a little late), the member signs on the
screen; the position of each event, the odometer readings and the signature are stored with the log, and the
provider sees them on the trip log page. A phone whose position is refused still logs (recorded as refused).

Own server (``nemt serve``) on a fresh SQLite file seeded with the demo; the test's ride is put on the demo
driver's vehicle for today, planned to start 40 minutes ago, so the log is plausible."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets

import pytest
from sqlalchemy import select

from nemt import clock, geo
from nemt.policy import load_policy
from nemt.store.database import make_engine
from nemt.store.evidence_models import TripAttestation, TripEventEvidence
from nemt.store.models import Driver, Leg, Member, Trip, User, Vehicle, VehicleRun
from nemt.store.uow import uow_factory
from tests.conftest import require_or_skip
from tests.web.live_server import running_server
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

ZONE = load_policy("CO").time_zone
ORIGIN, DESTINATION = "80205", "80218"


def _point(zip_code: str) -> dict[str, float]:
    p = geo.lookup_zip(zip_code, "zip").point
    return {"latitude": p.lat, "longitude": p.lon}


def _ride_for_the_driver(url: str) -> tuple[str, str]:
    """A 3-mile ride on the demo driver's vehicle today, planned 40 minutes ago; (confirmation, leg key)."""
    engine = make_engine(url)
    now, today = clock.now(), clock.today(ZONE)
    with uow_factory(engine)() as uow:
        s = uow.session
        driver = s.scalar(select(Driver).join(User, User.id == Driver.user_id).where(User.username == "driver"))
        run = s.scalar(select(VehicleRun).where(VehicleRun.driver_id == driver.id, VehicleRun.service_date == today))
        if run is None:
            vehicle = s.scalar(select(Vehicle).where(Vehicle.provider_id == driver.provider_id).order_by(Vehicle.id))
            run = VehicleRun(vehicle_id=vehicle.id, service_date=today, driver_id=driver.id)
            s.add(run)
            s.flush()
        member = s.scalar(select(Member).where(Member.program == "CO").order_by(Member.id))
        token = secrets.token_hex(4)
        trip = Trip(confirmation=f"CO-E{token}", idempotency_key=token, program="CO", member_id=member.id,
                    requested_by="member", requested_at=now - dt.timedelta(days=2), appointment_at=now,
                    service_date=today, purpose="dialysis", pickup_address="1200 Example Ave, Denver, CO 80205",
                    pickup_zip=ORIGIN, destination_name="Example Dialysis",
                    destination_address="300 Sample St, Denver, CO 80218", destination_zip=DESTINATION,
                    destination_county="Denver", destination_state="CO", requested_mode="wheelchair-van",
                    mode="wheelchair-van", outcome="approved", arranged_by="broker", request={})
        s.add(trip)
        s.flush()
        leg = Leg(trip_id=trip.id, sequence=1, service_date=today, origin_address=trip.pickup_address,
                  origin_zip=ORIGIN, destination_address=trip.destination_address, destination_zip=DESTINATION,
                  status="assigned", provider_id=driver.provider_id, vehicle_id=run.vehicle_id, driver_id=driver.id,
                  miles=3.0, planned_pickup=now - dt.timedelta(minutes=40), planned_dropoff=now)
        s.add(leg)
        uow.commit()
        confirmation, key = trip.confirmation, leg.key
    engine.dispose()
    return confirmation, key


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_or_skip(None if CHROMIUM.exists() else "apt-get install chromium, or `make browser-deps`",
                    f"{CHROMIUM} is missing")
    folder = tmp_path_factory.mktemp("evidence")
    env = {**os.environ, "NEMT_SECRET_KEY": "evidence-secret-key", "NEMT_PASSWORD_HASH_COST": "test",
           "NEMT_CLOCK_START": clock.for_child()}
    rides: list = []
    database: list[str] = []

    def prepare(url: str) -> None:
        database.append(url)
        rides.extend([_ride_for_the_driver(url), _ride_for_the_driver(url)])

    with running_server(folder, env, prepare=prepare, restart_clock=clock.for_child) as base:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield base, database[0], browser, rides
            browser.close()


def _phone(browser, base: str, username: str, **context_options):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base, timezone_id=str(ZONE),
                                  **context_options)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_default_timeout(30_000)
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(username + "-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    return context, page, violations


def _hhmm(minutes_ago: int) -> str:
    return (clock.now() - dt.timedelta(minutes=minutes_ago)).astimezone(ZONE).strftime("%H:%M")


def _evidence(url: str, leg_key: str) -> tuple[tuple[list[TripEventEvidence], list[TripAttestation]], list[str]]:
    """The leg's stored evidence rows (detached, loaded) and the kinds of their events."""
    engine = make_engine(url)
    with uow_factory(engine)() as uow:
        leg_id = uow.session.scalar(select(Leg.id).where(Leg.key == leg_key))
        found = uow.evidence.evidence_of([leg_id])[leg_id], uow.evidence.attestations_of([leg_id])[leg_id]
        kinds = [e.event.kind for e in found[0]]
        uow.session.expunge_all()
    engine.dispose()
    return found, kinds


def test_a_phone_records_a_verified_trip(site):
    base, url, browser, rides = site
    (confirmation, leg_key), _ = rides
    context, page, violations = _phone(browser, base, "driver", permissions=["geolocation"],
                                       geolocation=_point(ORIGIN))
    page.goto("/driver")

    def card():
        return page.locator("li.stop-card", has_text=f"Ride {confirmation}/1")

    form = card().locator("form[action$='/arrived']")
    form.get_by_label("Time it happened, if not now (HH:MM)").fill(_hhmm(40))
    form.get_by_label("Odometer (optional)").fill("1000")
    with page.expect_navigation():  # the script posts after the position arrives
        form.get_by_role("button", name=re.compile("^Arrived")).click()
    form = card().locator("form[action$='/picked-up']")
    form.get_by_label("I checked the member's identity").check()
    form.get_by_label("Time it happened, if not now (HH:MM)").fill(_hhmm(35))
    form.get_by_label("Odometer (optional)").fill("1000.2")
    with page.expect_navigation():  # the script posts after the position arrives
        form.get_by_role("button", name=re.compile("^Picked up")).click()
    context.set_geolocation(_point(DESTINATION))  # the phone has moved with the ride
    form = card().locator("form[action$='/dropped-off']")
    form.get_by_label("Loaded miles").fill("3")
    form.get_by_label("Odometer (optional)").fill("1003.4")
    pad = form.locator("canvas[data-signature]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 60 + (15 if step % 2 else -15))
    page.mouse.up()
    with page.expect_navigation():  # the script posts after the position arrives
        form.get_by_role("button", name=re.compile("^Dropped off")).click()
    assert "Completed" in card().inner_text(), page.inner_text("main")
    context.close()

    (events, attestations), kinds = _evidence(url, leg_key)
    assert kinds == ["arrived", "picked-up", "dropped-off"]
    assert [e.position_status for e in events] == ["recorded"] * 3
    assert abs(events[0].latitude - _point(ORIGIN)["latitude"]) < 1e-4
    assert abs(events[2].latitude - _point(DESTINATION)["latitude"]) < 1e-4
    assert [e.odometer for e in events] == [1000, 1000.2, 1003.4]
    [signed] = attestations
    assert signed.method == "signature" and signed.attested_by == "member"
    assert signed.signature_png.startswith(b"\x89PNG")

    context, page, more = _phone(browser, base, "provider")
    page.goto(f"/provider/trip-logs/{leg_key}")
    main = page.inner_text("main")
    assert "Verification" in main and "signed on the driver's screen" in main and "Held for review" not in main
    assert "1003.4" in main
    context.close()
    assert not violations + more, violations + more


def test_a_refused_position_never_blocks_the_log(site):
    base, url, browser, rides = site
    _, (confirmation, leg_key) = rides
    context, page, violations = _phone(browser, base, "driver")  # no permission granted: the position is refused
    page.goto("/driver")
    card = page.locator("li.stop-card", has_text=f"Ride {confirmation}/1")
    with page.expect_navigation():  # the script posts once the position is refused
        card.locator("form[action$='/arrived']").get_by_role("button", name=re.compile("^Arrived")).click()
    assert "Arrived at" in page.locator("li.stop-card", has_text=f"Ride {confirmation}/1").inner_text()
    context.close()
    (events, _), kinds = _evidence(url, leg_key)
    assert kinds == ["arrived"] and events[0].position_status in ("refused", "unavailable")
    assert events[0].latitude is None
    assert not violations, violations
