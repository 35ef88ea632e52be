"""Claims, their lines, batches, billing profiles and remittances.

Which claims an actor may see is :func:`nemt.store.visibility.claims`. The race guarantees live here:

- a leg is billed once: ``billed_legs.leg_id`` is a primary key, so :meth:`ClaimRepository.add_claim` of a leg
  another builder billed first fails at the flush (one of ``CONCURRENT_WRITE_ERRORS``);
- a claim is exported (or replaced, or voided) once: :meth:`ClaimRepository.take` changes the status only of the rows
  still in the expected statuses and says how many it took; a resubmission also locks the original
  (SELECT … FOR UPDATE, on PostgreSQL) when it reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Select, exists, func, select, update
from sqlalchemy.orm import selectinload

from nemt.domain.actors import Actor
from nemt.domain.statuses import LegStatus
from nemt.store import visibility
from nemt.store.claim_models import Acknowledgment, BillingProfile, ClaimLine
from nemt.store.models import (
    BilledLeg,
    Claim,
    ClaimBatch,
    Leg,
    Member,
    Remittance,
    TransportProvider,
    Trip,
)
from nemt.store.repositories.base import Repository, chunked


def _first_service_date() -> Any:
    """A claim's first date of service (the earliest of its lines), for filtering in the query."""
    return (select(func.min(ClaimLine.service_date)).where(ClaimLine.claim_id == Claim.id)
            .correlate(Claim).scalar_subquery())


def _filtered(query: Select[Any], payer: str | None, first: dt.date | None, last: dt.date | None) -> Select[Any]:
    """Claims of one payer (``None``: any) whose first date of service is in ``first``..``last`` (either open)."""
    if payer is not None:
        query = query.where(Claim.payer == payer)
    if first is not None:
        query = query.where(_first_service_date() >= first)
    if last is not None:
        query = query.where(_first_service_date() <= last)
    return query


