"""The agent's call, measured in Chromium (issue 16, point 4): from the agent's home page after sign-in to the
ride's confirmation, how many page actions and keystrokes a one-way and a round trip of a known member take.

A page action is what makes the browser load a page or change stored data: a link followed, a form submitted, a
click that posts. The test counts them twice — the flow says each one (``Call.follow``/``submit``), and the browser's
own top-level document requests are counted (a redirect after a form is not a second action) — and the two counts
must agree. Keystrokes are the keys pressed into fields (each typed one by one); choices are the options picked in
lists and the boxes ticked.

The server is the one of tests/web/test_browser.py (a fresh SQLite file seeded with `nemt demo seed`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest

from nemt import clock
from nemt.policy import load_policy
from tests.web.test_browser import _sign_in, browser, server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ZONE = load_policy("CO").time_zone
MEMBER_ID = "D100044"  # Jefferson county, certified for taxi: the ride is approved
DESTINATION = "Denver Example Medical Center"


@dataclass
class Call:
    """One call's flow on a page, with what the agent did counted."""

    page: object
    actions: int = 0
    keystrokes: int = 0
    choices: int = 0
    loads: list[str] = field(default_factory=list)  # the browser's top-level document requests (method and path)

    def __post_init__(self):
        self.page.on("request", self._seen)

    def _seen(self, request) -> None:
        if request.resource_type == "document" and request.frame == self.page.main_frame \
                and request.redirected_from is None:
            self.loads.append(f"{request.method} {re.sub(r'^https?://[^/]+', '', request.url)}")
        elif request.method != "GET" and request.resource_type in ("fetch", "xhr"):
            self.loads.append(f"{request.method} {request.url} (script)")

    def follow(self, locator) -> None:
        """A link followed (a page loads)."""
        self.actions += 1
        with self.page.expect_navigation():
            locator.click()

    def submit(self, locator) -> None:
        """A form submitted (with its button)."""
        self.actions += 1
        with self.page.expect_navigation():
            locator.click()

    def type(self, locator, keys: str) -> None:
        """Keys pressed one by one into a field (a date or time field takes digits, and A or P for the half-day)."""
        locator.focus()
        locator.press_sequentially(keys)
        self.keystrokes += len(keys)

    def choose(self, locator, **option) -> None:
        locator.select_option(**option)
        self.choices += 1

    def tick(self, locator) -> None:
        locator.check()
        self.choices += 1

    def summary(self) -> str:
        return f"{self.actions} page actions, {self.keystrokes} keystrokes, {self.choices} choices"


def _date_keys(day: dt.date) -> str:
    return day.strftime("%m%d%Y")  # Chromium's date field, en-US: month, day, year


def _time_keys(at: dt.time) -> str:
    return at.strftime("%I%M") + at.strftime("%p")[0]  # Chromium's time field, en-US: hour, minutes, AM/PM


def _agent_page(browser, server):  # noqa: F811
    context, page = _sign_in(browser, server, "agent")
    assert page.url.rstrip("/") == server.rstrip("/")  # the agent's home page
    return context, page


def _destination_label(page) -> str:
    return page.locator("#destination option", has_text=DESTINATION).filter(has_text="primary care").first.inner_text()


def _legacy_call(call: Call, day: dt.date, appointment: dt.time, back: dt.time | None) -> None:
    """The flow of the pages before issue 16's point 4: find by ID, the results, the member, the booking form."""
    page = call.page
    call.follow(page.get_by_role("link", name="Find a member").first)
    call.type(page.get_by_label("Medicaid ID", exact=True), MEMBER_ID)
    call.submit(page.get_by_role("button", name="Search by ID"))
    call.follow(page.locator("tbody tr", has_text=MEMBER_ID).get_by_role("link"))
    call.follow(page.get_by_role("link", name="Book a ride"))
    if back is not None:
        call.tick(page.get_by_role("radio", name="Round trip"))
    call.type(page.get_by_label("Appointment date"), _date_keys(day))
    call.type(page.get_by_label("Appointment time"), _time_keys(appointment))
    if back is not None:
        call.type(page.get_by_label("Return pick-up time (round trip)"), _time_keys(back))
    call.choose(page.get_by_label("Destination and service"), label=_destination_label(page))
    call.choose(page.get_by_label("Requested mode"), value="taxi")
    call.submit(page.get_by_role("button", name="Book and decide"))


