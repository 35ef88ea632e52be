"""The board's map in Debian's Chromium: a driver's phone, with a simulated position granted to the page, logs its
arrival at a pick-up; the dispatcher's board — left open, not reloaded — shows the vehicle where the phone was, on the
county outlines, with its next stop, within a few of its polls.

Own server (``nemt serve``) on a copy of the seeded demo, its clock at the suite's, the board polling every second;
the test's ride is put on the demo driver's vehicle for today, planned to start 40 minutes ago (the ride of
test_browser_trip_evidence.py), so the log is plausible."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from nemt import clock
from nemt.store.database import make_engine
from nemt.store.models import Leg, Vehicle, VehicleRun
from nemt.store.uow import uow_factory

from . import test_browser as base
from .live_server import running_server
from .test_browser import browser  # noqa: F401 - the Chromium fixture
from .test_browser_trip_evidence import ORIGIN, _hhmm, _point, _ride_for_the_driver

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def map_site(tmp_path_factory):
    """The server's URL and the test ride: (confirmation, the vehicle's external id)."""
    env = {**os.environ, "NEMT_SECRET_KEY": "map-secret-key", "NEMT_PASSWORD_HASH_COST": "test",
           "NEMT_CLOCK_START": clock.for_child(), "NEMT_BOARD_POLL_SECONDS": "1"}
    ride: list[tuple[str, str]] = []

    def prepare(url: str) -> None:
        confirmation, key = _ride_for_the_driver(url)
        engine = make_engine(url)
        with uow_factory(engine)() as uow:  # the leg on its vehicle's run, so the map has a next stop to show
            leg = uow.session.scalar(select(Leg).where(Leg.key == key))
            run = uow.session.scalar(select(VehicleRun).where(VehicleRun.vehicle_id == leg.vehicle_id,
                                                              VehicleRun.service_date == leg.service_date))
            run.plan = {"stops": [{"leg": key, "kind": "pickup", "at": leg.planned_pickup.isoformat()},
                                  {"leg": key, "kind": "dropoff", "at": leg.planned_dropoff.isoformat()}]}
            ride.append((confirmation, uow.session.get(Vehicle, leg.vehicle_id).external_id))
            uow.commit()
        engine.dispose()

    with running_server(tmp_path_factory.mktemp("map"), env, prepare=prepare,
                        restart_clock=clock.for_child) as url:
        yield url, ride[0]


def test_a_position_sent_from_the_drivers_page_appears_on_the_dispatchers_map_without_a_reload(
        browser, map_site):  # noqa: F811 - the fixture
    url, (confirmation, vehicle) = map_site
    day = clock.today(base.ZONE).isoformat()
    shots = base.Shots()
    context_d, board = base._sign_in(browser, url, "dispatcher")
    board.set_default_timeout(90_000)  # the board reads and plans the whole live day: slow on a loaded machine
    board.goto(f"/dispatch?day={day}")
    board.locator("#vehicle-map").wait_for()
    assert board.locator(f'#vehicle-map [data-vehicle="{vehicle}"]').count() == 0  # not seen yet today
    board.evaluate("window.notReloaded = true")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, base_url=url, timezone_id=str(base.ZONE),
                                permissions=["geolocation"])
    phone.set_geolocation(_point(ORIGIN))
    page = phone.new_page()
    page.set_default_timeout(60_000)
    page.goto("/login")
    page.get_by_label("User name").fill("driver")
    page.get_by_label("Password").fill("driver-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")
    page.goto("/driver")
    form = page.locator("li.stop-card", has_text=f"Ride {confirmation}/1").locator("form[action$='/arrived']")
    form.get_by_label("Time it happened, if not now (HH:MM)").fill(_hhmm(40))
    with page.expect_navigation():  # the script posts once the phone's position arrives
        form.get_by_role("button", name=re.compile("^Arrived")).click()

    # The dispatcher's board, not reloaded, swaps in its live part: the vehicle is on the map where the phone was.
    mark = board.locator(f'#vehicle-map [data-vehicle="{vehicle}"]')
    mark.wait_for(state="attached", timeout=90_000)
    assert "(phone)" in mark.locator("title").text_content()
    row = board.locator("#vehicle-positions tbody tr", has_text=vehicle)
    assert "phone" in row.inner_text() and f"{confirmation}/1 pick-up" in row.inner_text()
    hours, minutes = row.locator("td").nth(1).inner_text().split(":")  # seen now (where the phone is), not 40 min ago
    now = clock.now().astimezone(base.ZONE)
    assert abs(now.hour * 60 + now.minute - int(hours) * 60 - int(minutes)) <= 3, row.inner_text()
    assert board.locator("#vehicle-map title", has_text="Denver County").count() == 1
    assert board.evaluate("window.notReloaded") is True
    shots.take(board, "map-vehicle-from-phone")
    phone.close()
    context_d.close()
