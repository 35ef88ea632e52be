"""Bad input to the claims capability is a clear error, never a 500: the claims list's limit, an 835 paying a claim
never exported or with an amount no claim can hold, a billing profile field longer than its column, and an 835
larger than PostgreSQL's parameters per statement."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nemt.services import claims as claims_service
from nemt.services.claims.queries import MAX_LISTED, listed_rows
from nemt.services.platform.errors import InvalidInput
from nemt.store.models import Claim, Remittance
from nemt.store.repositories.base import chunked
from tests.claims_db.conftest import BILLING_PROFILE, make_835
from tests.claims_db.test_claims_export import _export


def _nothing_posted(world) -> None:
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Remittance)) == 0
        assert {c.paid_amount for c in uow.session.scalars(select(Claim))} == {None}


def test_an_835_paying_a_claim_never_exported_is_refused(billed):
    number = billed.claim_numbers[0]
    remit = make_835([(number, "1", "10.00", "10.00", "P1", None)])
    with billed.uow() as uow, pytest.raises(InvalidInput) as err:
        claims_service.post_remittance(uow, billed.actor("provider"), remit)
    assert err.value.field == "CLP01" and err.value.rule == "only exported claims are adjudicated"
    assert number in err.value.message and "nothing was posted" in err.value.message
    _nothing_posted(billed)


@pytest.mark.parametrize("paid, element", [("1E+999999", "CLP04"), ("-10.00", "CLP04")])
def test_an_835_amount_no_claim_can_hold_is_refused(billed, paid, element):
    _export(billed)
    number = billed.claim_numbers[0]
    remit = make_835([(number, "1", "10.00", "10.00", "P1", None)]).replace("*10.00*10.00*", f"*10.00*{paid}*")
    remit = remit.replace("BPR*I*10.00*", f"BPR*I*{paid}*")
    with billed.uow() as uow, pytest.raises(InvalidInput) as err:
        claims_service.post_remittance(uow, billed.actor("provider"), remit)
    assert "nothing was posted" in err.value.message and err.value.field.endswith(")")
    assert element in err.value.message or "BPR02" in err.value.message
    _nothing_posted(billed)


def test_an_835_with_a_payer_claim_number_longer_than_its_column_is_a_clear_error(billed):
    _export(billed)
    number = billed.claim_numbers[0]
    remit = make_835([(number, "1", "10.00", "10.00", "P" * 60, None)])
    with billed.uow() as uow, pytest.raises(InvalidInput) as err:
        claims_service.post_remittance(uow, billed.actor("provider"), remit)
    assert err.value.field.endswith("(CLP)") and "pyx12" in err.value.rule  # CLP07 is at most 50 characters
    _nothing_posted(billed)


def test_the_claims_list_limit_is_clamped_like_the_audit_trail(client, token_for, billed):
    assert [listed_rows(n) for n in (None, -1, 0, 1, 10**9)] == [500, 1, 1, 1, MAX_LISTED]
    headers = token_for("provider")
    for limit, count in ((-1, 1), (0, 1), (1, 1), (2, 2), (10**6, 2)):
        r = client.get(f"/api/v1/claims?limit={limit}", headers=headers)
        assert r.status_code == 200, r.text
        assert len(r.json()) == count


def test_a_billing_profile_field_longer_than_its_column_is_a_422(client, token_for, world):
    r = client.put("/api/v1/claims/billing-profile", headers=token_for("provider"),
                   json={**BILLING_PROFILE, "submitter_name": "S" * 500})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["field"] == "submitter_name" and problem["rule"] == "field length"
    assert problem["detail"].startswith("the submitter name is longer than")


def test_chunked_splits_any_number_of_values():
    assert list(chunked([], 3)) == []
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked(range(6), 3)) == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError):
        list(chunked([1], 0))


def test_an_835_of_70000_claims_is_looked_up_in_chunks(billed):
    """More claim numbers than PostgreSQL takes parameters in one statement (65,535): all unmatched but ours."""
    _export(billed)
    number = billed.claim_numbers[0]
    with billed.uow() as uow:
        found = uow.claims.visible_by_numbers(billed.actor("provider"),
                                              [f"CLX{n:09d}" for n in range(70_000)] + [number])
    assert list(found) == [number]
