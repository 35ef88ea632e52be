"""Server-side web sessions: 45 CFR 164.312(a)(2)(iii) automatic logoff and 164.312(a)(2)(i) unique user
identification.

Each sign-in makes a row (``WebSession``); the browser's signed cookie carries only a random key, whose SHA-256 finds
the row. :func:`resolve` is the one check of a session, used by the API (``nemt.http.deps.current_actor``) and the
pages (``nemt.web.common.signed_in``): an unknown, ended or expired session is signed out. A session ends at sign-out,
after ``NEMT_SESSION_IDLE_MINUTES`` without a request, ``NEMT_SESSION_MAX_HOURS`` after sign-in, or when an
administrator disables the user or resets the password (:func:`end_all_for_user`). Each end is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets

from nemt import clock
from nemt.services.platform import audit
from nemt.services.platform.auth import account_usable, actor_of, token_sha256
from nemt.services.platform.errors import Unauthorized
from nemt.settings import get_settings
from nemt.store.models import User, WebSession

FULL, TOTP, ENROL = "full", "totp", "enrol"  # the stages of a session (see WebSession.stage)
# The rules named when a session still has a sign-in step to do (the pages redirect to that step).
RULE_CODE, RULE_ENROL = "second factor", "second factor enrolment"
# last_seen_at is written at most this often, so a page full of requests does not write a row each.
TOUCH_EVERY = dt.timedelta(minutes=1)


def start(uow, user: User, stage: str, client_address: str = "") -> str:
    """A new session for ``user`` (at sign-in); returns the cookie's key. The caller commits."""
    key = secrets.token_urlsafe(32)
    uow.accounts.add_session(WebSession(key_sha256=token_sha256(key), user_id=user.id, stage=stage,
                                        client_address=client_address[:64]))
    return key


def _expiry(row: WebSession, now: dt.datetime) -> str | None:
    """Why the session has run out at ``now`` ("idle timeout", "lifetime"), or None while it is alive."""
    settings = get_settings()
    if now - row.created_at >= dt.timedelta(hours=settings.session_max_hours):
        return "lifetime"
    if now - row.last_seen_at >= dt.timedelta(minutes=settings.session_idle_minutes):
        return "idle timeout"
    return None


def resolve(uow, key: str | None, *, stages: tuple[str, ...] = (FULL,)) -> WebSession:
    """The live session with this cookie key in one of ``stages``, else Unauthorized (signed out).

    A session found expired is ended here (and the timeout audited); a live one has its last-seen time moved on at
    most once a minute. Either way the transaction is committed at once (a commit with nothing written when the
    session is only read), so the check holds no database transaction open while the request runs and the loaded
    session, user and organization stay usable (a rollback would expire them, and the caller would load them
    again)."""
    row = uow.accounts.session_by_key(token_sha256(key)) if key else None
    if row is None or row.ended_at is not None or not account_usable(row.user):
        uow.rollback()
        raise Unauthorized("sign in first", rule="authentication")
    now = clock.now()
    reason = _expiry(row, now)
    if reason is not None:
        _end(uow, row, now, reason)
        uow.commit()
        raise Unauthorized("your session ended after a time without use; sign in again", rule=f"session {reason}")
    if row.stage not in stages:
        uow.rollback()
        if row.stage == ENROL:
            raise Unauthorized("your role requires a second factor: set it up first", rule=RULE_ENROL)
        raise Unauthorized("type the code from your authenticator app first", rule=RULE_CODE)
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    uow.commit()
    return row


def peek(uow, key: str | None) -> WebSession | None:
    """The live session with this key at any stage, or None (for the sign-in steps and the error page)."""
    try:
        return resolve(uow, key, stages=(FULL, TOTP, ENROL))
    except Unauthorized:
        return None


def advance(uow, row: WebSession, stage: str) -> None:
    """Move a session on (second factor given or enrolled). The caller commits."""
    row.stage = stage


def _end(uow, row: WebSession, at: dt.datetime, reason: str) -> None:
    row.ended_at, row.end_reason = at, reason
    audit.record(uow, actor_of(row.user), "end", "session", None, reason=reason, session=row.id)


def end(uow, key: str | None, reason: str = "sign-out") -> None:
    """End the session with this key (sign-out); nothing happens for an unknown or ended one. Commits."""
    row = uow.accounts.session_by_key(token_sha256(key)) if key else None
    if row is not None and row.ended_at is None:
        _end(uow, row, clock.now(), reason)
        uow.commit()


def end_all_for_user(uow, user: User, reason: str) -> int:
    """End every open session of a user (disabled, password reset, locked); returns how many ended. Audited as one
    record; the caller commits (with its own change, so both happen or neither)."""
    count = uow.accounts.end_sessions_of(user.id, clock.now(), reason[:40])
    if count:
        audit.record(uow, actor_of(user), "end", "session", None, reason=reason[:40], sessions=count)
    return count