def _call(call: Call, day: dt.date, appointment: dt.time, back: dt.time | None) -> None:
    """The agent's call since point 4: one search box (one member found opens the member's page), and the booking
    form on the member page, prefilled (the day after today, home as the pick-up, the member's mode)."""
    page = call.page
    call.follow(page.get_by_role("link", name="Find a member").first)
    call.type(page.get_by_label("Medicaid ID, telephone number, or name"), MEMBER_ID)
    call.submit(page.get_by_role("button", name="Find", exact=True))
    assert re.search(r"/members/[A-Za-z0-9_-]{16,}$", page.url), page.url
    if day != dt.date.fromisoformat(page.get_by_label("Appointment date").input_value()):
        call.type(page.get_by_label("Appointment date"), _date_keys(day))
    call.type(page.get_by_label("Appointment time"), _time_keys(appointment))
    if back is not None:
        call.type(page.get_by_label("Return pick-up time (empty: one-way)"), _time_keys(back))
    call.choose(page.get_by_label("Destination and service"), label=_destination_label(page))
    assert page.get_by_label("Requested mode").input_value() in ("taxi", "mobility-ambulatory")  # prefilled
    call.submit(page.get_by_role("button", name="Book and decide"))


def _measure(browser, server, flow, *, round_trip: bool, days_ahead: int, at: dt.time) -> Call:  # noqa: F811
    context, page = _agent_page(browser, server)
    call = Call(page)
    day = clock.now().astimezone(ZONE).date() + dt.timedelta(days=days_ahead)
    back = (dt.datetime.combine(day, at) + dt.timedelta(hours=2, minutes=30)).time() if round_trip else None
    flow(call, day, at, back)
    assert re.search(r"/trips/[A-Za-z0-9_-]{16,}$", page.url), page.url
    main = page.inner_text("main")
    assert page.locator("#outcome").inner_text() == "approved", main
    assert re.search(r"Ride CO-\d+", page.locator("h1").inner_text())
    assert f"{day.isoformat()} {at:%H:%M}" in main  # the keys typed made the appointment asked for
    legs = page.locator("table.data tbody tr")
    assert legs.count() == (2 if round_trip else 1)
    if back is not None:
        assert f"{back:%H:%M}" in legs.nth(1).inner_text()
    assert len(call.loads) == call.actions, call.loads  # every load is one of the agent's actions, and back
    context.close()
    return call


def test_the_agents_call_before_and_after_point_4(browser, server):  # noqa: F811
    """The same bookings the old way (find by ID, results, member, booking page) and the new way; the one-way
    booking of a known member takes at most 4 page actions."""
    before = {"one-way": _measure(browser, server, _legacy_call, round_trip=False, days_ahead=1, at=dt.time(10, 30)),
              "round trip": _measure(browser, server, _legacy_call, round_trip=True, days_ahead=3,
                                     at=dt.time(9, 0))}
    after = {"one-way": _measure(browser, server, _call, round_trip=False, days_ahead=1, at=dt.time(11, 15)),
             "round trip": _measure(browser, server, _call, round_trip=True, days_ahead=3, at=dt.time(9, 45))}
    for name, measured in (("before", before), ("after", after)):
        for kind, call in measured.items():
            print(f"\n{name}, {kind}: {call.summary()}; {call.loads}")
    assert after["one-way"].actions <= 4
    assert after["one-way"].actions < before["one-way"].actions
    assert after["round trip"].actions < before["round trip"].actions


