"""A claim suspended for review (the 52-unit review) is released by a reviewer (ready, then exported in a
pyx12-valid 837P) or denied with the rule; a claim not in review, a blank reason and a role without the power are
refused; every decision is in the audit trail; two reviewers at once decide once. Both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nemt.billing.x12_validate import validate_x12
from nemt.domain.statuses import ClaimStatus
from nemt.services import claims, integrity
from nemt.services.claims import review
from nemt.services.platform.errors import Conflict, Forbidden, InvalidInput
from nemt.store.models import AuditEvent, Claim
from tests.racing import race


def _claim(world, number: str) -> Claim:
    with world.uow() as uow:
        row = uow.session.scalar(select(Claim).where(Claim.claim_number == number))
        uow.session.expunge(row)
        return row


def _events(world, action: str) -> list[AuditEvent]:
    with world.uow() as uow:
        rows = list(uow.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                                 AuditEvent.entity == "claim")))
        for row in rows:
            uow.session.expunge(row)
        return rows


def test_the_reviewer_sees_the_claim_in_review_with_the_edits_that_hold_it(in_review):
    world = in_review
    with world.uow() as uow:
        listed = review.claims_in_review(uow, world.actor("auditor"), "CO")
    assert [c.claim_number for c in listed] == [world.review_number]
    codes = {e["code"] for e in listed[0].holding}
    assert "mileage-over-52-units-needs-attachment" in codes
    assert all(e["citation"] for e in listed[0].holding)
    assert listed[0].provider_npi == world.provider_npi and listed[0].member_key
    with world.uow() as uow:
        assert review.claims_in_review(uow, world.actor("auditor"), "CT") == []
    assert _events(world, "read"), "the list is a read of member data: audited"


def test_release_makes_the_claim_ready_and_exportable(in_review, tmp_path):
    world = in_review
    with world.uow() as uow:
        result = review.release_claim(uow, world.actor("auditor"), world.review_number, "  attachment received  ")
    assert result.status == ClaimStatus.READY
    row = _claim(world, world.review_number)
    assert row.status == ClaimStatus.READY
    decision = row.edits[-1]
    assert decision["code"] == "released-on-review" and decision["by"] == "auditor"
    assert decision["reason"] == "attachment received" and decision["at"]
    assert "mileage-over-52-units-needs-attachment" in decision["held_by"]
    (event,) = _events(world, "release")
    assert event.member_id == row.member_id and event.detail["claim_number"] == world.review_number
    with world.uow() as uow:
        exported = claims.export_claims(uow, world.actor("provider"), out=tmp_path / "x.837p")
    assert world.review_number in exported.claim_numbers
    ok, messages = validate_x12((tmp_path / "x.837p").read_text())
    assert ok, messages


def test_deny_makes_the_claim_denied_with_the_rule(in_review):
    world = in_review
    with world.uow() as uow:
        review.deny_claim(uow, world.actor("admin"), world.review_number, "no attachment after 60 days")
    row = _claim(world, world.review_number)
    assert row.status == ClaimStatus.DENIED
    edit = row.edits[-1]
    assert edit["code"] == "denied-on-review" and "denied on review" in edit["message"]
    assert "25 Mile or Longer Trips" in edit["citation"] and edit["by"] == "admin"
    (event,) = _events(world, "deny")
    assert event.detail["rule"] == review.RULE
    with world.uow() as uow:
        assert review.claims_in_review(uow, world.actor("auditor")) == []


def test_refusals_name_the_field_and_the_rule(in_review):
    world = in_review
    auditor = world.actor("auditor")
    with world.uow() as uow, pytest.raises(Conflict) as caught:
        review.release_claim(uow, auditor, world.ready_number, "fine")
    assert "not in review" in caught.value.message and caught.value.rule == review.RULE
    for blank in ("", "   ", None):
        with world.uow() as uow, pytest.raises(InvalidInput) as caught:
            review.deny_claim(uow, auditor, world.review_number, blank)
        assert caught.value.field == "reason"
    with world.uow() as uow, pytest.raises(InvalidInput) as caught:
        review.release_claim(uow, auditor, world.review_number, "x" * (review.MAX_REASON + 1))
    assert caught.value.rule == "field length"
    for role in ("provider", "driver", "dispatcher"):
        with world.uow() as uow, pytest.raises(Forbidden):
            review.release_claim(uow, world.actor(role), world.review_number, "mine")
    assert _claim(world, world.review_number).status == ClaimStatus.REVIEW
    assert not _events(world, "release") and not _events(world, "deny")


def test_two_reviewers_at_once_decide_once(in_review):
    world = in_review
    auditor, admin = world.actor("auditor"), world.actor("admin")

    def act(fn, actor):
        with world.uow() as uow:
            return fn(uow, actor, world.review_number, "decided")

    outcomes = race(lambda: act(review.release_claim, auditor), lambda: act(review.deny_claim, admin))
    won = [o for o in outcomes if isinstance(o, review.ReviewClaim)]
    lost = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    row = _claim(world, world.review_number)
    assert row.status == won[0].status
    assert sum(e["code"] in (review.RELEASED_EDIT, review.DENIED_EDIT) for e in row.edits) == 1
    assert len(_events(world, "release")) + len(_events(world, "deny")) == 1


def test_a_released_claim_of_a_held_provider_stays_held_from_export(in_review):
    world = in_review
    auditor = world.actor("auditor")
    with world.uow() as uow:
        number = integrity.open_case(uow, auditor, world.provider_npi, "a burst after dormancy").number
    with world.uow() as uow:
        integrity.hold_case(uow, auditor, number, "credible allegation of padded miles")
    with world.uow() as uow:
        review.release_claim(uow, auditor, world.review_number, "attachment received")
    with world.uow() as uow, pytest.raises(InvalidInput) as caught:
        claims.export_claims(uow, world.actor("provider"), claim_numbers=[world.review_number])
    assert "held from export" in caught.value.message
    assert _claim(world, world.review_number).status == ClaimStatus.READY


def test_the_broker_pays_a_claim_released_on_review(in_review):
    """In the broker's area the broker adjudicates: a claim a reviewer released is paid, not denied again for the edit
    it was released from (the edits stay on the claim; ``review.edits_in_force`` leaves the released ones out)."""
    world = in_review
    with world.uow() as uow:
        review.release_claim(uow, world.actor("auditor"), world.review_number, "trip sheet and odometer photos")
    with world.uow() as uow:
        exported = claims.export_claims(uow, world.actor("provider"), payer="broker")
    assert world.review_number in exported.claim_numbers
    with world.uow() as uow:
        payment = claims.pay_provider(uow, world.actor("admin"), world.provider_npi)
    assert world.review_number in payment.remittance.posted
    row = _claim(world, world.review_number)
    assert row.status == ClaimStatus.PAID and row.paid_amount and float(row.paid_amount) > 0
    assert "mileage-over-52-units-needs-attachment" in {e["code"] for e in row.edits}  # still on record


def test_only_the_edits_a_reviewer_released_are_left_out():
    edits = [{"code": "mileage-over-52-units-needs-attachment"}, {"code": "route-miles-exceeded"},
             {"code": "released-on-review", "held_by": ["mileage-over-52-units-needs-attachment"]}]
    assert review.edits_in_force(edits) == ("route-miles-exceeded", "released-on-review")
    assert review.edits_in_force(None) == () and review.edits_in_force(edits[:2]) == (
        "mileage-over-52-units-needs-attachment", "route-miles-exceeded")
