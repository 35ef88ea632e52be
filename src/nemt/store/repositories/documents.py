"""A member's documents on file (``member_documents``): append-only, read by member (the file's bytes only when the
file itself is asked for)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import undefer

from nemt.domain.actors import Actor
from nemt.store import visibility
from nemt.store.document_models import MemberDocument
from nemt.store.models import Member
from nemt.store.repositories.base import Repository


class DocumentRepository(Repository):
    def add(self, row: MemberDocument) -> MemberDocument:
        """Add one document and flush (its key and id are set); the unit of work commits."""
        self.session.add(row)
        self.session.flush()
        return row

    def of_member(self, member_id: int) -> list[MemberDocument]:
        """The member's documents in recording order (the files' bytes are not read)."""
        return list(self.session.scalars(select(MemberDocument).where(MemberDocument.member_id == member_id)
                                         .order_by(MemberDocument.id)))

    def visible(self, actor: Actor, member_key: str, key: str, *, with_file: bool = False) -> MemberDocument | None:
        """A document by key under its member's key, if the actor may see the member (``with_file``: the bytes
        read at once); ``None`` for an unknown key, another member's document and a member the actor may not see."""
        query = (select(MemberDocument).join(Member, Member.id == MemberDocument.member_id)
                 .where(MemberDocument.key == key, Member.key == member_key))
        condition = visibility.members(actor)
        if condition is not None:
            query = query.where(condition)
        if with_file:
            query = query.options(undefer(MemberDocument.file))
        return self.session.scalar(query)
