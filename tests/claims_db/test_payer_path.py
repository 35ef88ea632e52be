"""Two money paths by county (issue 17, item 1; Payment for Covered Services): "Services provided in the broker service
area are only reimbursable by the State Contracted Broker and cannot be submitted directly to the Department."

A claim's payer is set at build from its member's county and kept on the claim; the Department's 837P never carries a
broker-area claim (asking for it is refused and changes nothing); the broker's 837P is addressed to the broker and is
valid under pyx12. The billing profile's contact telephone number is required (837P loop 1000A PER03/PER04).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nemt.billing.payers import PayerPath, payer_of, receiver_of
from nemt.billing.x12_validate import validate_x12
from nemt.policy import load_policy
from nemt.services import claims as claims_service
from nemt.services.platform.errors import InvalidInput
from nemt.store.claim_models import BillingProfile
from nemt.store.models import Claim, ClaimBatch, Member
from tests.claims_db.conftest import BILLING_PROFILE, DAY, TODAY, fast_complete
from tests.web.helpers import sign_in

POLICY = load_policy("CO")
BROKER_COUNTIES = set(POLICY.get("administration.broker_counties"))


def _segments(text: str) -> list[list[str]]:
    return [s.strip().split("*") for s in text.split("~") if s.strip()]


def _member_index(world, broker: bool) -> int:
    with world.uow() as uow:
        rows = uow.session.execute(select(Member.id, Member.county).where(Member.id.in_(world.member_ids)))
        counties = {member_id: county for member_id, county in rows}
    return next(i for i, m in enumerate(world.member_ids) if (counties[m] in BROKER_COUNTIES) == broker)


@pytest.fixture
def both(world):
    """One completed, billed leg of a member in the broker service area and one of a member outside it."""
    keys = [world.make_leg(_member_index(world, True)), world.make_leg(_member_index(world, False))]
    fast_complete(world, keys)
    admin = world.actor("provider")
    with world.uow() as uow:
        claims_service.set_billing_profile(uow, admin, None, **BILLING_PROFILE)
    with world.uow() as uow:
        built = claims_service.build_claims_for_provider(uow, admin, None, (DAY, DAY), today=TODAY)
    world.payers = {c["claim_number"]: c["payer"] for c in built.claims}
    world.broker_claim = next(n for n, p in world.payers.items() if p == PayerPath.BROKER)
    world.department_claim = next(n for n, p in world.payers.items() if p == PayerPath.DEPARTMENT)
    return world


def _export(world, **kwargs):
    with world.uow() as uow:
        return claims_service.export_claims(uow, world.actor("provider"), **kwargs)


def _nothing_exported(world) -> None:
    with world.uow() as uow:
        assert {c.status for c in uow.session.scalars(select(Claim))} == {"ready"}
        assert uow.session.scalar(select(ClaimBatch.id)) is None


def test_the_payer_follows_the_county_and_is_stored_on_the_claim(both):
    assert sorted(both.payers.values()) == [PayerPath.BROKER, PayerPath.DEPARTMENT]
    with both.uow() as uow:
        stored = {c.claim_number: c.payer for c in uow.session.scalars(select(Claim))}
        listed = {c["claim_number"]: c for c in claims_service.list_claims(uow, both.actor("provider"))}
    assert stored == both.payers
    assert listed[both.broker_claim]["payer_name"] == payer_of(PayerPath.BROKER, POLICY).name
    assert listed[both.department_claim]["payer_name"] == POLICY.get("x12.payer_name")


def test_a_broker_area_claim_cannot_be_exported_to_the_department(both):
    with pytest.raises(InvalidInput) as exc:  # both payers ready: say which
        _export(both)
    assert exc.value.field == "payer"
    with pytest.raises(InvalidInput) as exc:
        _export(both, payer="department", claim_numbers=[both.broker_claim])
    assert exc.value.field == "claim_numbers" and "Payment for Covered Services" in exc.value.rule
    assert "cannot be submitted to the Department" in exc.value.message
    _nothing_exported(both)

    department = _export(both, payer="department")
    assert department.claim_numbers == [both.department_claim] and department.payer == PayerPath.DEPARTMENT
    text = department.content.decode()
    assert validate_x12(text)[0]
    segments = _segments(text)
    assert [s for s in segments if s[:2] == ["NM1", "PR"]] == [
        ["NM1", "PR", "2", POLICY.get("x12.payer_name"), "", "", "", "", "PI", POLICY.get("x12.payer_id")]]
    # No member of the broker service area is in the Department's file.
    member_ids = [s[9] for s in segments if s[:2] == ["NM1", "IL"]]
    with both.uow() as uow:
        counties = set(uow.session.scalars(select(Member.county).where(Member.medicaid_id.in_(member_ids))))
    assert counties and not counties & BROKER_COUNTIES


def test_the_broker_gets_its_own_837p_addressed_to_it(both):
    broker = _export(both, payer="broker")
    assert broker.claim_numbers == [both.broker_claim] and broker.payer == PayerPath.BROKER
    text = broker.content.decode()
    ok, messages = validate_x12(text)
    assert ok, messages
    segments = _segments(text)
    receiver, payer = receiver_of(PayerPath.BROKER, POLICY), payer_of(PayerPath.BROKER, POLICY)
    assert segments[0][8].strip() == receiver.id and segments[1][3] == receiver.id  # ISA08, GS03
    assert ["NM1", "40", "2", receiver.name, "", "", "", "", "46", receiver.id] in segments
    assert [s[9] for s in segments if s[:2] == ["NM1", "PR"]] == [payer.id]
    # Nothing of the broker's is left for the Department, and the Department's claim is still there for it.
    with pytest.raises(InvalidInput) as exc:
        _export(both, payer="broker")
    assert exc.value.field == "payer"
    assert _export(both).claim_numbers == [both.department_claim]  # the only payer left


def test_a_replacement_keeps_the_payer(both):
    _export(both, payer="broker")
    with both.uow() as uow:
        claims_service.replace_claim(uow, both.actor("provider"), both.broker_claim, today=TODAY)
    with both.uow() as uow:
        replacement = uow.session.scalar(select(Claim).where(Claim.original_claim_number == both.broker_claim))
        assert replacement.payer == PayerPath.BROKER


def test_the_claims_page_shows_the_payer(both, client):
    sign_in(client, "provider")
    page = client.get("/provider/claims").text
    assert payer_of(PayerPath.BROKER, POLICY).name in page and POLICY.get("x12.payer_name") in page
    assert 'data-payer="broker"' in page and 'data-payer="department"' in page


# --- the submitter's contact number (837P loop 1000A PER03/PER04) ----------------------------------------------------


def test_a_billing_profile_without_a_telephone_number_is_refused(world):
    admin = world.actor("provider")
    for phone in ("", "0000000000", "555-0100"):
        with world.uow() as uow, pytest.raises(InvalidInput) as exc:
            claims_service.set_billing_profile(uow, admin, None, **{**BILLING_PROFILE, "phone": phone})
        assert exc.value.field == "phone" and "PER04" in exc.value.rule
    with world.uow() as uow:
        assert uow.session.scalar(select(BillingProfile.id)) is None


def test_an_old_profile_without_a_number_cannot_export_and_nothing_changes(both):
    with both.uow() as uow:
        uow.session.scalar(select(BillingProfile)).phone = ""
        uow.commit()
    with pytest.raises(InvalidInput) as exc:
        _export(both, payer="department")
    assert exc.value.field == "phone"
    _nothing_exported(both)


# --- the member's sex: 837P DMG03 and the CMS-1500's item 3 box ------------------------------------------------------


def test_the_members_sex_fills_dmg03_and_the_cms1500_sex_box(both):
    from tests.billing.pdf_grid import at, grid_pages

    with both.uow() as uow:
        claim = uow.session.scalar(select(Claim).where(Claim.claim_number == both.department_claim))
        member = uow.session.get(Member, claim.member_id)
        member.sex = "F"
        birth = member.birth_date
        uow.commit()
    page = grid_pages(_export(both, payer="department", fmt="cms1500").content)[0]
    assert (at(page, 10, 31), at(page, 10, 34), at(page, 10, 37)) == (f"{birth:%m}", f"{birth:%d}", f"{birth:%Y}")
    assert at(page, 10, 47) == "X" and at(page, 10, 42) == ""  # item 3: F marked, M not
    with both.uow() as uow:
        claims_service.replace_claim(uow, both.actor("provider"), both.department_claim, today=TODAY)
    text = _export(both, payer="department").content.decode()
    assert f"DMG*D8*{birth:%Y%m%d}*F~" in text


def test_the_api_exports_one_payers_claims(both, client, token_for):
    provider = token_for("provider")
    r = client.post("/api/v1/claims/export", headers=provider, json={"format": "837p"})
    assert r.status_code == 422 and r.json()["field"] == "payer"
    r = client.post("/api/v1/claims/export", headers=provider,
                    json={"format": "837p", "payer": "department", "claim_numbers": [both.broker_claim]})
    assert r.status_code == 422 and r.json()["field"] == "claim_numbers"
    r = client.post("/api/v1/claims/export", headers=provider, json={"format": "837p", "payer": "broker"})
    assert r.status_code == 200 and r.headers["x-claims"] == both.broker_claim
    assert f"*PI*{payer_of(PayerPath.BROKER, POLICY).id}~" in r.text and validate_x12(r.text)[0]
