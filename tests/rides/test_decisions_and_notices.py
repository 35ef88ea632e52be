"""Decisions on booked rides: denial and pending notices with citations, change re-decides, facility urgent rides."""

from __future__ import annotations

from tests.rides.conftest import local, ride


def test_denial_writes_a_notice_with_reasons_citations_and_appeal(client, token_for, world):
    headers = token_for("agent")
    r = client.post("/api/v1/rides", json=ride(world.members["lapsed"], world.providers["Denver"]), headers=headers)
    assert r.status_code == 201, r.text
    trip = r.json()
    assert trip["outcome"] == "denied" and trip["mode"] is None
    assert "member-not-eligible" in trip["reason_codes"]
    assert all(leg["status"] == "denied" for leg in trip["legs"])
    assert trip["notice"] and trip["notices"] == [trip["notice"]]
    notice = client.get(f"/api/v1/notices/{trip['notice']}", headers=headers)
    assert notice.status_code == 200, notice.text
    n = notice.json()
    assert n["kind"] == "denied" and n["trip"] == trip["key"] and n["confirmation"] == trip["confirmation"]
    [reason] = [x for x in n["reasons"] if x["code"] == "member-not-eligible"]
    assert reason["citation"] == "Health First Colorado NEMT Billing Manual — Member Eligibility"
    assert "coverage" in reason["message"]
    assert "appeal" in n["appeal"] and "NEMT Administration" in n["appeal"]  # the policy's [notices] table
    # The notice names no member data; only the member's key.
    assert n["member"] == world.members["lapsed"] and "Zzyzxlast" not in notice.text


def test_denial_for_a_provider_beyond_the_radius_when_a_closer_one_accepts(client, token_for, world):
    """25 Mile or Longer Trips: Denver home -> Colorado Springs dialysis while Denver and Aurora offer dialysis."""
    headers = token_for("agent")
    body = ride(world.members["plain"], world.providers["Colorado Springs"],
                destination={"provider": world.providers["Colorado Springs"], "service": "dialysis"})
    trip = client.post("/api/v1/rides", json=body, headers=headers).json()
    assert trip["outcome"] == "denied" and "not-closest-provider" in trip["reason_codes"], trip["reason_codes"]
    assert trip["miles"] > 25
    # When the closest provider refuses the member, the exception holds and the ride is approved.
    body["destination"] = {**body["destination"], "closest_provider_accepts_member": False}
    body["appointment_at"] = local(9, 10).isoformat()
    trip = client.post("/api/v1/rides", json=body, headers=headers).json()
    assert trip["outcome"] == "approved" and "closest-provider-exception" in trip["reason_codes"]


def test_pending_ride_writes_a_pending_notice(client, token_for, world):
    headers = token_for("agent")
    trip = client.post("/api/v1/rides", json=ride(world.members["noneeds"], world.providers["Denver"]),
                       headers=headers).json()
    assert trip["outcome"] == "pending" and trip["mode"] == "mobility-ambulatory"
    assert "certification-required" in trip["reason_codes"]
    assert [leg["status"] for leg in trip["legs"]] == ["pending"]
    n = client.get(f"/api/v1/notices/{trip['notice']}", headers=headers).json()
    assert n["kind"] == "pending" and [x["code"] for x in n["reasons"]] == ["certification-required"]
    assert n["reasons"][0]["citation"].startswith("Health First Colorado NEMT Billing Manual — ")
    # The same member, appointment and destination again is the same ride, whatever the mode: change it instead.
    again = client.post("/api/v1/rides", json=ride(world.members["noneeds"], world.providers["Denver"],
                                                   requested_mode="public-transit"), headers=headers)
    assert again.status_code == 200 and again.json()["key"] == trip["key"]
    # Public transit needs no certification: approved, no notice.
    ok = client.patch(f"/api/v1/rides/{trip['key']}", json={"requested_mode": "public-transit"},
                      headers=headers).json()
    assert ok["outcome"] == "approved" and ok["notice"] is None and ok["legs"][0]["status"] == "scheduled"


