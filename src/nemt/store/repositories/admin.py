"""User and organization administration: the users and organizations an administrator manages, and the one-time
set-password links.

Who manages whom is scoped in the store, like every other row rule (``nemt.store.visibility.organizations``): the
platform (a command) manages everyone; a program's administrator, the organizations of their program and their users;
a transportation-provider administrator, their own organization's users only. Which *roles* an actor may grant (and
so which users they may touch at all) is the service's rule, passed in as ``roles``
(``nemt.services.platform.accounts.grantable_roles``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import ColumnElement, func, select, update

from nemt.domain.actors import Actor
from nemt.store import visibility
from nemt.store.admin_models import PasswordLink
from nemt.store.models import Organization, User
from nemt.store.repositories.base import Repository

MAX_LISTED = 1000


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
        return self.session.scalar(self._managed(actor, roles).where(User.username == username))

    def count_users_of(self, organization_id: int) -> int:
        return int(self.session.scalar(select(func.count(User.id)).where(User.organization_id == organization_id))
                   or 0)

    def _managed(self, actor: Actor, roles: Collection[str]):
        query = select(User).join(Organization, User.organization_id == Organization.id)
        query = query.where(User.role.in_(sorted(roles)))
        scope = visibility.organizations(actor)
        return query if scope is None else query.where(scope)

    # --- organizations -----------------------------------------------------------------------------------------

    def organizations(self, actor: Actor, *, active: bool | None = None) -> list[Organization]:
        """The organizations ``actor`` administers, by program and name."""
        query = select(Organization).order_by(Organization.program, Organization.name)
        scope = visibility.organizations(actor)
        if scope is not None:
            query = query.where(scope)
        if active is not None:
            query = query.where(Organization.active.is_(active))
        return list(self.session.scalars(query))

    def organization(self, actor: Actor, key: str) -> Organization | None:
        return self._organization(actor, Organization.key == key)

    def organization_named(self, actor: Actor, name: str, program: str | None = None) -> list[Organization]:
        """The organizations ``actor`` administers with this exact name (one per program at most)."""
        query = select(Organization).where(Organization.name == name)
        if program is not None:
            query = query.where(Organization.program == program)
        scope = visibility.organizations(actor)
        return list(self.session.scalars(query if scope is None else query.where(scope)))

    def _organization(self, actor: Actor, condition: ColumnElement[bool]) -> Organization | None:
        scope = visibility.organizations(actor)
        query = select(Organization).where(condition)
        return self.session.scalar(query if scope is None else query.where(scope))

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
        return self._void_links(PasswordLink.user_id == user_id, at)

    def void_links_of_organization(self, organization_id: int, at: dt.datetime) -> int:
        """End every unused link of an organization's users (it is deactivated)."""
        return self._void_links(PasswordLink.user_id.in_(select(User.id).where(User.organization_id
                                                                                == organization_id)), at)

    def _void_links(self, whose: ColumnElement[bool], at: dt.datetime) -> int:
        result = self.session.execute(update(PasswordLink).where(whose, PasswordLink.used_at.is_(None))
                                      .values(used_at=at).execution_options(synchronize_session=False))
        return result.rowcount  # type: ignore[attr-defined]
