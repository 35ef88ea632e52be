"""The audit trail's repository: append-only events, chained at commit (:mod:`nemt.store.audit_chain`); read by
member, newest first within what an actor may see, or the whole chain in order (``nemt audit verify``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterable

from sqlalchemy import func, select

from nemt.domain.actors import Actor
from nemt.store import audit_chain, visibility
from nemt.store.models import AuditChainHead, AuditEvent
from nemt.store.repositories.base import Repository

CHAIN_BATCH = 2000


class AuditRepository(Repository):
    def add(self, event: AuditEvent) -> None:
        """Queue one event: it is chained and inserted when the unit of work commits, and dropped if it does not."""
        audit_chain.queue(self.session, [event])

    def add_all(self, events: Iterable[AuditEvent]) -> None:
        """Queue many events (one insert statement for all of them at the commit)."""
        audit_chain.queue(self.session, events)

    def for_member(self, member_id: int) -> list[AuditEvent]:
        """Every event about one member, oldest first (the accounting of disclosures)."""
        return list(self.session.scalars(select(AuditEvent).where(AuditEvent.member_id == member_id)
                                         .order_by(AuditEvent.seq)))

    def members_read_by(self, user_id: int, since: dt.datetime) -> tuple[set[int], dt.datetime | None]:
        """The members whose record this user read since ``since``, and the earliest read (index
        ``ix_audit_events_user_at``)."""
        rows = self.session.execute(
            select(AuditEvent.member_id, func.min(AuditEvent.at))
            .where(AuditEvent.user_id == user_id, AuditEvent.at >= since, AuditEvent.action == "read",
                   AuditEvent.entity == "member", AuditEvent.member_id.is_not(None))
            .group_by(AuditEvent.member_id)).all()
        return {r[0] for r in rows if r[0] is not None}, min((r[1] for r in rows), default=None)

    def recent(self, limit: int = 200, actor: Actor | None = None) -> list[AuditEvent]:
        """The latest ``limit`` events, newest first: those ``actor`` may see (``visibility.audit_events``), or every
        event when no actor is given."""
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        condition = visibility.audit_events(actor) if actor is not None else None
        if condition is not None:
            query = query.where(condition)
        return list(self.session.scalars(query))

    # --- the chain --------------------------------------------------------------------------------------------

    def chain(self) -> Generator[AuditEvent, None, None]:
        """Every event in chain order (by ``seq``, then row id), read in batches so a long trail fits in memory."""
        query = select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id).execution_options(yield_per=CHAIN_BATCH)
        for event in self.session.scalars(query):
            yield event
            self.session.expunge(event)

    def chain_head(self) -> tuple[int, str] | None:
        """The chain head's (seq, hash) as the writers left it (None when the row is missing)."""
        row = self.session.execute(select(AuditChainHead.seq, AuditChainHead.hash)
                                   .where(AuditChainHead.id == audit_chain.HEAD_ID)).first()
        return (int(row.seq), str(row.hash)) if row else None

    def at_seq(self, seq: int) -> AuditEvent | None:
        return self.session.scalar(select(AuditEvent).where(AuditEvent.seq == seq))

    def by_hash(self, digest: str) -> AuditEvent | None:
        """The event with this hash (only asked when verifying finds a broken link: no index needed)."""
        return self.session.scalar(select(AuditEvent).where(AuditEvent.hash == digest).limit(1))

    def last(self) -> AuditEvent | None:
        """The event with the highest ``seq`` (the end of the chain as stored)."""
        return self.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
