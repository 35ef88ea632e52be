"""The day's events in Debian's Chromium: a dispatcher schedules the day and watches its progress, a member calls for
their return (will-call) and the leg is inserted within the promised pick-up, and a second dispatcher's board —
left open, not reloaded — updates itself with that change made elsewhere.

The server runs as in test_browser.py (`nemt serve` on a fresh demo database) with its clock at 10:00 of the suite's
day (NEMT_CLOCK_START for the server process) and the board polling every second (NEMT_BOARD_POLL_SECONDS).
"""

from __future__ import annotations

import os
import re
import time

import pytest

from nemt import clock
from nemt.policy import load_policy

from . import test_browser as base
from .live_server import running_server
from .test_browser import browser  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.browser

ZONE = base.ZONE
MORNING = clock.now().astimezone(ZONE).replace(hour=10, minute=0, second=0, microsecond=0)


@pytest.fixture(scope="module")
def morning_server(tmp_path_factory):
    """`nemt serve` on a demo database, its clock starting at 10:00 local time, the board polling every second."""
    env = {**os.environ, "NEMT_SECRET_KEY": "events-secret", "NEMT_PASSWORD_HASH_COST": "test",
           "NEMT_CLOCK_START": MORNING.isoformat(), "NEMT_BOARD_POLL_SECONDS": "1"}
    with running_server(tmp_path_factory.mktemp("events"), env) as url:
        yield url


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def test_a_will_call_is_inserted_and_another_board_updates_itself(browser, morning_server):  # noqa: F811
    day = MORNING.date().isoformat()
    policy = load_policy("CO")
    lead = int(policy.get("operations.dispatch_lead_minutes"))
    promise = int(policy.get("operations.will_call_pickup_minutes"))
    shots = base.Shots()

    # Dispatcher A schedules the day: the page shows the job's progress, then the verified result.
    context_a, board_a = base._sign_in(browser, morning_server, "dispatcher")
    board_a.goto(f"/dispatch?day={day}")
    board_a.get_by_role("button", name="Schedule the day (optimizer)").click()
    board_a.locator("#job-progress, #schedule-result").first.wait_for()
    result = board_a.locator("#schedule-result")
    result.wait_for(timeout=60_000)
    assert "verified by the independent checker" in result.inner_text()
    shots.take(board_a, "live-events-scheduled")
    returns = board_a.locator("#returns tbody tr")
    assert returns.count() >= 1
    board_a.evaluate("window.notReloaded = true")

    # Dispatcher B, elsewhere, takes a member's call: ready now. The leg is inserted within the promise.
    context_b, board_b = base._sign_in(browser, morning_server, "dispatcher")
    board_b.goto(f"/dispatch?day={day}")
    row = board_b.locator("#returns tbody tr").first
    trip = row.locator("td").first.inner_text().strip()
    row.get_by_role("button", name=re.compile("Member ready")).click()
    board_b.wait_for_url(re.compile(r"/dispatch\?day="))
    flash = board_b.locator(".flash", has_text="Will-call").inner_text()
    shots.take(board_b, "live-events-will-call")
    found = re.search(rf"Will-call {re.escape(trip)}: the member is promised a pick-up by (\d\d:\d\d); (\S+) will be "
                      r"there at (\d\d:\d\d)", flash)
    assert found, flash
    promised, vehicle, pickup = found.group(1), found.group(2), found.group(3)
    assert _minutes(promised) == 10 * 60 + promise
    assert 10 * 60 + lead <= _minutes(pickup) <= _minutes(promised)
    mine = board_b.locator("#returns tbody tr", has_text=trip)
    assert f"{vehicle} at {pickup}" in mine.inner_text() and f"promised by {promised}" in mine.inner_text()

    # Board A, never reloaded, shows the change by itself.
    updated = board_a.locator("#returns tbody tr", has_text=trip)
    deadline = time.monotonic() + 30
    while f"{vehicle} at {pickup}" not in updated.inner_text():
        assert time.monotonic() < deadline, updated.inner_text()
        board_a.wait_for_timeout(250)
    assert "Board updated at" in board_a.locator("#board-updated").inner_text()
    assert board_a.evaluate("window.notReloaded") is True
    shots.take(board_a, "live-events-board-updated-by-itself")
    context_b.close()
    context_a.close()
    assert not base.POLICY_VIOLATIONS, base.POLICY_VIOLATIONS
