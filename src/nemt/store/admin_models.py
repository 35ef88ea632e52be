"""User administration: one-time set-password links.

A new user, and a user whose password an administrator reset, gets a link instead of a password typed by someone
else: only the SHA-256 of its random token is stored (like API tokens), it expires (``NEMT_RESET_LINK_HOURS``) and
works once. The person who signs in is then the only one who ever knew the password (45 CFR 164.312(a)(2)(i),
unique user identification; 164.312(d), person or entity authentication).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nemt.store.models import Base, User, utcnow


class PasswordLink(Base):
    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "new-user" or "reset"
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    # Set when the link is used, or when a newer link (or a disable) replaces it: either way it works no more.
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
