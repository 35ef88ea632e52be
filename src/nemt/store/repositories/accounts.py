"""Sessions, log-in attempts and the counts the throttles read (``nemt.services.platform.sessions``, ``auth`` and
``throttle``); ending every session and token of a user, or of an organization's users, in one statement each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, update

from nemt.store.models import ApiToken, LoginAttempt, User, WebSession
from nemt.store.repositories.base import Repository


class AccountRepository(Repository):
    # --- web sessions ---------------------------------------------------------------------------------------------

    def add_session(self, session_row: WebSession) -> WebSession:
        return self._added(session_row)

    def session_by_key(self, key_sha256: str) -> WebSession | None:
        return self.session.scalar(select(WebSession).where(WebSession.key_sha256 == key_sha256))

    def end_sessions_of(self, user_id: int, at: dt.datetime, reason: str) -> int:
        """End every open session of a user; returns how many were open."""
        return self._end_sessions(WebSession.user_id == user_id, at, reason)

    def end_sessions_of_organization(self, organization_id: int, at: dt.datetime, reason: str) -> int:
        """End every open session of an organization's users (it is deactivated); returns how many were open."""
        return self._end_sessions(WebSession.user_id.in_(_users_of(organization_id)), at, reason)

    def _end_sessions(self, whose: ColumnElement[bool], at: dt.datetime, reason: str) -> int:
        result: Any = self.session.execute(
            update(WebSession).where(whose, WebSession.ended_at.is_(None))
            .values(ended_at=at, end_reason=reason).execution_options(synchronize_session="fetch"))
        return int(result.rowcount or 0)

    # --- API tokens (listed and found by ``UserRepository``) --------------------------------------------------------

    def revoke_tokens_of(self, user_id: int, at: dt.datetime) -> int:
        """Revoke every live token of a user; returns how many were live."""
        return self._revoke_tokens(ApiToken.user_id == user_id, at)

    def revoke_tokens_of_organization(self, organization_id: int, at: dt.datetime) -> int:
        """Revoke every live token of an organization's users; returns how many were live."""
        return self._revoke_tokens(ApiToken.user_id.in_(_users_of(organization_id)), at)

    def _revoke_tokens(self, whose: ColumnElement[bool], at: dt.datetime) -> int:
        result: Any = self.session.execute(
            update(ApiToken).where(whose, ApiToken.revoked_at.is_(None))
            .values(revoked_at=at).execution_options(synchronize_session="fetch"))
        return int(result.rowcount or 0)

    # --- log-in attempts and throttles ----------------------------------------------------------------------------

    def add_attempt(self, attempt: LoginAttempt) -> None:
        self.session.add(attempt)

    def failures_from(self, client_address: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
        """How many failed log-ins came from this address since ``since``, and the oldest of them."""
        count, oldest = self.session.execute(
            select(func.count(LoginAttempt.id), func.min(LoginAttempt.at))
            .where(LoginAttempt.client_address == client_address, LoginAttempt.at >= since,
                   LoginAttempt.outcome != "ok")).one()
        return int(count or 0), oldest


def _users_of(organization_id: int) -> Select[Any]:
    return select(User.id).where(User.organization_id == organization_id)
