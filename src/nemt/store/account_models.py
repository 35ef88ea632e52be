"""Server-side web sessions and the record of log-in attempts (45 CFR 164.312(a)(2)(iii) automatic logoff,
164.312(b) audit controls, 164.312(d) person authentication).

A session row is made at each sign-in; the browser's signed cookie carries only a random key whose SHA-256 is the
row's ``key_sha256`` (and the form's CSRF token). Signing out, an idle timeout or the absolute lifetime ends the row,
so a copied cookie stops working the moment the session ends.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nemt.store.models import Base, User, utcnow


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # "full": signed in; "totp": the password was right, the second-factor code is awaited; "enrol": the role requires
    # a second factor the user has not set up, so only the enrolment page is open.
    stage: Mapped[str] = mapped_column(String(16), default="full")
    client_address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    end_reason: Mapped[str | None] = mapped_column(String(40), default=None)  # sign-out, idle timeout, …

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """One log-in attempt, page or API: the user name as typed (cut to 80 characters), the client's address and the
    outcome. The per-address throttle counts these; no password is ever stored."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    username: Mapped[str] = mapped_column(String(80))
    client_address: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(24))  # ok, wrong-password, locked, throttled, wrong-code, …

    __table_args__ = (Index("ix_login_attempts_address_at", "client_address", "at"),)
