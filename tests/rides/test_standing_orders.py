"""Standing orders: one decided trip per occurrence; cancelling cancels the future ones."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from nemt import clock
from nemt.services import rides
from nemt.services.platform.auth import actor_of
from nemt.store.models import Trip
from tests.rides.conftest import DENVER


def _next_monday() -> dt.date:
    today = clock.now().astimezone(DENVER).date()
    return today + dt.timedelta(days=7 - today.weekday())


def test_dialysis_mon_wed_fri_for_three_months(client, token_for, world):
    start = _next_monday()
    end = start + dt.timedelta(days=91)
    signed = start - dt.timedelta(days=30)
    body = {
        "member": world.members["plain"],
        # Oncology: none within 25 miles of Denver, so the far provider is allowed; the 25-mile form then matters.
        "destination": {"provider": world.providers["Fort Collins"], "service": "oncology"},
        "requested_mode": "mobility-ambulatory", "round_trip": True,
        "weekdays": ["mon", "wed", "fri"], "appointment_time": "06:30", "return_pickup_time": "11:00",
        "start_date": start.isoformat(), "end_date": end.isoformat(),
        "verification_form_25mi_signed_on": signed.isoformat(),
    }
    headers = token_for("agent")
    r = client.post("/api/v1/standing-orders", json=body, headers=headers)
    assert r.status_code == 201, r.text
    order = r.json()
    # A transportation provider without a leg of the order, and its driver, do not read it (nor the home address).
    for user in ("provider", "driver"):
        assert client.get(f"/api/v1/standing-orders/{order['key']}", headers=token_for(user)).status_code == 404
    expected = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)
                if (start + dt.timedelta(days=i)).weekday() in (0, 2, 4)]
    rides = order["rides"]
    assert len(rides) == len(expected) == 40
    assert [dt.datetime.fromisoformat(x["appointment_at"]).date() for x in rides] == expected
    assert {dt.datetime.fromisoformat(x["appointment_at"]).astimezone(DENVER).time() for x in rides} \
        == {dt.time(6, 30)}
    assert all(x["standing_order"] == order["key"] and len(x["legs"]) == 2 for x in rides)
    assert len({x["confirmation"] for x in rides}) == len(rides)
    assert all(x["outcome"] == "approved" for x in rides)
    # Each occurrence is decided as a recurring appointment: the form covers the days up to 90 after signing.
    for x in rides:
        day = dt.date.fromisoformat(x["service_date"])
        code = "verification-form-on-file" if (day - signed).days <= 90 else "verification-form-required"
        assert code in x["reason_codes"], (day, x["reason_codes"])
    assert any("verification-form-required" in x["reason_codes"] for x in rides)
    # Sent again (a retry): the same order, no new trips.
    again = client.post("/api/v1/standing-orders", json=body, headers=headers)
    assert again.status_code == 200 and again.json()["key"] == order["key"]
    assert len(again.json()["rides"]) == len(rides)
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count(Trip.id))) == len(rides)


def test_cancelling_a_standing_order_cancels_its_future_trips(world):
    with world.uow() as uow:
        agent = actor_of(uow.users.by_username("agent"))
    start = _next_monday()
    order_in = rides.StandingOrderIn(
        member=world.members["plain"], destination={"provider": world.providers["Denver"], "service": "dialysis"},
        requested_mode="mobility-ambulatory", weekdays=["tue", "thu"], appointment_time=dt.time(7, 0),
        start_date=start, end_date=start + dt.timedelta(days=27))
    now = clock.now()
    with world.uow() as uow:
        created = rides.create_standing_order(uow, agent, order_in, now)
    assert len(created.trips) == 8 and all(t.created for t in created.trips)
    # Cancel two weeks later: the trips already past stay as they were.
    later = dt.datetime.combine(start + dt.timedelta(days=14), dt.time(12), tzinfo=DENVER)
    with world.uow() as uow:
        result = rides.cancel_standing_order(uow, agent, created.order.key, later, reason="treatment ended")
    assert result.cancelled_trips == 4 and result.order.cancelled_at is not None
    with world.uow() as uow:
        trips = list(uow.session.scalars(select(Trip).order_by(Trip.appointment_at)))
        assert [t.status for t in trips] == ["active"] * 4 + ["cancelled"] * 4
        assert all(leg.status == "cancelled" for t in trips[4:] for leg in t.legs)
        assert all(leg.status == "scheduled" for t in trips[:4] for leg in t.legs)


def test_standing_order_bad_input(client, token_for, world):
    headers = token_for("agent")
    start = _next_monday()
    base = {"member": world.members["plain"], "requested_mode": "mobility-ambulatory",
            "destination": {"provider": world.providers["Denver"], "service": "dialysis"},
            "weekdays": ["mon"], "appointment_time": "06:30", "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=30)).isoformat()}
    cases = [
        ({"end_date": (start - dt.timedelta(days=1)).isoformat()}, "end_date"),
        ({"weekdays": ["funday"]}, "weekdays[0]"),
        ({"weekdays": []}, "weekdays"),
        ({"round_trip": True}, "return_pickup_time"),
        ({"round_trip": True, "return_pickup_time": "06:00"}, "return_pickup_time"),
        ({"start_date": "2020-01-01", "end_date": "2020-02-01"}, "start_date"),
        ({"member": "unknown-member-key"}, "member"),
    ]
    for change, field in cases:
        r = client.post("/api/v1/standing-orders", json={**base, **change}, headers=headers)
        assert r.status_code in (404, 422) and r.json()["field"] == field, (change, r.text)
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count(Trip.id))) == 0
