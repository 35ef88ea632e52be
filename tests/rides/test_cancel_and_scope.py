"""Cancelling a ride or one leg frees its place in the schedule; who sees which rides."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nemt.store.models import Driver, Leg, TransportProvider, Vehicle, VehicleRun
from tests.rides.conftest import local, ride


def _assign(world, leg_key: str, other_leg_key: str) -> int:
    """What dispatch does: a vehicle, a driver, planned times, and a run whose plan lists the legs' stops."""
    with world.uow() as uow:
        leg = uow.session.scalar(select(Leg).where(Leg.key == leg_key))
        provider = uow.session.scalar(select(TransportProvider).order_by(TransportProvider.id))
        vehicle = uow.session.scalar(select(Vehicle).where(Vehicle.provider_id == provider.id).order_by(Vehicle.id))
        driver = uow.session.scalar(select(Driver).where(Driver.provider_id == provider.id).order_by(Driver.id))
        at = leg.dropoff_latest
        leg.provider_id, leg.vehicle_id, leg.driver_id, leg.status = provider.id, vehicle.id, driver.id, "assigned"
        leg.planned_pickup, leg.planned_dropoff, leg.run_position = at - dt.timedelta(minutes=30), at, 1
        stops = [{"leg": k, "kind": kind, "at": at.isoformat()} for k in (leg_key, other_leg_key)
                 for kind in ("pickup", "dropoff")]
        run = VehicleRun(vehicle_id=vehicle.id, service_date=leg.service_date, driver_id=driver.id,
                         plan={"stops": stops})
        uow.session.add(run)
        uow.commit()
        return run.version


def test_cancel_one_leg_frees_its_place_then_the_whole_ride(client, token_for, world):
    headers = token_for("agent")
    trip = client.post("/api/v1/rides", headers=headers, json=ride(
        world.members["plain"], world.providers["Denver"], round_trip=True,
        return_pickup_at=local(7, 12).isoformat())).json()
    other = client.post("/api/v1/rides", headers=headers, json=ride(world.members["wheel"],
                                                                    world.providers["Denver"])).json()
    out_leg = trip["legs"][0]["key"]
    version = _assign(world, out_leg, other["legs"][0]["key"])
    assigned = client.get(f"/api/v1/rides/{trip['key']}", headers=headers).json()["legs"][0]
    assert assigned["vehicle"] and assigned["planned_pickup"] and assigned["status"] == "assigned"

    r = client.post(f"/api/v1/rides/{trip['key']}/cancel", json={"leg": 1, "reason": "member has a ride"},
                    headers=headers)
    assert r.status_code == 200, r.text
    after = r.json()
    out, back = after["legs"]
    assert out["status"] == "cancelled" and out["vehicle"] is None and out["driver"] is None
    assert out["planned_pickup"] is None and out["planned_dropoff"] is None
    assert back["status"] == "scheduled" and after["status"] == "active"
    with world.uow() as uow:
        run = uow.session.scalar(select(VehicleRun))
        assert {s["leg"] for s in run.plan["stops"]} == {other["legs"][0]["key"]}  # the other ride keeps its place
        assert run.version >= version + 1  # released; then re-timed by dispatch's repair (another bump)
        assert uow.session.scalar(select(Leg).where(Leg.key == out_leg)).run_position is None
    # Cancelling the remaining leg cancels the ride; cancelling again changes nothing.
    done = client.post(f"/api/v1/rides/{trip['key']}/cancel", json={"leg": back["key"]}, headers=headers).json()
    assert done["status"] == "cancelled" and {leg["status"] for leg in done["legs"]} == {"cancelled"}
    again = client.post(f"/api/v1/rides/{trip['key']}/cancel", headers=headers)
    assert again.status_code == 200 and again.json()["status"] == "cancelled"
    # A cancelled ride cannot be changed; an unknown leg is named.
    r = client.patch(f"/api/v1/rides/{trip['key']}", json={"requested_mode": "taxi"}, headers=headers)
    assert r.status_code == 409 and r.json()["field"] == "ride"
    r = client.post(f"/api/v1/rides/{other['key']}/cancel", json={"leg": 3}, headers=headers)
    assert r.status_code == 404 and r.json()["field"] == "leg"


def test_who_sees_which_rides(client, token_for, world):
    agent = token_for("agent")
    trip = client.post("/api/v1/rides", json=ride(world.members["plain"], world.providers["Denver"]),
                       headers=agent).json()
    key, day = trip["key"], trip["service_date"]
    # Broker and Department see the program's rides.
    for user in ("agent", "dispatcher", "auditor", "admin"):
        h = token_for(user)
        assert client.get(f"/api/v1/rides/{key}", headers=h).status_code == 200, user
        assert [t["key"] for t in client.get(f"/api/v1/rides?date={day}", headers=h).json()] == [key], user
    # Another program's agent, a provider without a leg of it, a facility that did not book it: as if unknown.
    for user in ("ct-agent", "provider", "driver", "facility"):
        h = token_for(user)
        assert client.get(f"/api/v1/rides/{key}", headers=h).status_code == 404, user
        assert client.get(f"/api/v1/rides?date={day}", headers=h).json() == [], user
    assert client.get(f"/api/v1/members/{world.members['plain']}/rides", headers=token_for("ct-agent")).status_code \
        == 404
    # The CT agent cannot book a Colorado member; the facility cannot cancel the agent's ride.
    r = client.post("/api/v1/rides", json=ride(world.members["plain"], world.providers["Denver"],
                                               appointment_at=local(9, 10).isoformat()), headers=token_for("ct-agent"))
    assert r.status_code == 404 and r.json()["field"] == "member"
    assert client.post(f"/api/v1/rides/{key}/cancel", headers=token_for("facility")).status_code == 404
    # Notices: not for providers.
    denied = client.post("/api/v1/rides", json=ride(world.members["lapsed"], world.providers["Denver"]),
                         headers=agent).json()
    assert client.get(f"/api/v1/notices/{denied['notice']}", headers=token_for("provider")).status_code == 403
    assert client.get(f"/api/v1/notices/{denied['notice']}", headers=token_for("ct-agent")).status_code == 404
    assert client.get(f"/api/v1/notices/{denied['notice']}", headers=token_for("auditor")).status_code == 200
    # Once the provider has a leg of the ride, it sees the ride and its member (the trip link); its driver sees it
    # only when driving it.
    with world.uow() as uow:
        provider = uow.session.scalar(select(TransportProvider).order_by(TransportProvider.id))
        uow.session.scalar(select(Leg).where(Leg.key == trip["legs"][0]["key"])).provider_id = provider.id
        uow.commit()
    provider_h = token_for("provider")
    assert client.get(f"/api/v1/rides/{key}", headers=provider_h).status_code == 200
    assert client.get(f"/api/v1/members/{world.members['plain']}", headers=provider_h).status_code == 200
    assert client.get(f"/api/v1/rides/{key}", headers=token_for("driver")).status_code == 404
    # Nor does the driver read the member's record: the company's other drivers' members are not theirs.
    assert client.get(f"/api/v1/members/{world.members['plain']}", headers=token_for("driver")).status_code == 404
    assert client.get(f"/api/v1/members/{world.members['wheel']}", headers=provider_h).status_code == 404
