"""Users, passwords (argon2id) and API tokens (only their SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from nemt.domain.actors import Actor, Role
from nemt.services.platform.errors import InvalidInput, Unauthorized
from nemt.settings import get_settings
from nemt.store.models import ApiToken, Organization, User, utcnow


@cache
def _hasher() -> PasswordHasher:
    """argon2id with the library's recommended cost. ``NEMT_PASSWORD_HASH_COST=test`` (set by the test suite
    only) lowers the cost so that seeding users per test stays fast; hashes stay argon2id either way."""
    if get_settings().password_hash_cost == "test":
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Verifying against this keeps the time of a failed log-in the same whether or not the user exists.
    return _hasher().hash("not-a-password")


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise InvalidInput("a password has at least 8 characters", field="password", rule="password policy")
    return _hasher().hash(password)


def actor_of(user: User) -> Actor:
    org: Organization = user.organization
    return Actor(user.id, user.username, user.role, org.id, org.kind, org.program)


def create_user(uow, username: str, password: str, role: Role | str, organization: Organization,
                display_name: str | None = None) -> User:
    if role not in {r.value for r in Role}:
        raise InvalidInput(f"unknown role {role!r}", field="role", rule="roles")
    if uow.users.by_username(username):
        raise InvalidInput("that user name is taken", field="username", rule="unique user names")
    user = User(username=username, display_name=display_name or username, password_hash=hash_password(password),
                role=str(role), organization=organization)
    return uow.users.add(user)


def authenticate(uow, username: str, password: str) -> User:
    user = uow.users.by_username(username)
    try:
        _hasher().verify(user.password_hash if user else _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active:
        raise Unauthorized("user name or password is wrong", field="password", rule="log-in")
    return user


def issue_token(uow, user: User, label: str = "") -> str:
    token = "nemt_" + secrets.token_urlsafe(32)
    uow.users.add_token(ApiToken(user_id=user.id, token_sha256=_sha(token), label=label))
    return token


def user_for_token(uow, token: str) -> User:
    row = uow.users.token(_sha(token), revoked=False)
    if row is None or not row.user.active:
        raise Unauthorized("the API token is unknown or revoked", field="Authorization", rule="API tokens")
    return row.user


def revoke_token(uow, token: str) -> None:
    row = uow.users.token(_sha(token))
    if row is not None:
        row.revoked_at = utcnow()


def check_database(uow) -> str:
    """The health check: the database answers; returns its dialect (``sqlite`` or ``postgresql``)."""
    uow.users.ping()
    return uow.dialect


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
