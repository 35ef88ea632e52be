"""The integrity edits at claim build, on both databases: each hit is on the claim with its rule in words and its
citation; a holding edit puts the claim in review, a shown-only one leaves it ready."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nemt.services import claims as claims_service
from nemt.store.models import Claim
from tests.claims_db.conftest import DAY, complete

TODAY = DAY + dt.timedelta(days=5)


def _build(world):
    with world.uow() as uow:
        return claims_service.build_claims_for_provider(uow, world.actor("provider"), None, (DAY, DAY), today=TODAY)


def test_a_shared_ride_billed_under_two_ids_holds_the_second_claim_with_the_rule(world):
    first, second = world.make_leg(0), world.make_leg(1)  # one vehicle, one driver, one clinic, the same minutes
    complete(world, first, miles=10, start=8)
    complete(world, second, miles=10, start=8)
    result = _build(world)
    by_status = {c["status"] for c in result.claims}
    assert len(result.claims) == 2 and by_status == {"ready", "review"}

    with world.uow() as uow:
        rows = list(uow.session.scalars(select(Claim).order_by(Claim.id)))
        edits = {(e["code"], e["ref"]): (row.status, e) for row in rows for e in row.edits}
    twice = [key for key in (first, second) if ("shared-ride-billed-twice", key) in edits]
    assert len(twice) == 1  # one of the two riders' mileage is billable, the other's is not
    status, edit = edits[("shared-ride-billed-twice", twice[0])]
    assert status == "review"
    assert "only one may be" in edit["message"] and edit["citation"].endswith("Exclusions")
    # legs without positions or attestations are shown, not held (the Standard Trip Log asks for no positions)
    kept = first if twice[0] == second else second
    status, edit = edits[("unverified-leg", kept)]
    assert status == "ready" and edit["message"] == "no position or attestation was recorded for the leg"
    assert edit["citation"].endswith("Standard Forms Required")


def test_an_impossible_log_is_held_and_a_plausible_one_is_not(world):
    fast, fine = world.make_leg(0), world.make_leg(1)
    complete(world, fast, miles=60, start=8)  # 60 miles in 35 minutes: over 100 mph
    complete(world, fine, miles=10, start=10)
    result = _build(world)
    with world.uow() as uow:
        rows = {row.lines[0].leg_id: row for row in uow.session.scalars(select(Claim))}
        keys = uow.claims.leg_keys(rows)
        status = {keys[leg_id]: (row.status, {e["code"] for e in row.edits}) for leg_id, row in rows.items()}
    assert len(result.claims) == 2
    assert status[fast][0] == "review" and "impossible-times" in status[fast][1]
    assert status[fine] == ("ready", {"unverified-leg"})
