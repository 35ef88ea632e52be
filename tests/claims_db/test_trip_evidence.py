"""Verified trips and plausibility at entry (issue 15, items 1 and 2) on both databases: the issue's 0-minute,
18-mile log is refused with its rule; a log that fails a review rule is stored but held, and the claims build skips
it saying why; positions, odometer readings and attestations are stored append-only with their events, and listed
for the claim that bills the leg."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import select, text

from nemt.services import claims, trips
from nemt.services.platform.errors import InvalidInput
from nemt.store.evidence_models import MemberTripPin, TripAttestation, TripEventEvidence
from nemt.store.models import Leg, Member, TripLogEvent
from tests.claims_db.conftest import BILLING_PROFILE, DAY, TODAY, at

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()
POINT_80205 = {"latitude": 39.7596, "longitude": -104.9682}  # near the ZIP's centroid (the leg's origin)


def _plan(world, key: str, *, miles: float = 18, destination_zip: str = "80401", pickup: dt.datetime | None = None):
    """Give a test leg its plan: shortest-route miles, a destination ZIP, a planned pick-up."""
    with world.uow() as uow:
        leg = uow.session.scalar(select(Leg).where(Leg.key == key))
        leg.miles, leg.destination_zip, leg.planned_pickup = miles, destination_zip, pickup
        uow.commit()


def _record(world, key, kind, data=None, when=None, **extra):
    with world.uow() as uow:
        return trips.record_event(uow, world.actor("driver"), key, kind, data or {}, when, **extra)


def _build(world):
    admin = world.actor("provider")
    with world.uow() as uow:
        claims.set_billing_profile(uow, admin, None, **BILLING_PROFILE)
    with world.uow() as uow:
        return claims.build_claims_for_provider(uow, admin, None, (DAY, DAY), today=TODAY)


def test_the_issue_case_is_refused_with_the_rule_and_never_billed(world):
    """Arrival, pick-up and drop-off of an 18-mile ride within the same minute, 38 minutes before the planned
    pick-up: the pick-up is held for review (early), the drop-off refused (no time aboard); nothing is billed."""
    key = world.make_leg(0)
    _plan(world, key, pickup=at(9, 0))
    _record(world, key, "arrived", when=at(8, 22))
    picked = _record(world, key, "picked-up", {"identity_verified": True}, at(8, 22))
    assert [h["rule"] for h in picked.holds] == ["early-pickup"]
    assert "23 minutes before the pick-up window opens" in picked.holds[0]["message"]  # 9:00 less a 15-minute window
    assert picked.holds[0]["action"] == "held for review"
    with pytest.raises(InvalidInput) as exc:
        _record(world, key, "dropped-off", {"loaded_miles": 18, "trip_confirmed_by": "member"}, at(8, 22))
    assert exc.value.rule.startswith("loaded-minutes — ") and "aboard 0 minutes" in exc.value.message
    assert world.leg_status(key) != "completed"
    assert _build(world).claims == []


def test_a_log_stored_without_the_rules_is_held_at_claim_build(world):
    """A leg completed before the rules existed (events written directly): the build skips it and names the rule."""
    key, good = world.make_leg(0), world.make_leg(1)
    _plan(world, key)
    with world.uow() as uow:
        leg = uow.session.scalar(select(Leg).where(Leg.key == key))
        uow.session.add_all([
            TripLogEvent(leg_id=leg.id, kind="picked-up", at=at(8, 22), data={"identity_verified": True}),
            TripLogEvent(leg_id=leg.id, kind="dropped-off", at=at(8, 22),
                         data={"loaded_miles": 18, "trip_confirmed_by": "member"})])
        leg.status = "completed"
        uow.commit()
    _record(world, good, "arrived", when=at(11, 0))
    _record(world, good, "picked-up", {"identity_verified": True}, at(11, 5))
    _record(world, good, "dropped-off", {"loaded_miles": 3, "trip_confirmed_by": "member"}, at(11, 30))
    result = _build(world)
    assert {h["rule"] for h in result.legs_held if h["leg_key"] == key} == {"loaded-minutes"}
    assert not any(h["leg_key"] == good for h in result.legs_held)
    assert len(result.claims) == 1 and result.as_dict()["legs_held"]


def test_padded_miles_are_held_for_review_with_the_reason(world):
    key = world.make_leg(0)
    _plan(world, key, miles=4, destination_zip="80218")
    _record(world, key, "arrived", when=at(8, 0), evidence={"odometer": 1000})
    _record(world, key, "picked-up", {"identity_verified": True}, at(8, 5), evidence={"odometer": 1000})
    done = _record(world, key, "dropped-off", {"loaded_miles": 30, "trip_confirmed_by": "member"}, at(8, 40),
                   evidence={"odometer": 1004.5})
    assert {h["rule"] for h in done.holds} == {"loaded-miles", "odometer-miles"}
    assert world.leg_status(key) == "completed"  # stored, but held
    result = _build(world)
    assert result.claims == [] and {h["rule"] for h in result.legs_held} == {"loaded-miles", "odometer-miles"}


def test_evidence_is_stored_append_only_with_each_event(world, db):
    key = world.make_leg(0)
    _record(world, key, "arrived", when=at(8, 0), evidence={"position_status": "refused"})
    _record(world, key, "picked-up", {"identity_verified": True}, at(8, 5),
            evidence={**POINT_80205, "accuracy_m": 12, "position_at": "2026-03-02T08:05:10-07:00", "odometer": 500})
    _record(world, key, "dropped-off", {"loaded_miles": 3}, at(8, 30), evidence={"position_status": "unavailable"},
            attestation={"by": "member", "signature_png": "data:image/png;base64," + PNG})
    with world.uow() as uow:
        view = trips.leg_log(uow, world.actor("provider"), key)
    kinds = [(e["kind"], e["position_status"]) for e in view.evidence["events"]]
    assert kinds == [("arrived", "refused"), ("picked-up", "recorded"), ("dropped-off", "unavailable")]
    assert view.evidence["events"][1]["odometer"] == 500 and view.evidence["attested"]
    assert view.log.trip_confirmed_by == "member" and view.evidence["attestations"][0]["method"] == "signature"
    with world.uow() as uow:
        stored = uow.session.scalar(select(TripAttestation))
        assert stored.signature_png.startswith(b"\x89PNG")
    for table in ("trip_event_evidence", "trip_attestations"):
        with db.begin() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text(f"UPDATE {table} SET leg_id = leg_id"))
        with db.begin() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text(f"DELETE FROM {table}"))


def test_bad_evidence_is_refused_naming_the_field(world):
    key = world.make_leg(0)
    for evidence, attestation, field in [
        ({"latitude": 95, "longitude": 0}, None, "evidence.latitude"),
        ({"position_status": "maybe"}, None, "evidence.position_status"),
        ({"odometer": "lots"}, None, "evidence.odometer"),
    ]:
        with pytest.raises(InvalidInput) as exc:
            _record(world, key, "arrived", when=at(8, 0), evidence=evidence, attestation=attestation)
        assert exc.value.field == field
    _record(world, key, "arrived", when=at(8, 0))
    with pytest.raises(InvalidInput) as exc:
        _record(world, key, "picked-up", {"identity_verified": True}, at(8, 5),
                attestation={"by": "member", "signature_png": base64.b64encode(b"GIF89a").decode()})
    assert exc.value.field == "attestation.signature_png"


def test_the_members_pin_attests_the_trip_and_wrong_tries_are_kept(world):
    key = world.make_leg(0)
    with world.uow() as uow:
        member_key = uow.session.scalar(select(Member.key).where(Member.id == world.member_ids[0]))
    with world.uow() as uow:
        pin = trips.issue_pin(uow, world.actor("agent"), member_key)
    assert len(pin) == 6 and pin.isdigit()
    with world.uow() as uow:
        stored = uow.session.scalar(select(MemberTripPin.pin_hash))
        assert stored.startswith("$argon2id$") and stored.split("$")[-1] != pin  # a hash, not the PIN
    _record(world, key, "arrived", when=at(8, 0))
    wrong = "0000000" if pin != "0000000" else "1111111"
    with pytest.raises(InvalidInput) as exc:
        _record(world, key, "picked-up", {"identity_verified": True}, at(8, 5),
                attestation={"by": "member", "pin": wrong})
    assert exc.value.field == "attestation.pin"
    done = _record(world, key, "picked-up", {"identity_verified": True}, at(8, 5),
                   attestation={"by": "member", "pin": pin})
    assert done.log.picked_up_at is not None
    with world.uow() as uow:
        rows = [(a.method, a.pin_ok) for a in uow.session.scalars(select(TripAttestation).order_by(TripAttestation.id))]
    assert rows == [("pin", False), ("pin", True)]


def test_claim_evidence_lists_the_legs_of_a_claim(world):
    key = world.make_leg(0)
    _record(world, key, "arrived", when=at(8, 0), evidence=POINT_80205)
    _record(world, key, "picked-up", {"identity_verified": True}, at(8, 5), evidence=POINT_80205)
    _record(world, key, "dropped-off", {"loaded_miles": 3}, at(8, 30),
            attestation={"by": "escort", "signature_png": PNG})
    [claim] = _build(world).claims
    with world.uow() as uow:
        attached = trips.claim_evidence(uow, world.actor("provider"), claim["claim_number"])
    [leg] = attached["legs"]
    assert leg["leg_key"] == key and leg["attestations"][0]["signature_png"] == PNG
    assert [e["position_status"] for e in leg["events"]] == ["recorded", "recorded"]
    with world.uow() as uow:
        assert uow.session.scalar(select(TripEventEvidence.latitude).limit(1)) == POINT_80205["latitude"]


def test_the_api_takes_evidence_refuses_the_issue_case_and_attaches_evidence_to_claims(world, client, token_for):
    driver, provider, agent = token_for("driver"), token_for("provider"), token_for("agent")
    key = world.make_leg(0)
    _plan(world, key, pickup=at(9, 0))
    url = f"/api/v1/trip-log/legs/{key}/events"
    with world.uow() as uow:
        member_key = uow.session.scalar(select(Member.key).where(Member.id == world.member_ids[0]))
    assert client.post(f"/api/v1/members/{member_key}/trip-pin", headers=driver).status_code == 403
    r = client.post(f"/api/v1/members/{member_key}/trip-pin", headers=agent)
    assert r.status_code == 201
    pin = r.json()["pin"]
    r = client.post(url, headers=driver, json={"kind": "arrived", "at": at(8, 22).isoformat(),
                                               "evidence": {**POINT_80205, "odometer": 100}})
    assert r.status_code == 201 and r.json()["holds"] == []
    r = client.post(url, headers=driver, json={"kind": "picked-up", "at": at(8, 22).isoformat(),
                                               "data": {"identity_verified": True},
                                               "evidence": {"position_status": "refused", "odometer": 100}})
    assert r.status_code == 201 and [h["rule"] for h in r.json()["holds"]] == ["early-pickup"]
    r = client.post(url, headers=driver, json={"kind": "dropped-off", "at": at(8, 22).isoformat(),
                                               "data": {"loaded_miles": 18}, "attestation": {"pin": pin}})
    assert r.status_code == 422
    problem = r.json()
    assert problem["rule"].startswith("loaded-minutes") and pin not in r.text
    # Corrected: the pick-up was at 8:50 (in the window); the drop-off 25 minutes later is plausible and attested.
    first = client.get(f"/api/v1/trip-log/legs/{key}", headers=driver).json()
    picked = next(e["id"] for e in first["events"] if e["kind"] == "picked-up")
    r = client.post(url, headers=driver, json={"kind": "correction", "data": {
        "supersedes": picked, "fields": {"at": at(8, 50).isoformat()}, "reason": "logged late"}})
    assert r.status_code == 201 and r.json()["holds"] == []
    r = client.post(url, headers=driver, json={"kind": "dropped-off", "at": at(9, 15).isoformat(),
                                               "data": {"loaded_miles": 18}, "attestation": {"pin": pin},
                                               "evidence": {"odometer": 118.5}})
    assert r.status_code == 201, r.text
    assert r.json()["log"]["trip_confirmed_by"] == "member" and r.json()["evidence"] is None
    read = client.get(f"/api/v1/trip-log/legs/{key}", headers=provider).json()
    assert read["evidence"]["attested"] and [e["odometer"] for e in read["evidence"]["events"]] == [100, 100, 118.5]
    [claim] = _build(world).claims
    attached = client.get(f"/api/v1/claims/{claim['claim_number']}/evidence", headers=provider).json()
    assert attached["legs"][0]["leg_key"] == key
    assert attached["legs"][0]["attestations"] == [
        {**attached["legs"][0]["attestations"][0], "method": "pin", "pin_ok": True, "by": "member"}]
    assert client.get("/api/v1/claims/CL404/evidence", headers=provider).status_code == 404


def test_a_pin_issued_before_argon2id_still_attests():
    """PINs issued before PINs were hashed with argon2id were stored as ``scrypt$<salt>$<hash>``: they keep working."""
    import hashlib

    from nemt.services.trips.evidence import _pin_matches

    salt = bytes(range(16))
    stored = f"scrypt${salt.hex()}${hashlib.scrypt(b'246810', salt=salt, n=2**14, r=8, p=1, dklen=32).hex()}"
    assert _pin_matches(stored, "246810") and not _pin_matches(stored, "246811")
    assert not _pin_matches("scrypt$zz$00", "246810")  # not a hash: no match, no error
