"""The whole chain through the API, on both databases: an agent books a ride, the dispatcher schedules it and puts
it on the demo driver's vehicle, the driver logs the trip, the provider bills it (a pyx12-valid 837P), the auditor
sees it in the audit trail — and no member's name, ID, birth date or address appears in any log line or URL."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from sqlalchemy import select

from nemt import clock
from nemt.billing.x12_validate import validate_x12
from nemt.store.models import Member, Vehicle

DENVER = ZoneInfo("America/Denver")
PROFILE = {"address_line": "1 Example Way", "city": "Denver", "state": "CO", "zip": "80204", "tax_id": "840000001",
           "submitter_id": "SUBMIT01", "submitter_name": "Mile High Mobility", "contact_name": "Billing Desk",
           "phone": "3035550100"}


def test_book_schedule_drive_bill_audit(client, demo, token_for, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    agent, dispatcher, driver = token_for("agent"), token_for("dispatcher"), token_for("driver")
    provider, auditor = token_for("provider"), token_for("auditor")
    with demo() as uow:
        member = uow.session.scalar(select(Member).where(Member.county == "Denver", Member.program == "CO")
                                    .order_by(Member.id))
        member_key, identifiers = member.key, {member.medicaid_id, member.last_name + ", " + member.first_name,
                                               member.birth_date.isoformat(), member.address_line}
        vehicle_key = uow.session.scalar(select(Vehicle).where(Vehicle.external_id == "MI-01")).key
    day = clock.now().astimezone(DENVER).date() + dt.timedelta(days=1)
    appointment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=DENVER)
    dest = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=agent)  # a read, audited
    assert dest.status_code == 200

    # 1. The agent books a round trip (the mode the rules allow: public transit needs no certification).
    from nemt.store.models import MedicalProvider

    with demo() as uow:
        clinic = uow.session.scalar(select(MedicalProvider).where(MedicalProvider.zip == "80204")).key
    body = {"member": member_key, "destination": {"provider": clinic, "service": "primary-care"},
            "requested_mode": "mobility-ambulatory", "round_trip": True, "appointment_at": appointment.isoformat(),
            "return_pickup_at": (appointment + dt.timedelta(hours=1)).isoformat()}
    with demo() as uow:  # the chain needs a vehicle ride: give the member the written certification
        from nemt.store.models import MemberNeed

        m = uow.session.scalar(select(Member).where(Member.key == member_key))
        if "cannot-use-less-costly-modes" not in m.documented_needs:
            m.needs.append(MemberNeed(need="cannot-use-less-costly-modes", certified_by="test"))
        uow.commit()
    booked = client.post("/api/v1/rides", json=body, headers=agent)
    assert booked.status_code == 201, booked.text
    ride = booked.json()
    ride_key = ride["key"]
    assert ride["outcome"] == "approved" and ride["mode"] == "mobility-ambulatory"

    # 2. The dispatcher schedules the day, then puts both legs on the demo driver's vehicle.
    r = client.post("/api/v1/dispatch/schedule", json={"program": "CO", "date": day.isoformat(), "time_limit": 2},
                    headers=dispatcher)
    assert r.status_code == 200 and r.json()["verified"], r.text
    legs = client.get(f"/api/v1/rides/{ride_key}", headers=dispatcher).json()["legs"]
    for leg in legs:
        r = client.post(f"/api/v1/legs/{leg['key']}/assign", json={"vehicle": vehicle_key}, headers=dispatcher)
        assert r.status_code == 200, r.text
    manifest = client.get(f"/api/v1/vehicles/{vehicle_key}/manifest", params={"date": day.isoformat()},
                          headers=driver)
    assert manifest.status_code == 200
    assert {s["leg_key"] for s in manifest.json()["stops"]} >= {leg["key"] for leg in legs}

    # 3. The driver logs both legs, on the ride's day (an event time is not in the future: the clock moves there).
    ahead = dt.datetime.combine(day, dt.time(12, 0), tzinfo=DENVER) - clock.now()
    monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + ahead)
    for leg, start in zip(legs, (dt.time(9, 20), dt.time(11, 5)), strict=True):
        t0 = dt.datetime.combine(day, start, tzinfo=DENVER)
        for kind, at, data in (("arrived", t0, {}), ("picked-up", t0 + dt.timedelta(minutes=3),
                                                     {"identity_verified": True}),
                               ("dropped-off", t0 + dt.timedelta(minutes=30),
                                {"loaded_miles": 4, "trip_confirmed_by": "member"})):
            r = client.post(f"/api/v1/trip-log/legs/{leg['key']}/events", headers=driver,
                            json={"kind": kind, "at": at.isoformat(), "data": data})
            assert r.status_code == 201, r.text
    monkeypatch.undo()

    # 4. The provider bills the day and exports a pyx12-valid 837P.
    assert client.put("/api/v1/claims/billing-profile", headers=provider, json=PROFILE).status_code == 200
    built = client.post("/api/v1/claims/build", headers=provider, json={"from": day.isoformat(),
                                                                        "to": day.isoformat()})
    assert built.status_code == 200, built.text
    claims = built.json()["claims"]
    assert len(claims) == 1
    claim = client.get(f"/api/v1/claims/{claims[0]['claim_number']}", headers=auditor).json()
    lines = {(line["hcpcs"], tuple(line["modifiers"]), line["units"]) for line in claim["lines"]}
    assert ("A0120", ("TK",), 1) in lines and ("A0425", (), 4) in lines  # first leg
    assert ("A0120", ("TK", "76"), 1) in lines  # the return trip the same day, same provider
    again = client.post("/api/v1/claims/build", headers=provider, json={"from": day.isoformat(),
                                                                        "to": day.isoformat()})
    assert again.json()["claims"] == []  # a leg is billed once
    export = client.post("/api/v1/claims/export", headers=provider, json={"format": "837p"})
    assert export.status_code == 200
    ok, problems = validate_x12(export.text)
    assert ok, problems

    # 5. The auditor sees the chain in the audit trail.
    trail = client.get("/api/v1/audit", headers=auditor, params={"limit": 1000}).json()
    assert {"agent", "dispatcher", "driver"} <= {e["username"] for e in trail}

    # No member data in any log line (request lines carry URLs: opaque keys only).
    leaked = sorted(i for i in identifiers if i and i in caplog.text)
    assert leaked == []