def test_the_agents_call_finds_books_changes_and_cancels_with_a_confirmation(browser, server):  # noqa: F811
    """Search by telephone number, partial name, and name with birth date; book from the member page with another
    pick-up address (an address that cannot be placed is refused naming the field), a will-call return and a note
    for the driver; change the destination on the ride's page; cancel only after the confirmation step."""
    context, page = _agent_page(browser, server)
    page.get_by_role("link", name="Find a member").first.click()
    box = page.get_by_label("Medicaid ID, telephone number, or name")
    box.fill(MEMBER_ID)
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_url(re.compile(r"/members/[A-Za-z0-9_-]{16,}$"))
    member_url = page.url
    first, last = page.locator("h1").inner_text().split(" ", 1)
    facts = page.locator("dl.facts").inner_text()
    born = re.search(r"Birth date\s+(\d{4}-\d{2}-\d{2})", facts).group(1)
    phone = re.search(r"Phone\s+([\d-]+)", facts).group(1)

    # A telephone number with other punctuation, and part of the last name: lists with the ID masked.
    for query in (phone.replace("-", " . "), last[:3].lower()):
        page.goto("/members/search")
        page.get_by_label("Medicaid ID, telephone number, or name").fill(query)
        page.get_by_role("button", name="Find", exact=True).click()
        page.wait_for_load_state()
        if page.url != member_url:
            row = page.locator("tbody tr", has_text=f"{last}, {first}")
            assert row.count() == 1 and born in row.inner_text(), query
            assert MEMBER_ID not in page.inner_text("main") and f"{MEMBER_ID[0]}•••{MEMBER_ID[-3:]}" in row.inner_text()
    # The name with the birth date (month/day/year): the one member, opened at once.
    page.goto("/members/search")
    page.get_by_label("Medicaid ID, telephone number, or name").fill(
        f"{last.lower()} {first[0]} {dt.date.fromisoformat(born):%m/%d/%Y}")
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_url(member_url)
    assert "Documented needs" in page.inner_text("main")

    # Another pick-up address that cannot be placed: refused, naming the field; the form keeps what was typed.
    day = clock.now().astimezone(ZONE).date() + dt.timedelta(days=6)
    page.get_by_label("Appointment date").fill(day.isoformat())
    page.get_by_label("Appointment time").fill("10:00")
    page.get_by_label("Destination and service").select_option(label=_destination_label(page))
    page.get_by_label("The member will call when ready").check()
    page.get_by_label("Notes for the driver").fill("Side door; gate code 4411")
    page.get_by_label("Another pick-up address, with its ZIP code").fill("12 Nowhere Rd, Denver, CO 00000")
    page.get_by_role("button", name="Book and decide").click()
    error = page.locator("#form-error").inner_text()
    assert "pick-up address cannot be placed" in error and "not a known ZIP code" in error
    assert "Field: pickup.address" in error
    assert page.get_by_label("Another pick-up address, with its ZIP code").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Notes for the driver").input_value() == "Side door; gate code 4411"
    page.get_by_label("Another pick-up address, with its ZIP code").fill("1200 Elm St, Denver, CO 80203")
    page.get_by_role("button", name="Book and decide").click()
    page.wait_for_url(re.compile(r"/trips/[A-Za-z0-9_-]{16,}$"))
    trip_url = page.url
    main = page.inner_text("main")
    assert page.locator("#outcome").inner_text() == "approved", main
    assert "1200 Elm St, Denver, CO 80203" in main and "round trip" in main
    assert page.locator("#driver-notes").inner_text() == "Side door; gate code 4411"
    assert "will call" in page.locator("table.data tbody tr").nth(1).inner_text()
    confirmation = re.search(r"CO-\d+", page.locator("h1").inner_text()).group(0)

    # The destination changes on the ride's page (decided again).
    other = page.locator("#c-destination option", has_text="primary care").filter(
        has_not_text=DESTINATION).first.inner_text()
    page.get_by_label("Destination", exact=True).select_option(label=other)
    page.get_by_role("button", name="Change and decide again").click()
    page.wait_for_url(trip_url)
    assert "decided again" in page.inner_text("main")
    assert other.split(" — ")[0] in page.locator("dl.facts").inner_text()

    # Cancelling asks first: "No, keep it" keeps the ride; "Yes" cancels it and returns to the member.
    page.goto(member_url)
    row = page.locator("#upcoming tbody tr", has_text=confirmation)
    row.get_by_role("button", name=re.compile("Cancel")).click()
    assert page.locator("h1").inner_text() == f"Cancel ride {confirmation}?"
    page.get_by_role("link", name="No, keep it").click()
    page.wait_for_url(member_url)
    assert page.locator("#upcoming tbody tr", has_text=confirmation).count() == 1
    page.locator("#upcoming tbody tr", has_text=confirmation).get_by_role("button", name=re.compile("Cancel")).click()
    page.get_by_label("Reason").fill("member feels better")
    page.get_by_role("button", name=f"Yes, cancel the ride {confirmation}").click()
    page.wait_for_url(member_url)
    assert f"Cancelled {confirmation}." in page.inner_text("body")
    assert page.locator("#upcoming tbody tr", has_text=confirmation).count() == 0
    context.close()
