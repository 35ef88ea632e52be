"""Review cases: open, hold (a payment suspension), note, release, deny — each audited, impossible steps refused with
the rule, and a held provider's claims exported by no path. Both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nemt.domain.statuses import CaseStatus, ClaimStatus
from nemt.services import claims, integrity
from nemt.services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from nemt.store.models import AuditEvent, Claim, ReviewCaseNote


def _open(world, who: str = "auditor") -> integrity.CaseView:
    with world.uow() as uow:
        return integrity.open_case(uow, world.actor(who), world.provider_npi, "trips per week tripled after dormancy")


def _statuses(world) -> list[str]:
    with world.uow() as uow:
        return [c.status for c in uow.session.scalars(select(Claim).where(
            Claim.claim_number.in_(world.claim_numbers)).order_by(Claim.id))]


def _events(world, entity: str) -> list[dict]:
    with world.uow() as uow:
        return [{"action": e.action, "username": e.username, "detail": e.detail, "member_id": e.member_id}
                for e in uow.session.scalars(select(AuditEvent).where(AuditEvent.entity == entity)
                                             .order_by(AuditEvent.id))]


def test_open_hold_note_release_each_audited(billed):
    world = billed
    case = _open(world)
    assert case.number == "RC000001" and case.status == CaseStatus.OPEN and case.opened_by == "auditor"
    with world.uow() as uow:
        held = integrity.hold_case(uow, world.actor("auditor"), case.number, "credible allegation: packed rides")
    assert held.status == CaseStatus.HELD and held.held_by == "auditor" and held.held_at
    assert held.held_claims == 2 and held.waiting_claims == 2 and "455.23" in held.rule
    with world.uow() as uow:
        noted = integrity.note_case(uow, world.actor("admin"), case.number, "12 trips to one clinic in one day")
    assert [n["text"] for n in noted.notes] == ["12 trips to one clinic in one day"]
    with world.uow() as uow:
        done = integrity.release_case(uow, world.actor("auditor"), case.number, "the trips were verified")
    assert done.status == CaseStatus.RELEASED and done.closed_by == "auditor"
    assert _statuses(world) == [ClaimStatus.READY, ClaimStatus.READY]
    actions = [(e["action"], e["username"], e["detail"]["case"]) for e in _events(world, "review-case")]
    assert actions == [("open", "auditor", "RC000001"), ("hold", "auditor", "RC000001"),
                       ("note", "admin", "RC000001"), ("release", "auditor", "RC000001")]
    # The claims are exportable again.
    with world.uow() as uow:
        result = claims.export_claims(uow, world.actor("provider"))
    assert sorted(result.claim_numbers) == sorted(world.claim_numbers) and result.held == []


def test_deny_denies_the_held_claims_with_the_rule(billed):
    world = billed
    case = _open(world)
    with world.uow() as uow:
        integrity.hold_case(uow, world.actor("auditor"), case.number, "phantom trips")
    with world.uow() as uow:
        denied = integrity.deny_case(uow, world.actor("admin"), case.number, "no verification for the legs")
    assert denied.status == CaseStatus.DENIED and denied.denied_claims == 2
    assert _statuses(world) == [ClaimStatus.DENIED, ClaimStatus.DENIED]
    with world.uow() as uow:
        edits = [c.edits[-1] for c in uow.session.scalars(select(Claim).where(
            Claim.claim_number.in_(world.claim_numbers)))]
    assert all(e["code"] == integrity.cases.DENIAL_EDIT and "455.23" in e["citation"] for e in edits)
    claim_events = [e for e in _events(world, "claim") if e["action"] == "deny"]
    assert len(claim_events) == 2 and all(e["member_id"] for e in claim_events)  # one per member, for disclosures


def test_impossible_steps_are_refused_with_the_rule(billed):
    world = billed
    do = {"hold": integrity.hold_case, "release": integrity.release_case, "deny": integrity.deny_case}

    def refused(number: str, step: str, words: str) -> None:
        before = _statuses(world)
        with world.uow() as uow, pytest.raises(Conflict) as caught:
            do[step](uow, world.actor("auditor"), number, "why")
        assert words in caught.value.message and caught.value.field == "status"
        assert _statuses(world) == before

    first = _open(world).number
    refused(first, "deny", "only a case holding the provider's claims can deny them")
    with world.uow() as uow:
        integrity.release_case(uow, world.actor("auditor"), first, "nothing found")
    refused(first, "hold", "only an open case can hold the provider's claims")
    second = _open(world).number
    with world.uow() as uow:
        integrity.hold_case(uow, world.actor("auditor"), second, "why")
    refused(second, "hold", "only an open case can hold the provider's claims")
    with world.uow() as uow:
        integrity.deny_case(uow, world.actor("auditor"), second, "why")
    refused(second, "release", "only an open or held case can be released")


def test_one_active_case_per_provider_and_closed_cases_take_no_notes(billed):
    world = billed
    case = _open(world)
    with world.uow() as uow, pytest.raises(Conflict) as caught:
        integrity.open_case(uow, world.actor("admin"), world.provider_npi, "again")
    assert case.number in caught.value.message
    with world.uow() as uow:
        integrity.release_case(uow, world.actor("auditor"), case.number, "nothing found")
    with world.uow() as uow, pytest.raises(Conflict):
        integrity.note_case(uow, world.actor("auditor"), case.number, "late finding")
    assert _open(world).number == "RC000002"  # a new case once the first is closed


def test_bad_input_names_the_field(billed):
    world = billed
    with world.uow() as uow, pytest.raises(InvalidInput) as caught:
        integrity.open_case(uow, world.actor("auditor"), world.provider_npi, "   ")
    assert caught.value.field == "reason"
    with world.uow() as uow, pytest.raises(NotFound):
        integrity.open_case(uow, world.actor("auditor"), "1999999999", "why")
    with world.uow() as uow, pytest.raises(NotFound):
        integrity.hold_case(uow, world.actor("auditor"), "RC999999", "why")
    with world.uow() as uow, pytest.raises(InvalidInput) as caught:
        integrity.open_case(uow, world.actor("auditor"), world.provider_npi, "x" * 2001)
    assert caught.value.rule == "field length"


def test_only_auditors_and_administrators_act_on_cases(billed):
    world = billed
    for who in ("agent", "dispatcher", "provider", "driver", "facility"):
        with world.uow() as uow, pytest.raises(Forbidden):
            integrity.open_case(uow, world.actor(who), world.provider_npi, "why")
        with world.uow() as uow, pytest.raises(Forbidden):
            integrity.list_cases(uow, world.actor(who))


def test_another_programs_auditor_sees_no_case(billed):
    world = billed
    case = _open(world)
    with world.uow() as uow, pytest.raises(NotFound):
        integrity.hold_case(uow, world.actor("ct-auditor"), case.number, "why")
    with world.uow() as uow:
        assert integrity.list_cases(uow, world.actor("ct-auditor")) == []
        assert [c.number for c in integrity.list_cases(uow, world.actor("auditor"))] == [case.number]


def test_notes_are_append_only(billed):
    world = billed
    case = _open(world)
    with world.uow() as uow:
        integrity.note_case(uow, world.actor("auditor"), case.number, "first finding")
    with world.uow() as uow:
        note = uow.session.scalar(select(ReviewCaseNote))
        note.text = "rewritten"
        with pytest.raises(Exception, match="append-only"):
            uow.commit()
