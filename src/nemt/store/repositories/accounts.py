"""Sessions, log-in attempts and the counts the throttles read (``nemt.services.platform.sessions``, ``auth`` and
``throttle``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update

from nemt.store.models import ApiToken, AuditEvent, LoginAttempt, WebSession
from nemt.store.repositories.base import Repository


class AccountRepository(Repository):
    # --- web sessions ---------------------------------------------------------------------------------------------

    def add_session(self, session_row: WebSession) -> WebSession:
        return self._added(session_row)

    def session_by_key(self, key_sha256: str) -> WebSession | None:
        return self.session.scalar(select(WebSession).where(WebSession.key_sha256 == key_sha256))

    def end_sessions_of(self, user_id: int, at: dt.datetime, reason: str) -> int:
        """End every open session of a user; returns how many were open."""
        result: Any = self.session.execute(
            update(WebSession).where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
            .values(ended_at=at, end_reason=reason).execution_options(synchronize_session="fetch"))
        return int(result.rowcount or 0)

    # --- API tokens -----------------------------------------------------------------------------------------------

    def tokens_of(self, user_id: int) -> list[ApiToken]:
        return list(self.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)
                                         .order_by(ApiToken.id.desc())))

    def token_by_id(self, token_id: int) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def revoke_tokens_of(self, user_id: int, at: dt.datetime) -> int:
        """Revoke every live token of a user; returns how many were live."""
        result: Any = self.session.execute(
            update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
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

    def members_read_by(self, user_id: int, since: dt.datetime) -> tuple[set[int], dt.datetime | None]:
        """The members whose record this user read since ``since`` (from the audit trail), and the earliest read."""
        rows = self.session.execute(
            select(AuditEvent.member_id, func.min(AuditEvent.at))
            .where(AuditEvent.user_id == user_id, AuditEvent.at >= since, AuditEvent.action == "read",
                   AuditEvent.entity == "member", AuditEvent.member_id.is_not(None))
            .group_by(AuditEvent.member_id)).all()
        return {r[0] for r in rows if r[0] is not None}, min((r[1] for r in rows), default=None)