class ClaimRepository(Repository):
    """Claims, their lines, batches, billing profiles and remittances."""

    # --- providers -------------------------------------------------------------------------------------------------
    def provider(self, provider_id: int) -> TransportProvider | None:
        return self.session.get(TransportProvider, provider_id)

    def provider_by_npi(self, npi: str) -> TransportProvider | None:
        return self.session.scalar(select(TransportProvider).where(TransportProvider.npi == npi))

    def provider_of_organization(self, organization_id: int | None) -> TransportProvider | None:
        """An organization's transportation-provider enrolment (one per organization)."""
        if organization_id is None:
            return None
        return self.session.scalar(select(TransportProvider)
                                   .where(TransportProvider.organization_id == organization_id))

    def provider_npi(self, provider_id: int) -> str | None:
        return self.session.scalar(select(TransportProvider.npi).where(TransportProvider.id == provider_id))

    # --- claims the actor may see ----------------------------------------------------------------------------------
    @staticmethod
    def _visible(query: Select[Any], actor: Actor) -> Select[Any]:
        condition = visibility.claims(actor)
        return query if condition is None else query.where(condition)

    def claim(self, actor: Actor, claim_number: str, *, lock: bool = False) -> Claim | None:
        """The claim (with its lines) if ``actor`` may see it; ``lock``: SELECT … FOR UPDATE on PostgreSQL."""
        query = self._visible(select(Claim).where(Claim.claim_number == claim_number), actor)
        if lock and self.dialect == "postgresql":
            query = query.with_for_update(of=Claim)
        return self.session.scalar(query.options(selectinload(Claim.lines)))

    def visible_claims(self, actor: Actor, *, status: str | None = None, provider_id: int | None = None,
                       limit: int | None = None, newest_first: bool = True, payer: str | None = None,
                       first: dt.date | None = None, last: dt.date | None = None) -> list[Claim]:
        """The claims ``actor`` may see (with their lines), optionally of one status, provider or payer, and with a
        first date of service in ``first``..``last``."""
        query = _filtered(self._visible(select(Claim), actor), payer, first, last).options(selectinload(Claim.lines))
        if status:
            query = query.where(Claim.status == status)
        if provider_id is not None:
            query = query.where(Claim.provider_id == provider_id)
        query = query.order_by(Claim.id.desc() if newest_first else Claim.id)
        if limit is not None:
            query = query.limit(limit)
        return list(self.session.scalars(query))

    def visible_by_numbers(self, actor: Actor, claim_numbers: Collection[str]) -> dict[str, Claim]:
        """The claims of these numbers that ``actor`` may see, by number (with their lines); any number of them
        (looked up a chunk at a time, under PostgreSQL's limit of parameters per statement)."""
        found: dict[str, Claim] = {}
        for chunk in chunked(dict.fromkeys(claim_numbers)):
            query = self._visible(select(Claim).where(Claim.claim_number.in_(chunk)), actor)
            found.update((r.claim_number, r) for r in self.session.scalars(query.options(selectinload(Claim.lines))))
        return found

    def providers_with_claims(self, actor: Actor, statuses: Collection[str]) -> set[int]:
        """The providers (ids) of the claims ``actor`` may see in these statuses."""
        query = self._visible(select(Claim.provider_id).where(Claim.status.in_(list(statuses))), actor)
        return set(self.session.scalars(query))

    def of_provider(self, provider_id: int, statuses: Collection[str],
                    claim_numbers: Sequence[str] | None = None, *, payer: str | None = None,
                    served: tuple[dt.date, dt.date] | None = None) -> list[Claim]:
        """A provider's claims in these statuses (optionally only the numbered ones, one payer's, or those with a
        line served in ``served`` = (first, last)), in the order built."""
        query = select(Claim).where(Claim.provider_id == provider_id, Claim.status.in_(list(statuses)))
        if payer is not None:
            query = query.where(Claim.payer == payer)
        if served is not None:
            query = query.where(exists().where(ClaimLine.claim_id == Claim.id, ClaimLine.service_date >= served[0],
                                               ClaimLine.service_date <= served[1]))
        if not claim_numbers:
            return list(self.session.scalars(query.options(selectinload(Claim.lines)).order_by(Claim.id)))
        found: list[Claim] = []
        for chunk in chunked(dict.fromkeys(claim_numbers)):
            found += self.session.scalars(query.where(Claim.claim_number.in_(chunk)).options(selectinload(Claim.lines)))
        return sorted(found, key=lambda row: row.id)

    # --- writes ----------------------------------------------------------------------------------------------------
    def take(self, claim_ids: Sequence[int], statuses: Collection[str], new_status: str) -> int:
        """Set ``new_status`` on those of the claims still in ``statuses``; how many it set. Two writers at once:
        the second takes none of the rows the first took (a claim is exported, replaced or voided once)."""
        taken = 0
        for chunk in chunked(claim_ids):
            result: Any = self.session.execute(
                update(Claim).where(Claim.id.in_(chunk), Claim.status.in_(list(statuses)))
                .values(status=new_status).execution_options(synchronize_session=False))
            taken += int(result.rowcount)
        return taken

    def move(self, claim: Claim, statuses: Collection[str], new_status: str, edit: dict) -> bool:
        """Set ``new_status`` on the claim if it is still in ``statuses``, adding ``edit`` to its edits; whether it
        did. Two writers at once: the second changes nothing (a reviewer's decision is taken once)."""
        result: Any = self.session.execute(
            update(Claim).where(Claim.id == claim.id, Claim.status.in_(list(statuses)))
            .values(status=new_status, edits=[*(claim.edits or []), edit])
            .execution_options(synchronize_session=False))
        self.session.expire(claim)
        return int(result.rowcount) == 1

    def add_claim(self, claim: Claim, billed_leg_ids: Iterable[int] = ()) -> Claim:
        """Add a claim (flushed: it has its id) and the ``billed_legs`` rows of its legs. A leg another builder
        billed first makes the second flush fail (``billed_legs.leg_id`` is the primary key)."""
        self._added(claim)
        legs = [BilledLeg(leg_id=leg_id, claim_id=claim.id) for leg_id in billed_leg_ids]
        if legs:
            self.session.add_all(legs)
            self.session.flush()
        return claim

    def billed(self, leg_ids: Collection[int]) -> set[int]:
        """Those of the legs already on a claim."""
        return {leg_id for chunk in chunked(leg_ids)
                for leg_id in self.session.scalars(select(BilledLeg.leg_id).where(BilledLeg.leg_id.in_(chunk)))}

    def add_batch(self, batch: ClaimBatch, claim_ids: Sequence[int]) -> ClaimBatch:
        """Add an export batch (flushed) and put the claims in it."""
        self._added(batch)
        for chunk in chunked(claim_ids):
            self.session.execute(update(Claim).where(Claim.id.in_(chunk)).values(batch_id=batch.id)
                                 .execution_options(synchronize_session=False))
        return batch

    def expire(self, row: Any) -> None:
        """Forget the loaded state of a row changed by a bulk update (it reloads on the next access)."""
        self.session.expire(row)

    # --- legs, members -------------------------------------------------------------------------------------------
    def completed_legs(self, provider_id: int, first: dt.date, last: dt.date) -> list[Leg]:
        """The provider's completed legs with dates of service in [first, last] (with their trips and members)."""
        query = (select(Leg).join(Trip, Trip.id == Leg.trip_id)
                 .where(Leg.provider_id == provider_id, Leg.service_date >= first, Leg.service_date <= last,
                        Leg.status == LegStatus.COMPLETED)
                 .options(selectinload(Leg.trip).selectinload(Trip.member)))
        return list(self.session.scalars(query))

    def legs(self, leg_ids: Iterable[int | None]) -> dict[int, Leg]:
        wanted = dict.fromkeys(i for i in leg_ids if i is not None)
        return {leg.id: leg for chunk in chunked(wanted)
                for leg in self.session.scalars(select(Leg).where(Leg.id.in_(chunk)))}

    def leg_keys(self, leg_ids: Iterable[int | None]) -> dict[int, str]:
        wanted = dict.fromkeys(i for i in leg_ids if i is not None)
        return {row.id: row.key for chunk in chunked(wanted)
                for row in self.session.execute(select(Leg.id, Leg.key).where(Leg.id.in_(chunk)))}

    def member(self, member_id: int) -> Member | None:
        return self.session.get(Member, member_id)

    def members(self, member_ids: Iterable[int | None]) -> dict[int, Member]:
        """The members of these ids, by id: one query for a whole batch of claims."""
        wanted = dict.fromkeys(i for i in member_ids if i is not None)
        return {row.id: row for chunk in chunked(wanted)
                for row in self.session.scalars(select(Member).where(Member.id.in_(chunk)))}

    def member_key(self, member_id: int) -> str | None:
        return self.session.scalar(select(Member.key).where(Member.id == member_id))

    # --- billing profiles, remittances -----------------------------------------------------------------------------
    def billing_profile(self, provider_id: int) -> BillingProfile | None:
        return self.session.scalar(select(BillingProfile).where(BillingProfile.provider_id == provider_id))

    def add_billing_profile(self, profile: BillingProfile) -> BillingProfile:
        self.session.add(profile)
        return profile

    def remittance_posted(self, sha256: str) -> bool:
        return self.session.scalar(select(Remittance.id).where(Remittance.sha256 == sha256)) is not None

    def add_remittance(self, remittance: Remittance) -> Remittance:
        """Add a remittance (flushed). The same file posted by someone else a moment ago fails the flush
        (``remittances.sha256`` is unique)."""
        return self._added(remittance)

    # --- acknowledgments (999, TA1, 277CA) -------------------------------------------------------------------------
    def batch(self, batch_id: int) -> ClaimBatch | None:
        return self.session.get(ClaimBatch, batch_id)

    def batch_by_group(self, group_control_number: int) -> ClaimBatch | None:
        """The 837P batch of a GS06 group control number (the counter never repeats one)."""
        return self.session.scalar(select(ClaimBatch).where(ClaimBatch.format == "837p",
                                                            ClaimBatch.group_control_number == group_control_number)
                                   .order_by(ClaimBatch.id.desc()).limit(1))

    def batch_by_interchange(self, interchange_control_number: int) -> ClaimBatch | None:
        return self.session.scalar(select(ClaimBatch).where(
            ClaimBatch.interchange_control_number == interchange_control_number))

    def visible_in_batch(self, actor: Actor, batch_id: int) -> list[Claim]:
        """The claims of a batch that ``actor`` may see."""
        return list(self.session.scalars(self._visible(select(Claim).where(Claim.batch_id == batch_id), actor)
                                         .order_by(Claim.id)))

    def visible_batches(self, actor: Actor, limit: int = 20) -> list[ClaimBatch]:
        """The newest batches holding a claim ``actor`` may see."""
        ids = self._visible(select(Claim.batch_id).where(Claim.batch_id.is_not(None)), actor)
        return list(self.session.scalars(select(ClaimBatch).where(ClaimBatch.id.in_(ids.scalar_subquery()))
                                         .order_by(ClaimBatch.id.desc()).limit(limit)))

    def rejected_at_front_end(self, actor: Actor, *, payer: str | None = None, first: dt.date | None = None,
                              last: dt.date | None = None) -> list[Claim]:
        """The claims ``actor`` may see that a 277CA returned (with their lines), oldest first; optionally one
        payer's, with a first date of service in ``first``..``last``."""
        query = _filtered(self._visible(select(Claim).where(Claim.front_end == "rejected"), actor), payer, first, last)
        return list(self.session.scalars(query.options(selectinload(Claim.lines)).order_by(Claim.id)))

    def acknowledgment_read(self, sha256: str) -> bool:
        return self.session.scalar(select(Acknowledgment.id).where(Acknowledgment.sha256 == sha256)) is not None

    def add_acknowledgment(self, row: Acknowledgment) -> Acknowledgment:
        """Add the file's row (flushed). The same file read by someone else a moment ago fails the flush."""
        return self._added(row)
