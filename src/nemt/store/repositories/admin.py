"""User and organization administration: the users and organizations an administrator manages, and the one-time
set-password links.

Who manages whom is scoped here, in the store, like every other row rule (``nemt.store.visibility``): the
platform (a command) manages everyone; a program's administrator, the organizations of their program and their users;
a transportation-provider administrator, their own organization's users only. Which *roles* an actor may grant (and
so which users they may touch at all) is the service's rule, passed in as ``roles``
(``nemt.services.platform.accounts.grantable_roles``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import ColumnElement, false, select, update

from nemt.domain.actors import Actor, Role
from nemt.store.admin_models import PasswordLink
from nemt.store.models import Organization, User
from nemt.store.repositories.base import Repository

MAX_LISTED = 1000


def _storable(*texts: str | None) -> bool:
    """Whether every text could be a stored value: none holds a NUL character (which no column holds, and which
    PostgreSQL refuses even in a query's parameter), so a look-up of one finds nothing instead of failing."""
    return not any(t is not None and "\x00" in t for t in texts)


def _organizations_of(actor: Actor) -> ColumnElement[bool] | None:
    """The organizations ``actor`` administers (None: every one)."""
    if actor.is_system:
        return None
    if actor.role == Role.ADMIN:
        return Organization.program == actor.program if actor.program else None
    if actor.role == Role.PROVIDER_ADMIN and actor.organization_id is not None:
        return Organization.id == actor.organization_id
    return false()


class AdminRepository(Repository):
    # --- users -------------------------------------------------------------------------------------------------

    def users(self, actor: Actor, roles: Collection[str], *, organization_id: int | None = None,
              role: str | None = None, active: bool | None = None, locked: bool | None = None,
              limit: int = MAX_LISTED) -> list[User]:
        """The users ``actor`` manages whose role is one of ``roles``, narrowed by the filters; by organization,
        then user name."""
        query = self._managed(actor, roles).order_by(Organization.name, User.username).limit(limit)
        if organization_id is not None:
            query = query.where(User.organization_id == organization_id)
        if role is not None:
            query = query.where(User.role == role)
        if active is not None:
            query = query.where(User.active.is_(active))
        if locked is not None:
            query = query.where(User.locked_at.is_not(None) if locked else User.locked_at.is_(None))
        return list(self.session.scalars(query))

    def user(self, actor: Actor, roles: Collection[str], username: str) -> User | None:
        """The user named ``username`` if ``actor`` manages them (their role among ``roles``), else None."""
        if not _storable(username):
            return None
        return self.session.scalar(self._managed(actor, roles).where(User.username == username))

    def username_taken(self, username: str) -> bool:
        """Whether any user (managed by anyone) has this name: user names are unique across the platform."""
        if not _storable(username):
            return False
        return self.session.scalar(select(User.id).where(User.username == username)) is not None

    def users_of(self, organization_id: int) -> list[User]:
        return list(self.session.scalars(select(User).where(User.organization_id == organization_id)))

    def _managed(self, actor: Actor, roles: Collection[str]):
        query = select(User).join(Organization, User.organization_id == Organization.id)
        query = query.where(User.role.in_(sorted(roles)))
        scope = _organizations_of(actor)
        return query if scope is None else query.where(scope)

    # --- organizations -----------------------------------------------------------------------------------------

    def organizations(self, actor: Actor, *, active: bool | None = None) -> list[Organization]:
        """The organizations ``actor`` administers, by program and name."""
        query = select(Organization).order_by(Organization.program, Organization.name)
        scope = _organizations_of(actor)
        if scope is not None:
            query = query.where(scope)
        if active is not None:
            query = query.where(Organization.active.is_(active))
        return list(self.session.scalars(query))

    def organization(self, actor: Actor, key: str) -> Organization | None:
        if not _storable(key):
            return None
        return self._organization(actor, Organization.key == key)

    def organization_named(self, actor: Actor, name: str, program: str | None = None) -> list[Organization]:
        """The organizations ``actor`` administers with this exact name (one per program at most)."""
        if not _storable(name, program):
            return []
        query = select(Organization).where(Organization.name == name)
        if program is not None:
            query = query.where(Organization.program == program)
        scope = _organizations_of(actor)
        return list(self.session.scalars(query if scope is None else query.where(scope)))

    def _organization(self, actor: Actor, condition: ColumnElement[bool]) -> Organization | None:
        scope = _organizations_of(actor)
        query = select(Organization).where(condition)
        return self.session.scalar(query if scope is None else query.where(scope))

    def add_organization(self, organization: Organization) -> Organization:
        return self._added(organization)

    def organization_exists(self, program: str, name: str) -> bool:
        if not _storable(program, name):
            return False
        return self.session.scalar(select(Organization.id).where(Organization.program == program,
                                                                 Organization.name == name)) is not None

    # --- one-time set-password links ---------------------------------------------------------------------------

    def add_link(self, link: PasswordLink) -> PasswordLink:
        return self._added(link)

    def link(self, token_sha256: str) -> PasswordLink | None:
        return self.session.scalar(select(PasswordLink).where(PasswordLink.token_sha256 == token_sha256))

    def use_link(self, link_id: int, at: dt.datetime) -> bool:
        """Mark the link used, if nobody used it first: a guarded update, so of two uses at once one wins (the
        row lock of PostgreSQL, the write lock of SQLite)."""
        result = self.session.execute(update(PasswordLink).where(PasswordLink.id == link_id,
                                                                 PasswordLink.used_at.is_(None))
                                      .values(used_at=at).execution_options(synchronize_session=False))
        return result.rowcount == 1  # type: ignore[attr-defined]

    def void_links(self, user_id: int, at: dt.datetime) -> int:
        """End every unused link of a user (a newer link, or the account disabled, replaces them)."""
        result = self.session.execute(update(PasswordLink).where(PasswordLink.user_id == user_id,
                                                                 PasswordLink.used_at.is_(None))
                                      .values(used_at=at).execution_options(synchronize_session=False))
        return result.rowcount  # type: ignore[attr-defined]
