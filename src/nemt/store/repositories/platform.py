"""The platform's repositories: users and their API tokens, organizations and the control-number counters (the
audit trail has its own module, ``audit``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Sequence, select, text, update

from nemt.store.models import ApiToken, ControlNumber, Organization, User
from nemt.store.repositories.base import Repository


class UserRepository(Repository):
    def by_username(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username))

    def by_id(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def add(self, user: User) -> User:
        """Add a user and flush, so that it has its id."""
        return self._added(user)

    def add_token(self, token: ApiToken) -> None:
        self._added(token)

    def token(self, token_sha256: str, *, revoked: bool = True) -> ApiToken | None:
        """The API token with this SHA-256; with ``revoked=False``, only while it is not revoked."""
        query = select(ApiToken).where(ApiToken.token_sha256 == token_sha256)
        if not revoked:
            query = query.where(ApiToken.revoked_at.is_(None))
        return self.session.scalar(query)

    def tokens_of(self, user_id: int) -> list[ApiToken]:
        """A user's API tokens, newest first."""
        return list(self.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                         .order_by(ApiToken.id.desc())))

    def token_by_id(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def count_failed_login(self, user_id: int) -> int | None:
        """Add one to the user's consecutive failed log-ins in one statement (concurrent failures each count: no lost
        update); returns the new count, or None when the account is already locked."""
        result = self.session.execute(
            update(User).where(User.id == user_id, User.locked_at.is_(None))
            .values(failed_logins=User.failed_logins + 1).returning(User.failed_logins)
            .execution_options(synchronize_session=False)).scalar()
        return None if result is None else int(result)

    def lock(self, user_id: int, at: dt.datetime) -> bool:
        """Lock the account unless it is locked already; True when this call locked it (one lock record per lock)."""
        result: Any = self.session.execute(
            update(User).where(User.id == user_id, User.locked_at.is_(None)).values(locked_at=at)
            .execution_options(synchronize_session=False))
        return int(result.rowcount or 0) == 1

    def reload(self, user: User) -> None:
        """Read the user's row again (after a statement that changed it in the database)."""
        self.session.refresh(user)

    def ping(self) -> None:
        """Ask the database a trivial question (the health check): raises if it does not answer."""
        self.session.execute(text("SELECT 1"))


class OrganizationRepository(Repository):
    def by_name(self, program: str, name: str) -> Organization | None:
        return self.session.scalar(
            select(Organization).where(Organization.program == program, Organization.name == name)
        )

    def by_id(self, org_id: int) -> Organization | None:
        return self.session.get(Organization, org_id)

    def names(self, ids: Collection[int]) -> dict[int, str]:
        """The names of these organizations, by id (one query)."""
        if not ids:
            return {}
        return dict(self.session.execute(select(Organization.id, Organization.name)
                                         .where(Organization.id.in_(sorted(ids)))).tuples().all())

    def add(self, organization: Organization) -> Organization:
        """Add an organization and flush, so that it has its id."""
        return self._added(organization)


CONFIRMATION_SEQUENCE = "trip_confirmations"


class ControlNumbers(Repository):
    """Gap-tolerant, never-repeating counters. The row lock (PostgreSQL) or the write lock (SQLite) held until
    commit makes two allocators in parallel get different values."""

    def next(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` consecutive values; returns the first."""
        result = self.session.execute(
            update(ControlNumber).where(ControlNumber.name == name)
            .values(last_value=ControlNumber.last_value + count).returning(ControlNumber.last_value)
        ).scalar()
        if result is None:
            self.session.add(ControlNumber(name=name, last_value=count))
            self.session.flush()
            return 1
        return result - count + 1

    def confirmation(self, program: str) -> int:
        """The next confirmation number of a trip of ``program``. On PostgreSQL from the sequence
        ``trip_confirmations`` (migration 0024_load_indexes), shared by the programs: ``nextval`` holds no lock until
        the commit, where the counter row's lock made every booking of every process wait for the one before it to
        commit (``python -m benchmarks load``). On SQLite, one writer at a time in any case, the counter
        ``confirmation-<program>``."""
        if self.session.get_bind().dialect.name == "postgresql":
            return int(self.session.execute(select(Sequence(CONFIRMATION_SEQUENCE).next_value())).scalar_one())
        return self.next(f"confirmation-{program}")
