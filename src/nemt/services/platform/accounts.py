"""User administration: list, create, disable, enable, change the role of, reset and unlock users — each change
audited with who made it and what changed (45 CFR 164.312(b) audit controls; 164.308(a)(4) access authorization and
modification).

Who manages whom:

- a program's administrator: every user of their program's organizations, any role (``grantable_roles``);
- a transportation-provider administrator: their own organization's drivers and provider administrators only;
- the platform itself (the ``nemt users`` command): everyone.

Nobody grants a role they may not grant themselves, changes their own role, or disables themselves. A user out of
the actor's reach is "not found" (its existence is not told). A role fits its organization's kind
(``ROLES_BY_KIND``: a driver works for a transportation provider). No password is ever typed by an administrator:
creating or resetting a user gives a one-time link (``password_links``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from nemt.domain.actors import Actor, OrgKind, Role
from nemt.services.platform import audit, organizations, password_links
from nemt.services.platform.access import end_access, end_sign_ins
from nemt.services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from nemt.services.platform.password_links import Issued
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Organization, User
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

ALL_ROLES: frozenset[str] = frozenset(r.value for r in Role)
PROVIDER_STAFF: frozenset[str] = frozenset({Role.DRIVER.value, Role.PROVIDER_ADMIN.value})
ROLES_BY_KIND: Mapping[str, frozenset[str]] = {
    OrgKind.DEPARTMENT: frozenset({Role.AUDITOR, Role.ADMIN}),
    OrgKind.BROKER: frozenset({Role.AGENT, Role.DISPATCHER, Role.AUDITOR, Role.ADMIN}),
    OrgKind.PROVIDER: PROVIDER_STAFF,
    OrgKind.FACILITY: frozenset({Role.FACILITY_SCHEDULER}),
}
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,79}")

SCOPE = "user administration scope"
NO_ESCALATION = "no role above one's own grant"
NOT_SELF = "no change to one's own account"


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    role: str
    organization: str  # its key, or its exact name
    program: str | None = None  # narrows an organization name used in two programs


def grantable_roles(actor: Actor) -> frozenset[str]:
    """The roles ``actor`` may give (and so the users whose role they may change at all)."""
    if actor.is_system or actor.role == Role.ADMIN:
        return ALL_ROLES
    if actor.role == Role.PROVIDER_ADMIN:
        return PROVIDER_STAFF
    return frozenset()


def assignable_roles(actor: Actor, organization: Organization) -> frozenset[str]:
    """The roles ``actor`` may give a user of ``organization``: those they may grant that fit its kind."""
    return grantable_roles(actor) & ROLES_BY_KIND.get(organization.kind, frozenset())


def list_users(uow, actor: Actor, *, organization: str | None = None, role: str | None = None,
               active: bool | None = None, locked: bool | None = None) -> list[User]:
    """The users the actor manages, narrowed by organization (key or name), role, active and locked."""
    require(actor, Action.USER_ADMIN)
    org_id = organizations.find(uow, actor, organization).id if organization else None
    if role is not None and role not in ALL_ROLES:
        raise InvalidInput(f"unknown role {role!r}", field="role", rule="roles")
    return uow.admin.users(actor, grantable_roles(actor), organization_id=org_id, role=role, active=active,
                           locked=locked)


def get_user(uow, actor: Actor, username: str) -> User:
    require(actor, Action.USER_ADMIN)
    user = uow.admin.user(actor, grantable_roles(actor), username)
    if user is None:
        raise NotFound(f"no user {username!r} that you manage", field="username", rule=SCOPE)
    return user


def managed_organizations(uow, actor: Actor, *, active: bool | None = None) -> list[Organization]:
    """The organizations whose users the actor manages (``active=True``: those a new user may join)."""
    require(actor, Action.USER_ADMIN)
    return uow.admin.organizations(actor, active=active)


def create_user(uow, actor: Actor, new: NewUser) -> Issued:
    """A new, active user with no password yet, and the one-time link that lets them set it."""
    require(actor, Action.USER_ADMIN)
    username, display_name = new.username.strip(), new.display_name.strip()
    if not USERNAME.fullmatch(username):
        raise InvalidInput("a user name is 2 to 80 letters, digits or . _ @ -, starting with a letter or digit",
                           field="username", rule="user names")
    if not display_name:
        raise InvalidInput("a user has a display name", field="display_name", rule="user names")
    organization = organizations.find(uow, actor, new.organization, new.program)
    if not organization.active:
        raise Conflict("the organization is deactivated", field="organization", rule=organizations.DEACTIVATED)
    _check_role(actor, new.role, organization)
    if uow.users.by_username(username) is not None:  # user names are unique across the platform
        raise Conflict("that user name is taken", field="username", rule="unique user names")
    try:
        user = uow.users.add(User(username=username, display_name=display_name, role=new.role,
                                  password_hash=password_links.unusable_password(), organization=organization))
        issued = password_links.issue(uow, actor, user, password_links.NEW_USER)
        audit.record(uow, actor, "create", "user", None, user=username, role=new.role,
                     organization=organization.key)
        uow.commit()
    except CONCURRENT_WRITE_ERRORS:
        uow.rollback()
        raise Conflict("that user name is taken", field="username", rule="unique user names") from None
    return issued


def set_active(uow, actor: Actor, username: str, active: bool) -> User:
    """Disable (``active=False``: their sessions, tokens and links end) or enable a user again."""
    user = get_user(uow, actor, username)
    if not active:
        _not_self(actor, user, "disable")
    if user.active == active:
        return user
    user.active = active
    if not active:
        end_access(uow, user, "account disabled")
    audit.record(uow, actor, "enable" if active else "disable", "user", None, user=user.username)
    uow.commit()
    return user


def change_role(uow, actor: Actor, username: str, role: str) -> User:
    """Give a user another role: one the actor may grant, that fits the user's organization. Their sessions and
    API tokens end, so that they sign in again with what the new role needs (a second factor for administrators
    and auditors)."""
    user = get_user(uow, actor, username)
    _not_self(actor, user, "change the role of")
    _check_role(actor, role, user.organization)
    old = user.role
    if old == role:
        return user
    user.role = role
    end_sign_ins(uow, user, "role changed")
    audit.record(uow, actor, "role-change", "user", None, user=user.username, old_role=old, new_role=role)
    uow.commit()
    return user


def reset_password(uow, actor: Actor, username: str) -> Issued:
    """The old password stops working, the user's sessions and API tokens end, and a new one-time link sets the
    next password."""
    user = get_user(uow, actor, username)
    user.password_hash = password_links.unusable_password()
    end_sign_ins(uow, user, "password reset")
    issued = password_links.issue(uow, actor, user, password_links.RESET)  # voids the older links too
    audit.record(uow, actor, "password-reset", "user", None, user=user.username)
    uow.commit()
    return issued


def lift_lockout(uow, actor: Actor, username: str) -> User:
    """Lift the lockout that too many failed log-ins put on the account (``auth.log_in``); the failure count starts
    again. Audited (entity ``account``, like the lock itself)."""
    user = get_user(uow, actor, username)
    was_locked = user.locked_at is not None
    user.locked_at, user.failed_logins = None, 0
    audit.record(uow, actor, "lift lockout", "account", None, user=user.id, was_locked=was_locked)
    uow.commit()
    return user


def is_locked(user: User) -> bool:
    return user.locked_at is not None


def _check_role(actor: Actor, role: str, organization: Organization) -> None:
    if role not in ALL_ROLES:
        raise InvalidInput(f"the role is one of {', '.join(sorted(ALL_ROLES))}", field="role", rule="roles")
    if role not in grantable_roles(actor):
        raise Forbidden(f"you may not grant the role {role!r}", field="role", rule=NO_ESCALATION)
    if role not in assignable_roles(actor, organization):
        raise InvalidInput(f"a {organization.kind.replace('-', ' ')} has no {role.replace('-', ' ')} users",
                           field="role", rule="role fits the organization")


def _not_self(actor: Actor, user: User, what: str) -> None:
    if actor.user_id is not None and actor.user_id == user.id:
        raise Forbidden(f"you may not {what} your own account", field="username", rule=NOT_SELF)
