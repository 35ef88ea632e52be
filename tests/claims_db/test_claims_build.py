"""Claims built from the trip logs on the database: the same claims and edits as `nemt bill`, once per leg (also
with two builders racing), timely filing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from nemt.cli.billing import run_bill
from nemt.domain.integrity.edits import RULES as INTEGRITY_RULES
from nemt.services import claims as claims_service
from nemt.services.platform.errors import Forbidden
from nemt.store.models import BilledLeg, Claim, ClaimLine, Member
from tests.claims_db.conftest import CLINIC, DAY, HOME, complete, fast_complete
from tests.racing import failures, race

TODAY = DAY + dt.timedelta(days=5)


def _claims_in_db(world) -> list[dict]:
    with world.uow() as uow:
        rows = list(uow.session.scalars(select(Claim).order_by(Claim.id)))
        return [claims_service.claim_view(uow, r) for r in rows]


def _canonical(claims: list[dict], *, id_key: str) -> list:
    out = []
    for c in claims:
        lines = sorted((ln["hcpcs"], tuple(ln["modifiers"]), ln["units"],
                        ln.get("service_date") or ln.get("from_date"), ln["charge"]) for ln in c["lines"])
        out.append((c[id_key], c["place_of_service"], c["diagnosis"], tuple(lines)))
    return sorted(out)


def test_claims_from_logged_legs_match_nemt_bill(world):
    out = world.make_leg(0)
    back = world.make_leg(0, sequence=2, trip=world.trip_of(out), origin=CLINIC, destination=HOME)
    far = world.make_leg(1)
    waited = world.make_leg(2)
    empty = world.make_leg(3)
    complete(world, out, miles=10, start=8)
    complete(world, back, miles=10, start=12)
    complete(world, far, miles=60, start=9)
    complete(world, waited, miles=4, start=10, dropoff={"wait_minutes": 15})
    complete(world, empty, miles=5, start=11, pickup={"member_in_vehicle": False})

    with world.uow() as uow:
        result = claims_service.build_claims_for_provider(uow, world.actor("provider"), None, (DAY, DAY),
                                                          today=TODAY)
    assert result.legs_considered == 5 and len(result.claims) == 3

    # The same legs as a `nemt bill` document, written independently from the values recorded above.
    with world.uow() as uow:
        members = {m.id: {"medicaid_id": m.medicaid_id, "name": f"{m.first_name} {m.last_name}",
                          "birth_date": m.birth_date.isoformat(), "at_risk_adult": m.at_risk_adult}
                   for m in uow.session.scalars(select(Member).where(Member.id.in_(world.member_ids[:4])))}

    def leg_json(key, member_index, start, miles, *, reverse=False, **extra):
        pickup, dropoff = (CLINIC, HOME) if reverse else (HOME, CLINIC)
        return {"leg_id": key, "member": members[world.member_ids[member_index]],
                "date_of_service": DAY.isoformat(), "rendering_provider_npi": world.provider_npi,
                "mode": "wheelchair-van", "service_level": None, "vehicle_id": "x", "driver": "x",
                "pickup": {"address": pickup, "time": f"{start:02d}:05"},
                "dropoff": {"address": dropoff, "time": f"{start:02d}:40"}, "loaded_miles": miles,
                "status": "completed", "member_in_vehicle": extra.get("member_in_vehicle", True), "escorts": [],
                "additional_passengers": [], "shared_ride_group": None, "identity_verified": True,
                "trip_confirmed_by": "member", "attachment_25mi": False, "wait_minutes": extra.get("wait", 0)}

    document = {"program": "CO", "provider": {"npi": world.provider_npi, "name": "x", "provider_type": "73",
                                              "specialty": "326"},
                "legs": [leg_json(out, 0, 8, 10), leg_json(back, 0, 12, 10, reverse=True), leg_json(far, 1, 9, 60),
                         leg_json(waited, 2, 10, 4, wait=15), leg_json(empty, 3, 11, 5, member_in_vehicle=False)],
                "ancillary": []}
    expected = run_bill(json.dumps(document))

    stored = _claims_in_db(world)
    assert _canonical(stored, id_key="billing_medicaid_id") == _canonical(expected["claims"], id_key="member_id")
    # The integrity edits (issue 15) are the database build's own: `nemt bill` has no other legs to compare with.
    stored_edits = {(e["code"], e["ref"]) for c in stored for e in c["edits"] if e["code"] not in INTEGRITY_RULES}
    stored_edits |= {(e["code"], e["ref"]) for e in result.edits if e["code"] not in INTEGRITY_RULES}
    assert stored_edits == {(e["code"], e["ref"]) for e in expected["edits"]}
    assert ("A0130", ("76",)) in {(ln["hcpcs"], tuple(ln["modifiers"])) for c in stored for ln in c["lines"]}
    # The 52-unit review holds the long trip's claim; the others are ready.
    status = {next(ln["leg_key"] for ln in c["lines"]): c["status"] for c in stored}
    assert status[far] == "review" and status[out] == "ready" and status[waited] == "ready"
    assert all(c["claim_number"].startswith("CL") for c in stored)
    assert len({c["claim_number"] for c in stored}) == 3


def test_building_twice_bills_nothing_twice(world):
    keys = [world.make_leg(i) for i in range(3)]
    fast_complete(world, keys)
    provider = world.actor("provider")
    with world.uow() as uow:
        first = claims_service.build_claims_for_provider(uow, provider, None, (DAY, DAY), today=TODAY)
    with world.uow() as uow:
        second = claims_service.build_claims_for_provider(uow, provider, None, (DAY, DAY), today=TODAY)
    assert len(first.claims) == 3 and second.claims == [] and second.legs_already_billed == 3
    # A leg completed later is billed by the next build, alone.
    late = world.make_leg(4)
    fast_complete(world, [late])
    with world.uow() as uow:
        third = claims_service.build_claims_for_provider(uow, provider, None, (DAY, DAY), today=TODAY)
    assert len(third.claims) == 1
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(BilledLeg)) == 4


def test_two_builders_racing_bill_each_leg_once(world):
    keys = [world.make_leg(i % 20, sequence=1) for i in range(20)]
    fast_complete(world, keys)
    provider = world.actor("provider")

    def build():
        with world.uow() as uow:
            return claims_service.build_claims_for_provider(uow, provider, None, (DAY, DAY), today=TODAY)

    results = race(build, build)
    assert not failures(results), results
    with world.uow() as uow:
        billed = uow.session.scalar(select(func.count()).select_from(BilledLeg))
        lines_per_leg = list(uow.session.execute(
            select(ClaimLine.leg_id, func.count()).where(ClaimLine.hcpcs == "A0130").group_by(ClaimLine.leg_id)))
    assert billed == 20
    assert len(lines_per_leg) == 20 and all(count == 1 for _, count in lines_per_leg)
    assert sum(len(r.claims) for r in results) == 20  # every claim was written by exactly one builder
    assert sum(len(r.legs_taken_by_other_builder) for r in results) + sum(r.legs_already_billed
                                                                            for r in results) >= 20


def test_timely_filing_limit_gives_an_edit(world):
    old_day = dt.date(2025, 1, 6)
    old, recent = world.make_leg(0, day=old_day), world.make_leg(1)
    complete(world, old, day=old_day)
    complete(world, recent)
    with world.uow() as uow:
        result = claims_service.build_claims_for_provider(uow, world.actor("provider"), world.provider_npi,
                                                          (old_day, DAY), today=dt.date(2026, 3, 2))
    by_leg = {}
    for c in _claims_in_db(world):
        by_leg[c["lines"][0]["leg_key"]] = c
    old_edits = [e for e in by_leg[old]["edits"] if e["code"] == "timely-filing-limit-passed"]
    assert old_edits and "365 days" in old_edits[0]["message"] and "Timely Filing" in old_edits[0]["citation"]
    assert by_leg[old]["status"] == "review"
    assert by_leg[recent]["status"] == "ready"
    assert [e for e in by_leg[recent]["edits"] if e["code"] not in INTEGRITY_RULES] == []
    assert len(result.claims) == 2


def test_only_the_organizations_provider_admin_builds(world):
    with world.uow() as uow, pytest.raises(Forbidden):
        claims_service.build_claims_for_provider(uow, world.actor("auditor"), world.provider_npi, (DAY, DAY))
    with world.uow() as uow, pytest.raises(Forbidden):
        claims_service.build_claims_for_provider(uow, world.actor("driver"), world.provider_npi, (DAY, DAY))
