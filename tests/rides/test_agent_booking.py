"""The agent's call (issue 16, point 4), the booking side: another pick-up address typed on one line and placed
offline (an address that cannot be placed is refused naming ``pickup.address``, nothing written), a will-call return,
notes for the driver (on the vehicle's manifest), the member page's form and the confirmation step before a
cancellation. Both databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from nemt.services import dispatch
from nemt.store.models import Leg, Trip, Vehicle
from tests.conftest import actor_for
from tests.rides.conftest import local, ride
from tests.web.helpers import sign_in

PROBLEM = "application/problem+json"
NOTES = "Side door; gate code 4411"


def _trips(world) -> int:
    with world.uow() as uow:
        return uow.session.scalar(select(func.count(Trip.id))) or 0


def test_a_pickup_address_on_one_line_is_placed_offline(client, token_for, world):
    body = ride(world.members["plain"], world.providers["Denver"],
                pickup={"address": "1200 Elm St, Denver, CO 80226-1234"}, driver_notes=NOTES)
    r = client.post("/api/v1/rides", json=body, headers=token_for("agent"))
    assert r.status_code == 201, r.text
    trip = r.json()
    assert trip["pickup"] == {"address": "1200 Elm St, Denver, CO", "zip": "80226"}
    assert trip["legs"][0]["origin"] == trip["pickup"] and trip["driver_notes"] == NOTES
    assert trip["outcome"] == "approved"


@pytest.mark.parametrize(("address", "words"), [
    ("12 Nowhere Rd, Denver, CO 00000", "not a known ZIP code"),
    ("12 Nowhere Rd, Denver", "end it with its 5-digit ZIP code"),
    ("12 Main St, Hartford, CT 80203", "in another state"),
    ("Denver CO 80203", "house number and a street"),
])
def test_an_address_that_cannot_be_placed_is_refused_naming_the_field(client, token_for, world, address, words):
    before = _trips(world)
    body = ride(world.members["plain"], world.providers["Denver"], pickup={"address": address})
    r = client.post("/api/v1/rides", json=body, headers=token_for("agent"))
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM), r.text
    problem = r.json()
    assert problem["field"] == "pickup.address" and words in problem["detail"], problem
    assert "Nowhere" not in r.text and "Main St" not in r.text  # the address is never echoed
    assert _trips(world) == before


def test_a_will_call_return_has_no_set_time(client, token_for, world):
    headers = token_for("agent")
    body = ride(world.members["plain"], world.providers["Denver"], round_trip=True, return_will_call=True)
    r = client.post("/api/v1/rides", json=body, headers=headers)
    assert r.status_code == 201, r.text
    out, back = r.json()["legs"]
    assert (out["will_call"], back["will_call"]) == (False, True)
    # Until the member calls, the return is picked up no earlier than the appointment (dispatch's guess).
    assert back["pickup_earliest"] == local(7, 10).isoformat() and back["dropoff_latest"] is None
    # The appointment moves: so does the earliest return; it stays a will-call.
    moved = client.patch(f"/api/v1/rides/{r.json()['key']}", json={"appointment_at": local(7, 11).isoformat()},
                         headers=headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["legs"][1]["will_call"] is True
    assert moved.json()["legs"][1]["pickup_earliest"] == local(7, 11).isoformat()
    # With an expected time: the return is picked up no earlier than it.
    body = ride(world.members["plain"], world.providers["Denver"], appointment_at=local(8, 10).isoformat(),
                round_trip=True, return_will_call=True, return_pickup_at=local(8, 12).isoformat())
    r = client.post("/api/v1/rides", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["legs"][1]["pickup_earliest"] == local(8, 12).isoformat() and r.json()["legs"][1]["will_call"]


@pytest.mark.parametrize(("extra", "field"), [
    ({"return_will_call": True}, "return_will_call"),  # one-way
    ({"round_trip": True}, "return_pickup_at"),  # a round trip needs a time or a will-call
    ({"driver_notes": "x" * 501}, "driver_notes"),
])
def test_will_call_and_notes_refusals(client, token_for, world, extra, field):
    before = _trips(world)
    r = client.post("/api/v1/rides", json=ride(world.members["plain"], world.providers["Denver"], **extra),
                    headers=token_for("agent"))
    assert r.status_code == 422 and r.json()["field"] == field, r.text
    assert _trips(world) == before


def test_the_driver_notes_are_on_the_vehicles_manifest(client, token_for, world):
    r = client.post("/api/v1/rides", json=ride(world.members["plain"], world.providers["Denver"],
                                               driver_notes=NOTES), headers=token_for("agent"))
    leg_key = r.json()["legs"][0]["key"]
    day = local(7, 10).date()
    with world.uow() as uow:  # the leg on a vehicle, as dispatch would put it
        leg = uow.session.scalar(select(Leg).where(Leg.key == leg_key))
        vehicle = uow.session.scalar(select(Vehicle).order_by(Vehicle.id).limit(1))
        leg.vehicle_id, vehicle_key = vehicle.id, vehicle.key
        uow.commit()
    with world.uow() as uow:
        stops = dispatch.manifest(uow, actor_for(world.uow, "dispatcher"), vehicle_key, day).stops
    assert [(s.kind, s.notes) for s in stops if s.leg_key == leg_key] == [("pickup", NOTES), ("dropoff", NOTES)]


def _book_on_member_page(client, token, member_key, provider_key, **fields):
    day = local(9, 10)
    data = {"csrf_token": token, "on": "member", "appointment_date": day.date().isoformat(),
            "appointment_time": "10:00", "destination": f"{provider_key}|primary-care",
            "requested_mode": "mobility-ambulatory", "pickup": "home", **fields}
    return client.post(f"/members/{member_key}/book", data=data, follow_redirects=False)


def test_the_member_page_books_and_cancels_only_after_confirming(client, world):
    token = sign_in(client, "agent")
    member = world.members["plain"]
    page = client.get(f"/members/{member}").text
    assert 'id="book-form"' in page and "cannot use less costly modes of transportation" in page
    assert '<option value="mobility-ambulatory" selected>' in page  # the mode the certification supports
    tomorrow = (local(1, 0)).date().isoformat()
    assert f'name="appointment_date" type="date" value="{tomorrow}"' in page

    # An unknown address: the member page again, the field marked, what was typed kept.
    r = _book_on_member_page(client, token, member, world.providers["Denver"], driver_notes=NOTES,
                             pickup_address="12 Nowhere Rd, Denver, CO 00000")
    assert r.status_code == 422 and 'id="book-form"' in r.text and "not a known ZIP code" in r.text
    assert 'id="pickup_address" name="pickup_address" value="12 Nowhere Rd' in r.text and NOTES in r.text
    # A return time makes a round trip; a will-call with no time too.
    r = _book_on_member_page(client, token, member, world.providers["Denver"], will_call="yes",
                             driver_notes=NOTES)
    assert r.status_code == 303, r.text
    trip_url = r.headers["location"]
    trip_page = client.get(trip_url).text
    assert "round trip" in trip_page and "will call" in trip_page and NOTES in trip_page
    trip_key = trip_url.rsplit("/", 1)[1]
    assert trip_key in client.get(f"/members/{member}").text  # among the rides ahead

    # Cancelling: the confirmation page first (nothing cancelled), then the cancellation.
    confirm = client.post(f"{trip_url}/cancel/confirm", data={"csrf_token": token, "back": f"/members/{member}"})
    assert confirm.status_code == 200 and "Nothing is cancelled yet" in confirm.text
    assert f'action="{trip_url}/cancel"' in confirm.text
    assert "Cancel…" in client.get(trip_url).text  # still active
    done = client.post(f"{trip_url}/cancel", data={"csrf_token": token, "back": f"/members/{member}",
                                                   "reason": "member asked"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/members/{member}"
    with world.uow() as uow:
        assert uow.session.scalar(select(Trip.status).where(Trip.key == trip_key)) == "cancelled"


def test_a_standing_order_is_cancelled_after_its_confirmation_page(client, world):
    token = sign_in(client, "agent")
    start = local(1, 0).date()
    r = client.post(f"/members/{world.members['plain']}/standing-order", data={
        "csrf_token": token, "weekdays": ["mon", "wed", "fri"], "appointment_time": "09:30",
        "start_date": start.isoformat(), "end_date": (start + dt.timedelta(days=13)).isoformat(),
        "destination": f"{world.providers['Denver']}|primary-care", "requested_mode": "mobility-ambulatory"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    order_url = r.headers["location"]
    assert f'action="{order_url}/cancel/confirm"' in client.get(order_url).text
    confirm = client.post(f"{order_url}/cancel/confirm", data={"csrf_token": token})
    assert confirm.status_code == 200 and "Cancel the standing order?" in confirm.text
    assert confirm.text.count("<tr><td>CO-") == 6  # the six rides ahead, listed
    assert "Cancelled" not in client.get(order_url).text
    done = client.post(f"{order_url}/cancel", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and "Cancelled" in client.get(order_url).text
