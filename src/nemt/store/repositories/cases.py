"""Review cases on transportation providers, their notes, the hold they put on a provider's claims, and the facts
of the provider analytics (issue 15; :mod:`nemt.store.case_models`).

The race guarantees live here:

- a provider has one active case: a partial unique index (``uq_review_cases_active_provider``), so a second case
  opened at the same time fails at the flush (one of ``CONCURRENT_WRITE_ERRORS``);
- a case takes each step once: :meth:`CaseRepository.move` changes the status only where it still is one the step
  may come from, and says whether it did (two auditors at once: the second moves nothing);
- a hold and an export of the same provider do not interleave: on PostgreSQL the hold, the denial and the export lock
  the provider's row (:meth:`lock_provider`: FOR UPDATE for a case's step, FOR SHARE for an export) before they read
  the case; on SQLite the export reads the hold after its claims' update has taken the database's write lock
  (:meth:`held_case` is called after the claims are taken), so a hold committed before is seen.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Select, func, select, update

from nemt.domain.actors import Actor
from nemt.domain.statuses import ACTIVE_CASE_STATUSES, CaseStatus
from nemt.store.models import Claim, Member, Organization, ReviewCase, ReviewCaseNote, TransportProvider
from nemt.store.repositories.base import Repository, chunked


def _visible(query: Select[Any], actor: Actor) -> Select[Any]:
    """The cases of the actor's program (the system sees every program's)."""
    if actor.is_system or actor.program is None:
        return query
    return query.where(ReviewCase.program == actor.program)


class CaseRepository(Repository):
    """Review cases, their notes, holds and the analytics' facts."""

    # --- cases -----------------------------------------------------------------------------------------------------
    def add(self, case: ReviewCase) -> ReviewCase:
        self.session.add(case)
        self.session.flush()
        return case

    def by_key(self, actor: Actor, key: str) -> ReviewCase | None:
        return self.session.scalar(_visible(select(ReviewCase).where(ReviewCase.key == key), actor))

    def by_number(self, actor: Actor, number: str) -> ReviewCase | None:
        return self.session.scalar(_visible(select(ReviewCase).where(ReviewCase.number == number), actor))

    def visible(self, actor: Actor, *, status: str | None = None, provider_id: int | None = None,
                limit: int = 200) -> list[ReviewCase]:
        query = _visible(select(ReviewCase), actor)
        if status:
            query = query.where(ReviewCase.status == status)
        if provider_id is not None:
            query = query.where(ReviewCase.provider_id == provider_id)
        return list(self.session.scalars(query.order_by(ReviewCase.id.desc()).limit(limit)))

    def active_for(self, provider_id: int) -> ReviewCase | None:
        """The provider's open or held case, if any."""
        return self.session.scalar(select(ReviewCase).where(ReviewCase.provider_id == provider_id,
                                                            ReviewCase.status.in_(list(ACTIVE_CASE_STATUSES))))

    def held_case(self, provider_id: int) -> ReviewCase | None:
        """The case holding the provider's claims from export, if any (read fresh from the database)."""
        return self.session.scalar(select(ReviewCase).where(ReviewCase.provider_id == provider_id,
                                                            ReviewCase.status == CaseStatus.HELD)
                                   .execution_options(populate_existing=True))

    def held_providers(self, provider_ids: Collection[int]) -> dict[int, ReviewCase]:
        """Those of the providers whose claims a case holds, with the case."""
        found: dict[int, ReviewCase] = {}
        for chunk in chunked(provider_ids):
            found.update((c.provider_id, c) for c in self.session.scalars(
                select(ReviewCase).where(ReviewCase.provider_id.in_(chunk), ReviewCase.status == CaseStatus.HELD)))
        return found

    def lock_provider(self, provider_id: int, *, shared: bool = False) -> None:
        """Lock the provider's row until the commit (PostgreSQL): FOR UPDATE for a case's step, FOR SHARE for an
        export (exports of one provider run side by side; a hold waits for them, and they for it)."""
        if self.dialect == "postgresql":
            self.session.execute(select(TransportProvider.id).where(TransportProvider.id == provider_id)
                                 .with_for_update(read=shared))

    def move(self, case: ReviewCase, allowed: Collection[str], status: str, **values: Any) -> bool:
        """Set ``status`` (and ``values``) on the case if it is still in one of the ``allowed`` statuses; whether it
        was. Two auditors at once: one moves it, the other gets False."""
        result: Any = self.session.execute(
            update(ReviewCase).where(ReviewCase.id == case.id, ReviewCase.status.in_(list(allowed)))
            .values(status=status, **values).execution_options(synchronize_session=False))
        self.session.expire(case)
        return int(result.rowcount) == 1

    # --- notes (append-only) ---------------------------------------------------------------------------------------
    def add_note(self, note: ReviewCaseNote) -> ReviewCaseNote:
        self.session.add(note)
        self.session.flush()
        return note

    def notes(self, case_id: int) -> list[ReviewCaseNote]:
        return list(self.session.scalars(select(ReviewCaseNote).where(ReviewCaseNote.case_id == case_id)
                                         .order_by(ReviewCaseNote.id)))

    # --- the provider's claims under a hold ------------------------------------------------------------------------
    def claim_count(self, provider_id: int, statuses: Iterable[str]) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Claim).where(
            Claim.provider_id == provider_id, Claim.status.in_(list(statuses)))) or 0)

    def claims_of(self, provider_id: int, statuses: Iterable[str]) -> list[Claim]:
        return list(self.session.scalars(select(Claim).where(Claim.provider_id == provider_id,
                                                             Claim.status.in_(list(statuses))).order_by(Claim.id)))

    def deny_claims(self, claims: list[Claim], statuses: Collection[str], status: str, edit: dict) -> int:
        """Deny those of the claims still in ``statuses``, adding ``edit`` to each claim's edits; how many."""
        denied = 0
        for claim in claims:
            result: Any = self.session.execute(
                update(Claim).where(Claim.id == claim.id, Claim.status.in_(list(statuses)))
                .values(status=status, edits=[*(claim.edits or []), edit])
                .execution_options(synchronize_session=False))
            denied += int(result.rowcount)
            self.session.expire(claim)
        return denied

    # --- providers -------------------------------------------------------------------------------------------------
    def provider_by_npi(self, npi: str) -> TransportProvider | None:
        return self.session.scalar(select(TransportProvider).where(TransportProvider.npi == npi))

    def providers(self, program: str | None) -> list[TransportProvider]:
        query = select(TransportProvider).join(Organization, Organization.id == TransportProvider.organization_id)
        if program is not None:
            query = query.where(Organization.program == program)
        return list(self.session.scalars(query.order_by(Organization.name)))


    def member_ids(self, keys: Collection[str]) -> list[int]:
        """The ids of the members of these keys (for their audit records)."""
        return [i for chunk in chunked(sorted(keys))
                for i in self.session.scalars(select(Member.id).where(Member.key.in_(chunk)))]
