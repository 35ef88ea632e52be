"""The trip-log and claims repositories on both databases: which legs an actor sees, and the writes that make the
race guarantees (a leg billed once, a claim taken once)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from nemt.domain.actors import Actor
from nemt.domain.statuses import EXPORTABLE_CLAIM_STATUSES, ClaimStatus
from nemt.services import claims as claims_service
from nemt.store.models import Claim, Driver
from nemt.store.uow import CONCURRENT_WRITE_ERRORS
from tests.claims_db.conftest import DAY, fast_complete


def test_visible_legs_follow_the_actor(world):
    mine, theirs = world.make_leg(0), world.make_leg(1, driver="other")
    with world.uow() as uow:
        legs = uow.trip_logs
        assert [leg.key for leg in legs.visible_legs(world.actor("driver"), DAY)] == [mine]
        assert {leg.key for leg in legs.visible_legs(world.actor("provider"), DAY)} == {mine, theirs}
        assert {leg.key for leg in legs.visible_legs(Actor.system(), DAY)} >= {mine, theirs}
        assert legs.visible_legs(world.actor("driver"), DAY.replace(year=2030)) == []
        leg = legs.leg(theirs)
        assert not legs.is_visible(world.actor("driver"), leg)
        assert legs.is_visible(world.actor("auditor"), leg) and legs.is_visible(world.actor("provider"), leg)
        assert legs.assignment(leg)[0] is not None
    with world.uow() as uow:  # an inactive driver record sees nothing
        uow.session.execute(update(Driver).where(Driver.id == world.driver_id).values(active=False))
        uow.commit()
    with world.uow() as uow:
        assert uow.trip_logs.visible_legs(world.actor("driver")) == []
        assert not uow.trip_logs.is_visible(world.actor("driver"), uow.trip_logs.leg(mine))


def test_a_leg_is_billed_once_and_a_claim_taken_once(world):
    key = world.make_leg()
    fast_complete(world, [key])
    with world.uow() as uow:
        result = claims_service.build_claims_for_provider(uow, Actor.system(), world.provider_npi, (DAY, DAY),
                                                          today=DAY)
    (number,) = [c["claim_number"] for c in result.claims]
    with world.uow() as uow:
        claim = uow.claims.claim(Actor.system(), number, lock=True)
        leg_id = claim.lines[0].leg_id
        assert uow.claims.billed([leg_id]) == {leg_id}
        copy = Claim(claim_number="CLTEST", program="CO", provider_id=claim.provider_id, member_id=claim.member_id,
                     billing_medicaid_id=claim.billing_medicaid_id, place_of_service=claim.place_of_service,
                     diagnosis=claim.diagnosis, status=ClaimStatus.READY, total_charge=str(Decimal("1.00")),
                     edits=[], adjudication={}, lines=[])
        with pytest.raises(CONCURRENT_WRITE_ERRORS):
            uow.claims.add_claim(copy, [leg_id])
    with world.uow() as uow:
        claim = uow.claims.claim(world.actor("provider"), number)
        assert uow.claims.take([claim.id], EXPORTABLE_CLAIM_STATUSES, ClaimStatus.EXPORTED) == 1
        assert uow.claims.take([claim.id], EXPORTABLE_CLAIM_STATUSES, ClaimStatus.EXPORTED) == 0
        uow.commit()
    with world.uow() as uow:
        assert uow.session.scalar(select(Claim.status).where(Claim.claim_number == number)) == "exported"
        connecticut = Actor(999, "ct-auditor", "auditor", None, "department", "CT")
        assert uow.claims.claim(connecticut, number) is None
