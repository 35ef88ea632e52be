"""Pending rides and certifications (issue 16, point 3): a standing order's trips and an urgent discharge wait for the
medical professional's written certification; recording it (API, page, command) decides them again, releases them
to dispatch, notifies the member and is audited; the worklist lists what waits for the agent's program."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading

import pytest
from sqlalchemy import select

from nemt import clock
from nemt.store.models import AuditEvent, Leg, Member, MemberNeed, Notice, Trip
from tests.conftest import nemt_cli
from tests.rides.conftest import DENVER, local, ride
from tests.web.helpers import sign_in

CERTIFICATION = {"statements": ["cannot-use-less-costly-modes"], "certified_by": "Dr. Ada Example, MD (demo)"}


def _today() -> dt.date:
    return clock.now().astimezone(DENVER).date()


def _order(world, member: str) -> dict:
    start = _today() + dt.timedelta(days=1)
    return {"member": world.members[member],
            "destination": {"provider": world.providers["Denver"], "service": "dialysis"},
            "requested_mode": "mobility-ambulatory", "round_trip": True, "weekdays": ["mon", "wed", "fri"],
            "appointment_time": "07:00", "return_pickup_time": "11:00", "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=27)).isoformat()}


def test_a_certification_releases_a_standing_orders_pending_trips(client, token_for, world):
    headers = token_for("agent")
    order = client.post("/api/v1/standing-orders", json=_order(world, "noneeds"), headers=headers).json()
    trips = order["rides"]
    assert len(trips) >= 11 and {t["outcome"] for t in trips} == {"pending"}
    pending = client.get("/api/v1/pending-rides", headers=headers).json()
    waiting = {p["ride"]: p for p in pending}
    assert {t["key"] for t in trips} <= set(waiting)
    first = waiting[trips[0]["key"]]
    assert first["standing_order"] == order["key"] and "cannot use less costly modes" in first["waiting_for"][0]

    # A signature date in the future is refused, naming the field; nothing changes.
    future = (_today() + dt.timedelta(days=2)).isoformat()
    r = client.post(f"/api/v1/members/{world.members['noneeds']}/certifications",
                    json={**CERTIFICATION, "certified_on": future}, headers=headers)
    assert r.status_code == 422 and "certified_on" in r.text
    bad = client.post(f"/api/v1/members/{world.members['noneeds']}/certifications",
                      json={**CERTIFICATION, "statements": ["not-a-need"], "certified_on": _today().isoformat()},
                      headers=headers)
    assert bad.status_code == 422

    r = client.post(f"/api/v1/members/{world.members['noneeds']}/certifications",
                    json={**CERTIFICATION, "certified_on": _today().isoformat()}, headers=headers)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["released"] == len(trips) and {x["outcome"] for x in out["rides"]} == {"approved"}
    assert {x["before"] for x in out["rides"]} == {"pending"} and all(x["notice"] for x in out["rides"])
    assert not [p for p in client.get("/api/v1/pending-rides", headers=headers).json()
                if p["member"] == world.members["noneeds"]]
    with world.uow() as uow:
        legs = uow.session.scalars(select(Leg).join(Trip).where(Trip.key.in_([t["key"] for t in trips]))).all()
        assert {leg.status for leg in legs} == {"scheduled"}  # released to dispatch
        notice = uow.session.scalar(select(Notice).where(Notice.key == out["rides"][0]["notice"]))
        assert notice.kind == "approved" and "Dr. Ada Example" in notice.appeal
        events = uow.session.scalars(select(AuditEvent).where(AuditEvent.entity == "certification")).all()
        assert len(events) == 1 and "Zzyzxlast" not in json.dumps(events[0].detail)
        # The member's record has the statement, who signed it and when.
        [need] = uow.session.scalars(select(MemberNeed).join(Member).where(
            Member.key == world.members["noneeds"])).all()
        assert (need.need, need.certified_by, need.certified_on) == (
            "cannot-use-less-costly-modes", CERTIFICATION["certified_by"], _today())


def test_an_urgent_discharge_waits_for_the_wheelchair_certification(client, token_for, world):
    headers = token_for("agent")
    body = ride(world.members["plain"], world.providers["Denver"], requested_mode="wheelchair-van",
                appointment_at=local(1, 14).isoformat(), urgent_reason="hospital-discharge",
                direction="from-appointment")
    trip = client.post("/api/v1/rides", json=body, headers=headers).json()
    # "plain" has the basic statement only: a wheelchair van is stepped down to a mobility/ambulatory vehicle.
    assert trip["outcome"] == "approved" and trip["mode"] == "mobility-ambulatory"
    body = ride(world.members["noneeds"], world.providers["Denver"], requested_mode="wheelchair-van",
                appointment_at=local(1, 15).isoformat(), urgent_reason="hospital-discharge",
                direction="from-appointment")
    trip = client.post("/api/v1/rides", json=body, headers=headers).json()
    assert trip["outcome"] == "pending"
    # Without any statement on file nothing on the ladder is supported: the discharge waits. Both statements arrive.
    r = client.post(f"/api/v1/members/{world.members['noneeds']}/certifications",
                    json={"statements": ["cannot-use-less-costly-modes", "wheelchair-confined"],
                          "certified_by": "Dr. Example (demo)", "certified_on": _today().isoformat()}, headers=headers)
    assert r.status_code == 201, r.text
    [decided] = [x for x in r.json()["rides"] if x["ride"] == trip["key"]]
    assert decided["outcome"] == "approved" and decided["mode"] == "wheelchair-van"
    again = client.get(f"/api/v1/rides/{trip['key']}", headers=headers).json()
    assert again["legs"][0]["status"] == "scheduled" and "urgent" in again["reason_codes"]
    assert again["arranged_by_reason"]


def test_who_may_record_and_read_the_worklist(client, token_for, world):
    body = {**CERTIFICATION, "certified_on": _today().isoformat()}
    for user in ("provider", "driver", "facility", "auditor"):
        r = client.post(f"/api/v1/members/{world.members['noneeds']}/certifications", json=body,
                        headers=token_for(user))
        assert r.status_code == 403, (user, r.text)
    assert client.get("/api/v1/pending-rides", headers=token_for("provider")).status_code == 403
    # Connecticut's agent neither sees nor certifies a Colorado member.
    r = client.post(f"/api/v1/members/{world.members['noneeds']}/certifications", json=body,
                    headers=token_for("ct-agent"))
    assert r.status_code == 404


def test_the_pages_list_and_record(client, token_for, world):
    headers = token_for("agent")
    trip = client.post("/api/v1/rides", json=ride(world.members["noneeds"], world.providers["Denver"]),
                       headers=headers).json()
    assert trip["outcome"] == "pending"
    csrf = sign_in(client, "agent")
    page = client.get("/pending")
    assert page.status_code == 200 and trip["confirmation"] in page.text
    assert "cannot use less costly modes" in page.text and "certification-required" not in page.text
    form = client.get(f"/members/{world.members['noneeds']}/certify")
    assert form.status_code == 200 and trip["confirmation"] in form.text
    empty = client.post(f"/members/{world.members['noneeds']}/certify",
                        data={"csrf_token": csrf, "certified_by": "Dr. Example", "certified_on": _today().isoformat()})
    assert empty.status_code == 422 and "statements" in empty.text
    done = client.post(f"/members/{world.members['noneeds']}/certify",
                       data={"csrf_token": csrf, "statements": "cannot-use-less-costly-modes",
                             "certified_by": "Dr. Example", "certified_on": _today().isoformat()})
    assert done.status_code == 200 and "1 ride(s) released" in done.text, done.text[-2000:]
    assert trip["confirmation"] not in client.get("/pending").text


def _nemt(db, *args: str) -> subprocess.CompletedProcess:
    return nemt_cli(db, *args)  # in this process: the command's clock is the test's


def test_the_command_lists_and_records(client, token_for, world, db):
    headers = token_for("agent")
    trip = client.post("/api/v1/rides", json=ride(world.members["noneeds"], world.providers["Denver"]),
                       headers=headers).json()
    listed = _nemt(db, "rides", "pending", "--program", "CO")
    assert listed.returncode == 0, listed.stderr
    assert trip["key"] in {p["ride"] for p in json.loads(listed.stdout)}
    bad = _nemt(db, "rides", "certify", world.members["noneeds"], "--statement", "flying", "--by", "Dr. Example",
                "--on", _today().isoformat())
    assert bad.returncode == 2 and "statements" in bad.stderr and bad.stdout == ""
    done = _nemt(db, "rides", "certify", world.members["noneeds"], "--statement", "cannot-use-less-costly-modes",
                 "--by", "Dr. Example", "--on", _today().isoformat())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["released"] == 1


def test_two_agents_recording_the_same_certification_at_once(client, token_for, world):
    """PostgreSQL: one statement row; each caller is answered (recorded, or a conflict naming the field), never an
    error; the waiting ride is decided again once and released."""
    from nemt.services import rides
    from nemt.services.platform.auth import actor_of
    from nemt.services.platform.errors import Conflict

    with world.uow() as uow:
        if uow.dialect == "sqlite":
            pytest.skip("races are tested on PostgreSQL")
        agents = [actor_of(uow.users.by_username(name)) for name in ("agent", "dispatcher")]
    trip = client.post("/api/v1/rides", json=ride(world.members["noneeds"], world.providers["Denver"]),
                       headers=token_for("agent")).json()
    command = rides.CertificationIn(statements=["cannot-use-less-costly-modes"], certified_by="Dr. Example",
                                    certified_on=_today())
    barrier = threading.Barrier(2)
    answers: list[object] = []

    def record(actor):
        barrier.wait(timeout=10)
        try:
            with world.uow() as uow:
                answers.append(len(rides.record_certification(uow, actor, world.members["noneeds"], command,
                                                              clock.now()).released))
        except Conflict as exc:
            answers.append(exc.field)
        except Exception as exc:  # noqa: BLE001 - reported below
            answers.append(exc)

    threads = [threading.Thread(target=record, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(map(str, answers)) in (["0", "1"], ["1", "statements"]), answers
    with world.uow() as uow:
        needs = uow.session.scalars(select(MemberNeed).join(Member).where(
            Member.key == world.members["noneeds"])).all()
        assert len(needs) == 1
        released = uow.session.scalar(select(Trip).where(Trip.key == trip["key"]))
        assert released.outcome == "approved"
        assert uow.session.scalars(select(Notice).where(Notice.trip_id == released.id,
                                                        Notice.kind == "approved")).all()
