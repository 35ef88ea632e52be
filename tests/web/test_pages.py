"""The pages without a browser: role scoping, CSRF, no member data in URLs, and the whole ride from booking to the
auditor's report through the HTML forms (the ``client`` fixture: SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from types import SimpleNamespace

from sqlalchemy import select

from nemt import clock
from nemt.policy import load_policy
from nemt.store.models import Leg, Member, Vehicle
from tests.web.helpers import sign_in, urls_of

ZONE = load_policy("CO").time_zone
# A Jefferson-county member certified for taxi (approved); a Denver member without certification (pending).
APPROVED_MEMBER, PENDING_MEMBER = "D100044", "D100001"

NAV = {  # role -> links that must show, links that must not
    "agent": ({"/members/search"}, {"/dispatch", "/audit", "/reports", "/driver", "/provider/claims"}),
    "dispatcher": ({"/dispatch", "/members/search", "/credentials", "/reports"}, {"/audit", "/driver"}),
    "provider": ({"/provider/trips", "/provider/fleet", "/provider/claims", "/credentials"},
                 {"/members/search", "/dispatch", "/audit", "/reports"}),
    "driver": ({"/driver"}, {"/members/search", "/dispatch", "/provider/trips", "/reports", "/audit"}),
    "facility": ({"/facility/urgent"}, {"/members/search", "/dispatch", "/reports", "/audit", "/driver"}),
    "auditor": ({"/reports", "/audit", "/credentials"}, {"/dispatch", "/driver", "/provider/claims"}),
}
FORBIDDEN = {  # role -> pages the role may not open (403 page)
    "agent": ["/dispatch", "/audit", "/reports", "/driver", "/provider/claims", "/credentials"],
    "driver": ["/members/search", "/dispatch", "/reports", "/audit", "/provider/trips"],
    "provider": ["/members/search", "/dispatch", "/audit", "/reports/trips-by-day"],
    "facility": ["/dispatch", "/reports", "/audit", "/provider/fleet"],
    "auditor": ["/dispatch", "/driver", "/provider/claims", "/facility/urgent"],
}


def _member(demo, medicaid_id: str) -> SimpleNamespace:
    with demo() as uow:
        m = uow.session.scalar(select(Member).where(Member.medicaid_id == medicaid_id))
        return SimpleNamespace(key=m.key, medicaid_id=m.medicaid_id, first_name=m.first_name, last_name=m.last_name,
                               birth_date=m.birth_date)


def _appointment(hours: float = 3) -> tuple[str, str]:
    at = clock.now().astimezone(ZONE) + dt.timedelta(hours=hours)
    return at.date().isoformat(), at.strftime("%H:%M")


def _destination(client, member_key: str) -> str:
    """The form value of Denver Example Medical Center's primary care in the booking form."""
    html = client.get(f"/members/{member_key}/book").text
    value = re.search(r'<option value="([^"]+\|primary-care)"[^>]*>Denver Example Medical Center', html)
    assert value, "the destination list lacks the demo medical center"
    return value.group(1)


def _book(client, token: str, member_key: str, mode: str = "taxi", hours: float = 3, **extra):
    day, time = _appointment(hours)
    data = {"csrf_token": token, "kind": "one-way", "direction": "to-appointment", "appointment_date": day,
            "appointment_time": time, "return_time": "", "destination": _destination(client, member_key),
            "requested_mode": mode, "purpose": "medical", "requested_by": "member", **extra}
    return client.post(f"/members/{member_key}/book", data=data, follow_redirects=False)


def _scan_urls(html: str, member) -> None:
    secrets = [member.medicaid_id, member.last_name, member.birth_date.isoformat(), member.first_name]
    for url in urls_of(html):
        for secret in secrets:
            assert secret.lower() not in url.lower(), f"member data in a URL: {url}"


