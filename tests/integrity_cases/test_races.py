"""Races (PostgreSQL's row locks; SQLite's write lock serialises them): an export racing a hold never exports a
claim the hold counts as held; two auditors acting on one case at once take one step; two opening a case on one
provider at once open one case."""

from __future__ import annotations

from sqlalchemy import select

from nemt.domain.statuses import CaseStatus, ClaimStatus
from nemt.services import claims, integrity
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.store.models import Claim, ReviewCase
from tests.claims_db.conftest import DAY, TODAY, fast_complete
from tests.racing import race

ROUNDS = 4
HELD = sorted(integrity.cases.HELD_CLAIM_STATUSES)


def _new_ready_claims(world, round_: int, n: int = 2) -> None:
    keys = [world.make_leg(n * round_ + i) for i in range(n)]  # other members: no duplicate-trip edits
    fast_complete(world, keys, start_hour=8 + 2 * round_)  # after the earlier rounds' rides: no overlap
    with world.uow() as uow:
        claims.build_claims_for_provider(uow, world.actor("provider"), None, (DAY, DAY), today=TODAY)


def _in(world, fn, *args):
    with world.uow() as uow:
        return fn(uow, *args)


def test_an_export_racing_a_hold_never_exports_a_held_claim(billed):
    world = billed
    auditor, provider = world.actor("auditor"), world.actor("provider")
    outcomes = []
    for round_ in range(ROUNDS):
        if round_:
            _new_ready_claims(world, round_)
        number = _in(world, integrity.open_case, auditor, world.provider_npi, "burst").number
        hold, export = race(lambda number=number: _in(world, integrity.hold_case, auditor, number, "suspend"),
                             lambda: _in(world, claims.export_claims, provider))
        assert isinstance(hold, integrity.CaseView), hold
        exported = len(export.claim_numbers) if isinstance(export, claims.ExportResult) else 0
        if not exported:
            assert isinstance(export, InvalidInput) and "held from export" in export.message, export
        with world.uow() as uow:
            held = uow.session.scalar(select(ReviewCase.held_claims).where(ReviewCase.number == number))
            ready = len(list(uow.session.scalars(select(Claim).where(Claim.status.in_(HELD)))))
        # The hold counted the claims still ready when it took effect; none of those was exported.
        assert held == ready == 2 - exported
        outcomes.append("export first" if exported else "hold first")
        _in(world, integrity.release_case, auditor, number, "next round")
        if ready:  # clear the held claims away before the next round
            _in(world, claims.export_claims, provider)
    print("export racing a hold:", outcomes)


def test_two_auditors_releasing_and_denying_at_once_take_one_step(billed):
    world = billed
    auditor, admin = world.actor("auditor"), world.actor("admin")
    for round_ in range(ROUNDS):
        if round_:
            _new_ready_claims(world, round_)
        number = _in(world, integrity.open_case, auditor, world.provider_npi, "burst").number
        _in(world, integrity.hold_case, auditor, number, "suspend")
        release, deny = race(lambda number=number: _in(world, integrity.release_case, auditor, number, "fine"),
                              lambda number=number: _in(world, integrity.deny_case, admin, number, "phantom"))
        won = [o for o in (release, deny) if isinstance(o, integrity.CaseView)]
        lost = [o for o in (release, deny) if isinstance(o, Conflict)]
        assert len(won) == 1 and len(lost) == 1, (release, deny)
        with world.uow() as uow:
            statuses = set(uow.session.scalars(select(Claim.status).where(
                Claim.status.in_([ClaimStatus.READY, ClaimStatus.DENIED]))))
        if won[0].status == CaseStatus.DENIED:
            assert statuses == {ClaimStatus.DENIED}
        else:
            assert ClaimStatus.READY in statuses
            _in(world, claims.export_claims, world.actor("provider"))


def test_two_auditors_opening_a_case_at_once_open_one(billed):
    world = billed
    auditor, admin = world.actor("auditor"), world.actor("admin")
    for _ in range(ROUNDS):
        first, second = race(lambda: _in(world, integrity.open_case, auditor, world.provider_npi, "burst"),
                              lambda: _in(world, integrity.open_case, admin, world.provider_npi, "miles"))
        opened = [o for o in (first, second) if isinstance(o, integrity.CaseView)]
        assert len(opened) == 1 and any(isinstance(o, Conflict) for o in (first, second)), (first, second)
        _in(world, integrity.release_case, auditor, opened[0].number, "next round")
