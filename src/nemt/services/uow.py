"""Unit of work: a use case commits all of its changes or none (Architecture Patterns with Python, ch. 6)."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from nemt.store import repositories as repos
from nemt.store.database import default_engine, session_factory


class UnitOfWork:
    """``with UnitOfWork(factory) as uow: ...; uow.commit()`` — leaving the block without commit rolls back."""

    session: Session

    def __init__(self, factory: sessionmaker[Session] | None = None):
        self._factory = factory or session_factory(default_engine())

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.members = repos.MemberRepository(self.session)
        self.users = repos.UserRepository(self.session)
        self.organizations = repos.OrganizationRepository(self.session)
        self.audit = repos.AuditRepository(self.session)
        self.control_numbers = repos.ControlNumbers(self.session)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.session.rollback()  # no-op after a commit; undoes everything otherwise
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


def uow_factory(engine: Engine):
    """A callable making units of work on ``engine`` (handed to the API and CLI)."""
    factory = session_factory(engine)
    return lambda: UnitOfWork(factory)