def _section(html: str, heading_id: str) -> str:
    """The HTML of the dispatch board's section introduced by ``heading_id`` (up to the next section)."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<section", start)
    return html[start:end if end > 0 else None]


def _report_csv(client, name: str, day: dt.date) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(f"/reports/{name}.csv?start={day}&end={day}").text)))


# --- signing in, roles, CSRF ------------------------------------------------------------------------------------


def test_sign_in_roles_and_csrf(client, demo):
    for path in ("/", "/members/search", "/dispatch", "/reports", "/driver", "/provider/claims"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login", path
    r = client.post("/login", data={"username": "agent", "password": "agent-demo-2026", "csrf_token": "x"},
                    follow_redirects=False)
    assert r.status_code == 403  # the log-in form has a token too

    # Each role sees its links only, and gets a 403 page for the other roles' pages.
    for username, (shown, hidden) in NAV.items():
        sign_in(client, username)
        links = set(urls_of(client.get("/").text))
        assert shown <= links, (username, shown - links)
        assert not (hidden & links), (username, hidden & links)
        for path in FORBIDDEN.get(username, ()):
            r = client.get(path)
            assert r.status_code == 403, (username, path, r.status_code)
            assert "text/html" in r.headers["content-type"] and "may not do this" in r.text

    # Another program's member is not found (and not named).
    co_member = _member(demo, APPROVED_MEMBER)
    sign_in(client, "ct-agent")
    r = client.get(f"/members/{co_member.key}")
    assert r.status_code == 404 and co_member.last_name not in r.text

    # Forms without the session's token are refused, and change nothing.
    token = sign_in(client, "agent")
    for data in ({"medicaid_id": APPROVED_MEMBER}, {"medicaid_id": APPROVED_MEMBER, "csrf_token": "forged"}):
        r = client.post("/members/search", data=data)
        assert r.status_code == 403 and co_member.last_name not in r.text
    r = _book(client, "forged-token", co_member.key)
    assert r.status_code == 403 and "form expired" in r.text
    r = client.post("/logout", data={"csrf_token": "nope"})
    assert r.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in
    assert client.post("/members/search", data={"medicaid_id": APPROVED_MEMBER, "csrf_token": token}).status_code == 200
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


# --- finding a member; no member data in any URL -------------------------------------------------------------------


def test_search_by_id_and_by_name_link_by_opaque_key(client, demo):
    member = _member(demo, APPROVED_MEMBER)
    token = sign_in(client, "agent")
    by_id = client.post("/members/search", data={"csrf_token": token, "medicaid_id": member.medicaid_id})
    assert by_id.status_code == 200
    assert f'href="/members/{member.key}"' in by_id.text
    by_name = client.post("/members/search", data={"csrf_token": token, "last_name": member.last_name,
                                                   "birth_date": member.birth_date.isoformat()})
    assert f'href="/members/{member.key}"' in by_name.text
    bad = client.post("/members/search", data={"csrf_token": token, "medicaid_id": "12"})
    assert bad.status_code == 422 and "one letter and six digits" in bad.text
    for html in (by_id.text, by_name.text, client.get(f"/members/{member.key}").text,
                 client.get(f"/members/{member.key}/book").text,
                 client.get(f"/members/{member.key}/standing-order").text):
        _scan_urls(html, member)



def test_a_bad_date_is_a_422_naming_the_field(client, demo):
    sign_in(client, "dispatcher")
    r = client.get("/dispatch?day=2026-13-01")
    assert r.status_code == 422 and "the day must be a date YYYY-MM-DD" in r.text
    sign_in(client, "auditor")
    r = client.get("/reports?start=2026-11-01&end=2026-11-31")
    assert r.status_code == 422 and "the end of the period must be a date YYYY-MM-DD" in r.text
    token = sign_in(client, "agent")
    r = client.post("/members/search", data={"csrf_token": token, "last_name": "Demo", "birth_date": "1960-02-30"})
    assert r.status_code == 422 and "the birth date must be a date YYYY-MM-DD" in r.text

# --- booking, decision, change, cancel, standing order --------------------------------------------------------------


def test_booking_change_cancel_and_standing_order(client, demo):
    token = sign_in(client, "agent")
    pending = _member(demo, PENDING_MEMBER)
    r = _book(client, token, pending.key)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert 'id="outcome">pending' in page.text
    assert "Health First Colorado NEMT Billing Manual" in page.text  # the citation of the reason
    assert "certification-required" in page.text
    _scan_urls(page.text, pending)

    approved = _member(demo, APPROVED_MEMBER)
    r = _book(client, token, approved.key)
    trip_url = r.headers["location"]
    page = client.get(trip_url).text
    assert 'id="outcome">approved' in page and "Booked CO-" in page
    # The same request again books nothing new.
    again = _book(client, token, approved.key)
    assert again.headers["location"] == trip_url
    assert "already booked" in client.get(trip_url).text
    # An appointment in the past is refused in the form, with the field marked.
    r = _book(client, token, approved.key, hours=-2)
    assert r.status_code == 422
    assert "in the past" in r.text and 'aria-invalid="true"' in r.text

    # Change (decided again), then cancel.
    day, time = _appointment(5)
    r = client.post(trip_url + "/change", data={"csrf_token": token, "appointment_date": day,
                                                "appointment_time": time, "requested_mode": "taxi",
                                                "reason": "appointment moved"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(trip_url).text
    assert "decided again" in page and f"{day} {time}" in page
    r = client.post(trip_url + "/cancel", data={"csrf_token": token, "leg": "", "reason": "member asked"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(trip_url).text
    assert "Cancelled CO-" in page and "member asked" in page and "Change the ride" not in page

    # A round trip tomorrow: two legs, the return from the destination.
    tomorrow = (clock.now().astimezone(ZONE).date() + dt.timedelta(days=1)).isoformat()
    r = _book(client, token, approved.key, kind="round-trip", appointment_date=tomorrow, appointment_time="09:00",
              return_time="11:30")
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    assert "round trip" in page and page.count("<tr><td>2</td>") == 1 and "11:30" in page

    # A standing order: Mon/Wed/Fri for two weeks makes six decided trips.
    start = clock.now().astimezone(ZONE).date() + dt.timedelta(days=1)
    r = client.post(f"/members/{approved.key}/standing-order", data={
        "csrf_token": token, "weekdays": ["mon", "wed", "fri"], "appointment_time": "09:30",
        "return_time": "13:00", "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=13)).isoformat(),
        "destination": _destination(client, approved.key), "requested_mode": "taxi", "purpose": "medical",
        "requested_by": "member"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    assert "Standing order created with 6 trip(s)" in page
    assert page.count('href="/trips/') == 6


# --- the whole ride through the pages -------------------------------------------------------------------------------


def test_ride_from_booking_to_the_auditors_report(client, demo):
    member = _member(demo, APPROVED_MEMBER)
    day = dt.date.fromisoformat(_appointment()[0])
    sign_in(client, "auditor")
    before = _report_csv(client, "trips-by-day", day)[1]

    token = sign_in(client, "agent")
    trip_url = _book(client, token, member.key).headers["location"]
    confirmation = re.search(r"Ride (CO-\d+)", client.get(trip_url).text).group(1)
    with demo() as uow:
        leg = uow.session.scalar(select(Leg).join(Leg.trip).where(Leg.trip.has(confirmation=confirmation)))
        leg_key, day = leg.key, leg.service_date
        first_vehicle = uow.session.scalar(select(Vehicle).order_by(Vehicle.id)).key

    token = sign_in(client, "dispatcher")
    board = client.get(f"/dispatch?day={day}").text
    assert f"{confirmation}/1" in _section(board, "unassigned-h")
    r = client.post("/dispatch/assign", data={"csrf_token": token, "leg": leg_key, "vehicle": first_vehicle,
                                              "day": day.isoformat()}, follow_redirects=False)
    assert r.status_code == 303, r.text
    board = client.get(f"/dispatch?day={day}").text
    assert f"{confirmation}/1" not in _section(board, "unassigned-h") and "<svg" in board
    manifest = client.get(f"/manifests/{first_vehicle}?day={day}")
    assert manifest.status_code == 200 and member.last_name in manifest.text

    token = sign_in(client, "driver")
    page = client.get(f"/driver?day={day}").text
    assert confirmation in page
    with demo() as uow:  # the ride is driven when it is due: the platform clock moves to its pick-up window
        leg = uow.session.scalar(select(Leg).where(Leg.key == leg_key))
        opens, miles = leg.pickup_earliest or leg.planned_pickup, round(leg.miles)
    saved = clock.now()
    try:
        for kind, data, minutes in (("arrived", {}, 0), ("picked-up", {}, 5), ("identity", {}, 6),
                                    ("dropped-off", {"loaded_miles": str(miles), "trip_confirmed_by": "member"}, 60)):
            clock.start_at(opens + dt.timedelta(minutes=minutes))
            token = sign_in(client, "driver")  # a session idle that long has ended
            r = client.post(f"/driver/legs/{leg_key}/{kind}", follow_redirects=False,
                            data={"csrf_token": token, "day": day.isoformat(), **data})
            assert r.status_code == 303, (kind, r.text[:500])
    finally:
        clock.start_at(saved)
    card = client.get(f"/driver?day={day}").text.split(confirmation)[1].split("</li>")[0]
    assert "Completed" in card

    token = sign_in(client, "provider")
    log = client.get(f"/provider/trip-logs/{leg_key}").text
    assert "Still missing" not in log and "dropped-off" in log
    r = client.post("/provider/claims/build", data={"csrf_token": token, "start": day.isoformat(),
                                                    "end": day.isoformat()})
    assert r.status_code == 200 and "Built 1 claim(s)" in r.text, r.text[:2000]

    sign_in(client, "auditor")
    report = client.get(f"/reports/claims-by-status?start={day}&end={day}")
    assert report.status_code == 200 and "<svg" in report.text
    rows = _report_csv(client, "claims-by-status", day)
    assert rows[0] == ["status", "claims", "total charge", "paid"]
    assert sum(int(r[1]) for r in rows[1:]) == 1
    after = _report_csv(client, "trips-by-day", day)[1]
    assert after[0] == day.isoformat()
    assert (int(after[1]) - int(before[1]), int(after[2]) - int(before[2])) == (1, 1)
    cost = _report_csv(client, "cost", day)
    assert cost[1][0] == "Mile High Mobility (demo)" and cost[1][1:4] == ["1", "1", "1"]
    assert cost[1][5] == cost[1][4]  # one trip: the cost per trip is the total charge
    assert "taxi" in client.get(f"/reports/ride-time?start={day}&end={day}").text
    trail = client.get("/audit").text
    assert "trip-log" in trail and "claim" in trail
    assert member.medicaid_id not in trail


# --- the driver's no-show, credentials, the facility ----------------------------------------------------------------


def _assigned_ride(client, demo, medicaid_id: str) -> tuple[str, dt.date]:
    """An approved ride booked by the agent and put on the first vehicle by the dispatcher: (leg key, day)."""
    member = _member(demo, medicaid_id)
    token = sign_in(client, "agent")
    r = _book(client, token, member.key)
    assert r.status_code == 303, r.text
    trip_key = r.headers["location"].rsplit("/", 1)[1]
    with demo() as uow:
        leg = uow.session.scalar(select(Leg).join(Leg.trip).where(Leg.trip.has(key=trip_key)))
        leg_key, day = leg.key, leg.service_date
        vehicle = uow.session.scalar(select(Vehicle).order_by(Vehicle.id)).key
    token = sign_in(client, "dispatcher")
    r = client.post("/dispatch/assign", data={"csrf_token": token, "leg": leg_key, "vehicle": vehicle,
                                              "day": day.isoformat()}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return leg_key, day


def test_no_show_and_a_credential_refusal(client, demo):
    leg_key, day = _assigned_ride(client, demo, APPROVED_MEMBER)
    token = sign_in(client, "driver")
    for kind, data in (("arrived", {}), ("no-show", {"wait_minutes": "12", "reason": "no answer at the door"})):
        r = client.post(f"/driver/legs/{leg_key}/{kind}", data={"csrf_token": token, "day": day.isoformat(), **data},
                        follow_redirects=False)
        assert r.status_code == 303, r.text
    assert "No show." in client.get(f"/driver?day={day}").text
    # A closed leg takes no more events; the page says why.
    r = client.post(f"/driver/legs/{leg_key}/picked-up", data={"csrf_token": token, "day": day.isoformat()})
    assert r.status_code == 409 and "correction" in r.text
    # The provider administrator may read the log but not record it.
    token = sign_in(client, "provider")
    assert "no-show" in client.get(f"/provider/trip-logs/{leg_key}").text
    assert client.post(f"/driver/legs/{leg_key}/arrived", data={"csrf_token": token}).status_code == 403

    # A wheelchair member's leg cannot go on a sedan: the board shows the credential rule, the leg stays unassigned.
    member = _member(demo, "D100014")
    token = sign_in(client, "agent")
    r = _book(client, token, member.key, mode="wheelchair-van")
    page = client.get(r.headers["location"]).text
    assert 'id="outcome">approved' in page, page
    confirmation = re.search(r"Ride (CO-\d+)", page).group(1)
    with demo() as uow:
        leg = uow.session.scalar(select(Leg).join(Leg.trip).where(Leg.trip.has(confirmation=confirmation)))
        sedan = uow.session.scalar(select(Vehicle).where(Vehicle.vehicle_type == "sedan").order_by(Vehicle.id))
        leg_key, day, sedan_key = leg.key, leg.service_date, sedan.key
    token = sign_in(client, "dispatcher")
    r = client.post("/dispatch/assign", data={"csrf_token": token, "leg": leg_key, "vehicle": sedan_key,
                                              "day": day.isoformat()})
    assert r.status_code == 422 and "cannot assign" in r.text
    assert f"{confirmation}/1" in _section(r.text, "unassigned-h")


def test_facility_books_an_urgent_discharge(client, demo):
    member = _member(demo, "D100018")
    token = sign_in(client, "facility")
    # The facility has not booked for this member: it cannot open the member's record …
    assert client.get(f"/members/{member.key}").status_code == 404
    # … but finds the member by exact Medicaid ID on its urgent-ride page and books from there.
    found = client.post("/facility/urgent/find", data={"csrf_token": token, "medicaid_id": member.medicaid_id})
    assert found.status_code == 200 and member.last_name in found.text
    value = re.search(r'<option value="([^"]+)" selected>Denver Example Medical Center', found.text).group(1)
    day, time = _appointment(2)
    r = client.post("/facility/urgent/book", data={
        "csrf_token": token, "member": member.key, "kind": "one-way", "urgent_reason": "hospital-discharge",
        "direction": "from-appointment", "appointment_date": day, "appointment_time": time, "destination": value,
        "requested_mode": "taxi", "purpose": "medical"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    assert "Urgent ride booked" in page and "urgent" in page and "medical facility" in page
    _scan_urls(page, member)