def test_change_re_decides_and_moves_the_legs(client, token_for, world):
    headers = token_for("agent")
    body = ride(world.members["plain"], world.providers["Denver"], round_trip=True,
                return_pickup_at=local(7, 12).isoformat())
    trip = client.post("/api/v1/rides", json=body, headers=headers).json()
    assert trip["outcome"] == "approved"
    # New time: both legs move (the return keeps its two hours after the appointment).
    r = client.patch(f"/api/v1/rides/{trip['key']}", json={"appointment_at": local(8, 9).isoformat()},
                     headers=headers)
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["key"] == trip["key"] and moved["confirmation"] == trip["confirmation"]
    assert moved["legs"][0]["dropoff_latest"] == local(8, 9).isoformat()
    assert moved["legs"][1]["pickup_earliest"] == local(8, 11).isoformat()
    assert moved["service_date"] == local(8, 9).date().isoformat()
    # New destination beyond the radius: decided again -> denied, with a notice.
    far = {"provider": world.providers["Colorado Springs"], "service": "dialysis"}
    denied = client.patch(f"/api/v1/rides/{trip['key']}", json={"destination": far}, headers=headers).json()
    assert denied["outcome"] == "denied" and "not-closest-provider" in denied["reason_codes"]
    assert denied["notice"] and all(leg["status"] == "denied" for leg in denied["legs"])
    assert denied["legs"][0]["destination"]["zip"] == "80909"
    # New mode outside the vocabulary: refused, nothing changed.
    bad = client.patch(f"/api/v1/rides/{trip['key']}", json={"requested_mode": "rocket"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "requested_mode"
    # A return before the appointment is refused.
    bad = client.patch(f"/api/v1/rides/{trip['key']}", json={"return_pickup_at": local(8, 8).isoformat()},
                       headers=headers)
    assert bad.status_code == 422 and bad.json()["field"] == "return_pickup_at"
    # Back to Denver and to a wheelchair van the member is not certified for: approved one rung lower.
    back = client.patch(f"/api/v1/rides/{trip['key']}", headers=headers, json={
        "destination": {"provider": world.providers["Denver"], "service": "primary-care"},
        "requested_mode": "wheelchair-van"}).json()
    assert back["outcome"] == "approved" and back["mode"] == "mobility-ambulatory"
    assert "mode-downgraded" in back["reason_codes"] and back["requested_mode"] == "wheelchair-van"
    assert all(leg["status"] == "scheduled" for leg in back["legs"])


def test_facility_urgent_ride_goes_to_a_credentialed_provider(client, token_for, world):
    """Urgent NEMT: from 2019-01-01 a medical facility schedules urgent trips directly with a provider."""
    facility = token_for("facility")
    member = world.members["plain"]
    body = ride(member, world.providers["Denver"], urgent_reason="hospital-discharge", direction="from-appointment",
                appointment_at=local(1, 9, 30).isoformat(),
                destination={"provider": world.providers["Denver"], "service": "hospital"})
    # The provider cannot see the member before it has a trip with them.
    assert client.get(f"/api/v1/members/{member}", headers=token_for("provider")).status_code == 404
    r = client.post("/api/v1/rides", json=body, headers=facility)
    assert r.status_code == 201, r.text
    trip = r.json()
    assert trip["arranged_by"] == "medical-facility" and trip["requested_by"] == "medical-facility"
    assert trip["urgent"] is True and trip["outcome"] == "approved"
    [leg] = trip["legs"]
    # From the hospital back home, picked up at the given time.
    assert leg["origin"]["zip"] == "80204" and leg["destination"]["zip"] == "80203"
    assert leg["pickup_earliest"] == local(1, 9, 30).isoformat()
    # Mile High Mobility serves Denver with mobility vehicles and credentialed drivers.
    assert leg["provider"]["name"] == "Mile High Mobility (demo)"
    provider = token_for("provider")
    assert client.get(f"/api/v1/rides/{trip['key']}", headers=provider).status_code == 200
    assert client.get(f"/api/v1/members/{member}", headers=provider).status_code == 200
    day = leg["service_date"]
    assert [t["key"] for t in client.get(f"/api/v1/rides?date={day}", headers=provider).json()] == [trip["key"]]
    # The other Denver provider does not see it; a ride booked by the agent is not the facility's.
    agent_trip = client.post("/api/v1/rides", json=ride(member, world.providers["Denver"]),
                             headers=token_for("agent")).json()
    assert agent_trip["arranged_by"] == "sde" and agent_trip["legs"][0]["provider"] is None
    assert client.get(f"/api/v1/rides/{agent_trip['key']}", headers=facility).status_code == 404
    assert client.get(f"/api/v1/rides/{agent_trip['key']}", headers=provider).status_code == 404
    mine = client.get(f"/api/v1/members/{member}/rides", headers=facility).json()
    assert [t["key"] for t in mine] == [trip["key"]]
    # The broker's agent may change the facility's ride; it stays the facility's urgent ride.
    changed = client.patch(f"/api/v1/rides/{trip['key']}", json={"appointment_at": local(1, 11).isoformat()},
                           headers=token_for("agent"))
    assert changed.status_code == 200, changed.text
    assert changed.json()["requested_by"] == "medical-facility" and changed.json()["arranged_by"] == "medical-facility"
    assert changed.json()["legs"][0]["provider"]["name"] == "Mile High Mobility (demo)"
    # A facility cannot pose as the member.
    bad = client.post("/api/v1/rides", json={**body, "requested_by": "member"}, headers=facility)
    assert bad.status_code == 422 and bad.json()["field"] == "requested_by"


def test_facility_urgent_ride_without_a_provider_is_refused_and_nothing_written(client, token_for, world):
    body = ride(world.members["moffat"], world.providers["Denver"], urgent_reason="critical-unplanned",
                appointment_at=local(1, 9).isoformat())
    r = client.post("/api/v1/rides", json=body, headers=token_for("facility"))
    assert r.status_code == 409 and r.json()["field"] == "requested_mode"
    assert r.json()["rule"] == "Health First Colorado NEMT Billing Manual — Urgent NEMT"
    with world.uow() as uow:
        from sqlalchemy import func, select

        from nemt.store.models import Trip

        assert uow.session.scalar(select(func.count(Trip.id))) == 0
    # Booked by the broker's agent instead: Moffat is outside the broker counties, so a provider arranges it.
    r = client.post("/api/v1/rides", json=body, headers=token_for("agent"))
    assert r.status_code == 201 and r.json()["arranged_by"] == "provider" and r.json()["urgent"] is True


def test_connecticut_ride_follows_the_connecticut_notice(client, token_for, world):
    headers = token_for("ct-agent")
    free = {"name": "Hartford Example Clinic", "address": "5 Sample Rd", "zip": "06106", "service": "primary-care",
            "provider_enrolled": True}
    soon = client.post("/api/v1/rides", headers=headers, json={
        "member": world.members["ct"], "destination": free, "requested_mode": "taxi",
        "appointment_at": local(1, 10).isoformat()}).json()
    assert soon["program"] == "CT" and soon["outcome"] == "denied"
    assert "insufficient-notice" in soon["reason_codes"] and soon["confirmation"].startswith("CT-")
    assert soon["reasons"][0]["citation"].startswith("Connecticut DSS NEMT notice — ")
    later = client.post("/api/v1/rides", headers=headers, json={
        "member": world.members["ct"], "destination": free, "requested_mode": "taxi",
        "appointment_at": local(10, 10).isoformat()}).json()
    assert later["outcome"] == "approved" and later["mode"] == "taxi" and later["arranged_by"] == "Veyo"
    # The Colorado agent does not see Connecticut rides.
    assert client.get(f"/api/v1/rides/{later['key']}", headers=token_for("agent")).status_code == 404
