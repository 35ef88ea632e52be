"""Booking through the API: one-way and round trip, idempotent retries, bad input as problem+json, opaque keys."""

from __future__ import annotations

import json

import pytest

from tests.rides.conftest import local, ride

PROBLEM = "application/problem+json"


def test_book_one_way(client, token_for, world):
    headers = token_for("agent")
    r = client.post("/api/v1/rides", json=ride(world.members["plain"], world.providers["Denver"]), headers=headers)
    assert r.status_code == 201, r.text
    trip = r.json()
    assert trip["outcome"] == "approved" and trip["mode"] == "mobility-ambulatory"
    assert trip["arranged_by"] == "sde"  # Denver is a broker county
    assert trip["confirmation"].startswith("CO-") and len(trip["confirmation"]) == 9
    assert trip["round_trip"] is False and [leg["sequence"] for leg in trip["legs"]] == [1]
    leg = trip["legs"][0]
    assert leg["status"] == "scheduled" and leg["destination"]["zip"] == "80204" and leg["origin"]["zip"] == "80203"
    assert leg["dropoff_latest"] == local(7, 10).isoformat() and leg["pickup_earliest"] is None
    assert trip["notices"] == [] and trip["created"] is True
    assert 0 < trip["miles"] < 25
    # Read back by key
    again = client.get(f"/api/v1/rides/{trip['key']}", headers=headers).json()
    assert again["confirmation"] == trip["confirmation"] and again["legs"] == trip["legs"]


def test_book_round_trip_has_two_legs(client, token_for, world):
    headers = token_for("agent")
    body = ride(world.members["wheel"], world.providers["Denver"], requested_mode="wheelchair-van",
                round_trip=True, return_pickup_at=local(7, 13, 30).isoformat())
    r = client.post("/api/v1/rides", json=body, headers=headers)
    assert r.status_code == 201, r.text
    trip = r.json()
    assert trip["outcome"] == "approved" and trip["mode"] == "wheelchair-van" and trip["space"] == "wheelchair"
    out, back = trip["legs"]
    assert (out["sequence"], back["sequence"]) == (1, 2)
    assert out["origin"] == back["destination"] and out["destination"] == back["origin"]
    assert out["dropoff_latest"] == local(7, 10).isoformat()
    assert back["pickup_earliest"] == local(7, 13, 30).isoformat() and back["dropoff_latest"] is None
    # Two bookings get two different confirmation numbers from the never-repeating counter.
    other = client.post("/api/v1/rides", json=ride(world.members["plain"], world.providers["Denver"]),
                        headers=headers).json()
    assert other["confirmation"] != trip["confirmation"]


