"""Fixtures of the review-decision tests: the claims tests' world and a claim suspended for review."""

from __future__ import annotations

import pytest

from nemt.services import claims
from tests.claims_db.conftest import BILLING_PROFILE, DAY, TODAY, fast_complete, world  # noqa: F401 - shared


@pytest.fixture
def in_review(world):  # noqa: F811 - the shared fixture
    """One claim in review (60 loaded miles: over the 52-unit review) and one ready claim, billing profile set."""
    keys = [world.make_leg(0), world.make_leg(1)]
    fast_complete(world, keys[:1], miles=60)
    fast_complete(world, keys[1:], miles=10, start_hour=11)
    admin = world.actor("provider")
    with world.uow() as uow:
        claims.set_billing_profile(uow, admin, None, **BILLING_PROFILE)
    with world.uow() as uow:
        result = claims.build_claims_for_provider(uow, admin, None, (DAY, DAY), today=TODAY)
    status = {c["claim_number"]: c["status"] for c in result.claims}
    world.review_number = next(n for n, s in status.items() if s == "review")
    world.ready_number = next(n for n, s in status.items() if s == "ready")
    return world
