"""Users, passwords (argon2id), log-in with throttling and lockout, and API tokens (only their SHA-256 is stored).

45 CFR 164.312(d) person authentication and 164.312(b) audit controls:

- :func:`log_in` is the one log-in of the pages and of ``POST /api/v1/auth/token``. It refuses an address with more
  than ``NEMT_LOGIN_ADDRESS_FAILURES`` failures in ``NEMT_LOGIN_ADDRESS_WINDOW_MINUTES`` (429, Retry-After), and
  locks an account after ``NEMT_LOGIN_LOCK_FAILURES`` consecutive failures until an administrator lifts it
  (``accounts.lift_lockout``). Every answer to a failed log-in is the same sentence, and a password is always verified
  (against a dummy hash when the user does not exist), so neither the answer nor its time tells whether an account
  exists or is locked.
- Every log-in, failure, lockout, lift, token issue and revocation writes an audit row (entity ``account`` or
  ``api-token``); never a password, a token or member data.
- API tokens expire (``NEMT_TOKEN_DAYS``), can be listed and revoked by their owner, and are checked by one read
  that goes on as the request's own; the last use written, at most once a minute, is committed at once
  (:func:`user_for_token`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from nemt import clock
from nemt.domain.actors import Actor, Role
from nemt.services.platform import audit, throttle
from nemt.services.platform.errors import InvalidInput, NotFound, TooManyRequests, Unauthorized
from nemt.settings import get_settings
from nemt.store.models import ApiToken, LoginAttempt, Organization, User

WRONG = "user name or password is wrong, or the account is locked after too many failed log-ins"
# last_used_at of a token is written at most this often (no write per request under load).
TOKEN_TOUCH_EVERY = dt.timedelta(minutes=1)


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


def hash_secret(secret: str) -> str:
    """The argon2id hash of a secret a person types (a password, a member's trip PIN), salted, for storing."""
    return _hasher().hash(secret)


def secret_matches(stored: str, secret: str) -> bool:
    """Whether ``secret`` is the one ``stored`` (a :func:`hash_secret` hash) was made of; False for anything that is
    not such a hash (a reset user's unusable password)."""
    try:
        return _hasher().verify(stored, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def hash_password(password: str) -> str:
    """A password's hash, after the password policy (at least 8 characters)."""
    if len(password) < 8:
        raise InvalidInput("a password has at least 8 characters", field="password", rule="password policy")
    return hash_secret(password)


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


def _password_matches(user: User | None, password: str) -> bool:
    matches = secret_matches(user.password_hash if user else _dummy_hash(), password)
    return matches and user is not None


def account_usable(user: User) -> bool:
    """Whether this account may act at all: active, of an active organization. (A lock stops new log-ins only: the
    sessions and tokens its owner already has keep working, so guessing at a password cannot lock its owner out.)"""
    return bool(user.active and getattr(user.organization, "active", True))


def may_sign_in(user: User) -> bool:
    """Whether this account may sign in now: usable and not locked."""
    return account_usable(user) and user.locked_at is None


# --- log-in: throttle, lockout, audit -------------------------------------------------------------------------------


def _address_limit() -> throttle.Limit:
    settings = get_settings()
    return throttle.Limit("log-in throttle per address", settings.login_address_failures,
                          dt.timedelta(minutes=settings.login_address_window_minutes),
                          "too many failed log-ins from this address; wait and try again")


def _anonymous(username: str) -> Actor:
    """The actor of an audit row for a log-in under a name no account has (the name as typed, cut short)."""
    return Actor(None, username[:80] or "-", "unknown", None, None, None)


def _attempt(uow, username: str, address: str, outcome: str) -> None:
    uow.accounts.add_attempt(LoginAttempt(username=username[:80], client_address=address[:64], outcome=outcome))


def record_failure(uow, user: User | None, username: str, address: str, outcome: str, via: str) -> None:
    """A failed log-in (wrong password or wrong code): recorded, audited, counted towards the lockout; commits."""
    _attempt(uow, username, address, outcome)
    if user is None:
        audit.record(uow, _anonymous(username), "log-in failed", "account", None, outcome=outcome, via=via)
    else:
        audit.record(uow, actor_of(user), "log-in failed", "account", None, outcome=outcome, via=via)
        failures = uow.users.count_failed_login(user.id)  # one statement: concurrent failures all count
        if failures is not None and failures >= get_settings().login_lock_failures:
            if uow.users.lock(user.id, clock.now()):
                audit.record(uow, actor_of(user), "lock", "account", None, failures=failures)
    uow.commit()
    if user is not None:
        uow.users.reload(user)  # the caller sees the count and the lock


def log_in(uow, username: str, password: str, client_address: str, via: str) -> User:
    """Check a user name and password (``via``: "page" or "api"); returns the user, whose second factor the caller
    asks for next when it is enrolled or required (``nemt.services.platform.totp``). Commits the attempt."""
    address = client_address or "unknown"
    limit = _address_limit()
    used, oldest = uow.accounts.failures_from(address[:64], limit.since())
    try:
        limit.check(used, oldest, field="username")
    except TooManyRequests:
        _attempt(uow, username, address, "throttled")
        uow.commit()
        raise
    user = uow.users.by_username(username)
    matches = _password_matches(user, password)  # always verified: the same time whether or not the user exists
    if user is None or not matches or not may_sign_in(user):
        outcome = "unknown user" if user is None else ("wrong password" if not matches else "refused")
        if user is not None and user.locked_at is not None:
            outcome = "locked"
        record_failure(uow, user, username, address, outcome, via)
        raise Unauthorized(WRONG, field="password", rule="log-in")
    return user


def log_in_succeeded(uow, user: User, client_address: str, via: str) -> None:
    """Every factor given: the failure count starts again; recorded and audited. The caller commits."""
    user.failed_logins = 0
    _attempt(uow, user.username, client_address or "unknown", "ok")
    audit.record(uow, actor_of(user), "log-in", "account", None, via=via)


# --- API tokens -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenInfo:
    """What a token's owner sees of it: never the token itself."""

    id: int
    label: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.label, row.created_at, row.expires_at, row.last_used_at, row.revoked_at)


@dataclass(frozen=True)
class NewToken:
    """A token just issued, shown once (only its SHA-256 is kept), and when it expires."""

    token: str
    expires_at: dt.datetime


def issue_token(uow, user: User, label: str = "", days: int | None = None) -> NewToken:
    """A new API token for ``user``, living ``days`` (at most, and by default, ``NEMT_TOKEN_DAYS``). Audited; the
    caller commits."""
    most = get_settings().token_days
    if days is not None and not 1 <= days <= most:
        raise InvalidInput(f"a token lives from 1 to {most} days", field="days", rule="API token lifetime")
    token = "nemt_" + secrets.token_urlsafe(32)
    expires_at = clock.now() + dt.timedelta(days=days or most)
    row = ApiToken(user_id=user.id, token_sha256=token_sha256(token), label=label, expires_at=expires_at)
    uow.users.add_token(row)
    audit.record(uow, actor_of(user), "issue", "api-token", None, token=row.id, days=days or most)
    return NewToken(token, expires_at)


def user_for_token(uow, token: str) -> User:
    """The user of a live API token, else 401 naming the rule (unknown, revoked, expired).

    When the token's last use is written (at most once a minute, ``TOKEN_TOUCH_EVERY``), it is committed here, so the
    token's row is never held locked while the request goes on. Otherwise nothing is written and the read goes on as
    the request's own: ending it here and beginning again cost more round trips to the database on every API request
    (the commit, a pooled connection checked out and pinged again, a new BEGIN: a member search waited on the
    database 17 times, now 12; ``python -m benchmarks load``). Reads are READ COMMITTED, so nothing the request reads
    later is older for it."""
    row = uow.users.token(token_sha256(token))
    now = clock.now()
    problem = None
    if row is None:
        problem = ("the API token is unknown", "API tokens")
    elif row.revoked_at is not None:
        problem = ("the API token was revoked", "API token revoked")
    elif row.expires_at is not None and row.expires_at <= now:
        problem = ("the API token has expired; ask for a new one", "API token expired")
    elif not account_usable(row.user):
        problem = ("the API token's account is disabled", "API tokens")
    if problem is not None:
        uow.rollback()
        raise Unauthorized(problem[0], field="Authorization", rule=problem[1])
    assert row is not None
    user = row.user
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_TOUCH_EVERY:
        row.last_used_at = now
        uow.commit()
    return user


def list_tokens(uow, actor: Actor) -> list[TokenInfo]:
    """The actor's own tokens, newest first."""
    if actor.user_id is None:
        return []
    return [_info(row) for row in uow.users.tokens_of(actor.user_id)]


def tokens_of(uow, username: str) -> list[TokenInfo]:
    """A user's tokens, for the command line (run by the platform's operator)."""
    user = uow.users.by_username(username)
    if user is None:
        raise NotFound("no such user", field="username", rule="users")
    return [_info(row) for row in uow.users.tokens_of(user.id)]


def revoke_token_id(uow, actor: Actor, token_id: int) -> TokenInfo:
    """Revoke one token: its owner may; so may the system (the command line). Audited; commits."""
    row = uow.users.token_by_id(token_id)
    if row is None or (not actor.is_system and row.user_id != actor.user_id):
        raise NotFound("no such API token", field="id", rule="API tokens are revoked by their owner")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        audit.record(uow, actor if not actor.is_system else actor_of(row.user), "revoke", "api-token", None,
                     token=row.id, by="owner" if not actor.is_system else actor.username)
    uow.commit()
    return _info(row)


def revoke_token(uow, token: str) -> None:
    """Revoke the token itself (its holder signs out of the API). The caller commits."""
    row = uow.users.token(token_sha256(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = clock.now()
        audit.record(uow, actor_of(row.user), "revoke", "api-token", None, token=row.id, by="owner")


def revoke_all_tokens(uow, user: User) -> int:
    """Revoke every live token of a user (disabled, password reset); returns how many. Audited as one record; the
    caller commits (with its own change)."""
    count = uow.accounts.revoke_tokens_of(user.id, clock.now())
    if count:
        audit.record(uow, actor_of(user), "revoke", "api-token", None, tokens=count, by="all")
    return count


def check_database(uow) -> str:
    """The health check: the database answers; returns its dialect (``sqlite`` or ``postgresql``)."""
    uow.users.ping()
    return uow.dialect


def token_sha256(secret: str) -> str:
    """The SHA-256 (hex) under which a random secret handed to someone is stored: API tokens, session keys,
    set-password links. Plain SHA-256 suffices for 256 random bits (no dictionary to guess from); a copy of the
    database opens nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()