def test_same_request_twice_makes_one_trip(client, token_for, world):
    headers = token_for("agent")
    body = ride(world.members["plain"], world.providers["Denver"])
    first = client.post("/api/v1/rides", json=body, headers=headers)
    second = client.post("/api/v1/rides", json=body, headers=token_for("dispatcher"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["key"] == first.json()["key"]
    assert second.json()["confirmation"] == first.json()["confirmation"] and second.json()["created"] is False
    listed = client.get(f"/api/v1/members/{world.members['plain']}/rides", headers=headers).json()
    assert len(listed) == 1


def test_idempotency_key_header(client, token_for, world):
    headers = {**token_for("agent"), "Idempotency-Key": "call-7781-a"}
    body = ride(world.members["plain"], world.providers["Denver"])
    first = client.post("/api/v1/rides", json=body, headers=headers)
    retry = client.post("/api/v1/rides", json=body, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["confirmation"] == first.json()["confirmation"]
    # The same key for a different request is refused, not silently answered with the first ride.
    other = dict(body, appointment_at=local(8, 9).isoformat())
    clash = client.post("/api/v1/rides", json=other, headers=headers)
    assert clash.status_code == 409 and clash.json()["field"] == "Idempotency-Key"
    # Without the header the other appointment is a new ride.
    plain = {k: v for k, v in headers.items() if k != "Idempotency-Key"}
    assert client.post("/api/v1/rides", json=other, headers=plain).status_code == 201


def _bad_inputs(world):
    m, denver = world.members["plain"], world.providers["Denver"]
    free = {"name": "Example Clinic", "address": "200 Sample Ave", "zip": "80204", "service": "primary-care",
            "provider_enrolled": True}
    return [
        ("unknown member key", ride("no-such-member-key-000000", denver), 404, "member"),
        ("Medicaid ID format", ride(m, denver, medicaid_id="12345"), 422, "medicaid_id"),
        ("Medicaid ID of another member", ride(m, denver, medicaid_id="R900002"), 422, "medicaid_id"),
        ("appointment in the past", ride(m, denver, appointment_at=local(-1, 10).isoformat()), 422, "appointment_at"),
        ("appointment without offset", ride(m, denver, appointment_at="2030-01-01T10:00:00"), 422, "appointment_at"),
        ("unknown ZIP", ride(m, denver, destination={**free, "zip": "00000"}), 422, "destination.zip"),
        ("malformed ZIP", ride(m, denver, pickup={"address": "1 Elm St", "zip": "80x03"}), 422, "pickup.zip"),
        ("pickup equals destination", ride(m, denver, destination=free,
                                           pickup={"address": "200  sample ave", "zip": "80204"}), 422, "destination"),
        ("return before appointment", ride(m, denver, round_trip=True, return_pickup_at=local(7, 9).isoformat()),
         422, "return_pickup_at"),
        ("round trip without return time", ride(m, denver, round_trip=True), 422, "return_pickup_at"),
        ("mode outside vocabulary", ride(m, denver, requested_mode="hoverboard"), 422, "requested_mode"),
        ("unknown provider", ride(m, "no-such-provider"), 404, "destination.provider"),
        ("service the provider does not offer", ride(m, denver, destination={"provider": denver,
                                                                             "service": "oncology"}),
         422, "destination.service"),
        ("free address without enrolment answer", ride(m, denver, destination={**free, "provider_enrolled": None}),
         422, "destination.provider_enrolled"),
        ("unknown field", ride(m, denver, colour="blue"), 422, "colour"),
        ("missed pick-up without its time", ride(m, denver, urgent_reason="missed-pickup-over-1-hour"),
         422, "missed_pickup_scheduled_at"),
    ]


def test_bad_input_is_problem_json_naming_the_field_and_nothing_is_written(client, token_for, world):
    headers = token_for("agent")
    for label, body, status, field in _bad_inputs(world):
        r = client.post("/api/v1/rides", json=body, headers=headers)
        assert r.status_code == status, (label, r.text)
        assert r.headers["content-type"].startswith(PROBLEM), label
        problem = r.json()
        assert problem["field"] == field, (label, problem)
        assert problem.get("rule"), label
        # No member data in the answer.
        assert "R900001" not in r.text and "Zzyzxlast" not in r.text, label
    with world.uow() as uow:
        from sqlalchemy import func, select

        from nemt.store.models import Leg, Notice, Trip

        assert uow.session.scalar(select(func.count(Trip.id))) == 0
        assert uow.session.scalar(select(func.count(Leg.id))) == 0
        assert uow.session.scalar(select(func.count(Notice.id))) == 0


def test_keys_are_opaque_and_member_data_stays_out_of_urls_and_audit(client, token_for, world):
    headers = token_for("agent")
    body = ride(world.members["plain"], world.providers["Denver"], medicaid_id="R900001")
    trip = client.post("/api/v1/rides", json=body, headers=headers).json()
    for value in (trip["key"], trip["member"], trip["confirmation"], *[leg["key"] for leg in trip["legs"]]):
        assert "R900001" not in value and "Zzyzxlast" not in value and "1970" not in value
    assert len(trip["key"]) >= 20
    spec = client.get("/openapi.json").json()
    ride_paths = [p for p in spec["paths"] if "ride" in p or "notice" in p or "standing" in p]
    assert len(ride_paths) >= 7
    for path in ride_paths:
        for method, op in spec["paths"][path].items():
            assert "Roles:" in op["summary"], (path, method)
            for param in op.get("parameters", []):
                assert param["name"] in ("key", "date", "Idempotency-Key"), (path, param["name"])
    with world.uow() as uow:
        from sqlalchemy import select

        from nemt.store.models import AuditEvent

        events = list(uow.session.scalars(select(AuditEvent).where(AuditEvent.entity == "trip")))
        assert events and all(e.member_id is not None for e in events)
        text = json.dumps([e.detail for e in events])
        assert "R900001" not in text and "Zzyzxlast" not in text and "Example St" not in text


@pytest.mark.parametrize("user", ["driver", "provider", "auditor"])
def test_roles_that_may_not_book(client, token_for, world, user):
    r = client.post("/api/v1/rides", json=ride(world.members["plain"], world.providers["Denver"]),
                    headers=token_for(user))
    assert r.status_code == 403 and r.json()["rule"] == "role-based access"
