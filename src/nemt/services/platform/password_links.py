"""One-time set-password links: how a new user gets their first password and a reset user their next one.

No administrator ever types or sees a password (45 CFR 164.312(a)(2)(i) unique user identification: only the person
knows it). The link carries 256 random bits; only their SHA-256 is stored (like API tokens), so a copy of the
database opens no account. A link expires after ``NEMT_RESET_LINK_HOURS`` (default 24), works once (a guarded
update: of two uses at once, one wins), and a newer link, or disabling the account, ends the older ones. The token is
not protected health information, which is why it may travel in a URL (``/account/set-password/{token}``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from nemt import clock
from nemt.domain.actors import Actor
from nemt.services.platform import audit, auth
from nemt.services.platform.errors import NotFound
from nemt.settings import get_settings
from nemt.store.admin_models import PasswordLink
from nemt.store.models import User

SET_PASSWORD_PATH = "/account/set-password/"
NEW_USER, RESET = "new-user", "reset"
RULE = "one-time set-password link"


@dataclass(frozen=True)
class Issued:
    """A user and the one-time link that sets their password; the token is shown once and stored nowhere."""

    user: User
    token: str
    expires_at: dt.datetime

    @property
    def path(self) -> str:
        return SET_PASSWORD_PATH + self.token

    def url(self, base: str) -> str:
        """The link under ``base`` (``https://nemt.example.org``, or the request's own address)."""
        return base.rstrip("/") + self.path


def unusable_password() -> str:
    """A password hash no password matches (it is not an argon2 hash): a new user's, and a reset user's, until
    they use their link."""
    return "!no-password:" + secrets.token_hex(16)


def issue(uow, actor: Actor, user: User, purpose: str) -> Issued:
    """A new link for ``user``; their earlier unused links stop working."""
    now = clock.now()
    uow.admin.void_links(user.id, now)
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=get_settings().reset_link_hours)
    uow.admin.add_link(PasswordLink(user_id=user.id, token_sha256=auth.token_sha256(token), purpose=purpose,
                                    created_by=actor.user_id, created_at=now, expires_at=expires))
    return Issued(user, token, expires)


def void(uow, user: User) -> None:
    uow.admin.void_links(user.id, clock.now())


def _usable(uow, token: str) -> PasswordLink:
    link = uow.admin.link(auth.token_sha256(token)) if token else None
    if link is None or link.used_at is not None or link.expires_at <= clock.now() or not auth.account_usable(link.user):
        # One answer for unknown, used, expired and disabled: the link tells nothing about the account.
        raise NotFound("this link has expired or was already used; ask your administrator for a new one",
                       field="token", rule=RULE)
    return link


def check(uow, token: str) -> User:
    """The user a link would set the password of, or NotFound when it has expired, was used or is unknown."""
    return _usable(uow, token).user


def use(uow, token: str, password: str) -> User:
    """Set the user's password from their link (the password policy of ``auth.hash_password``), and end the link.
    The user then signs in normally; the change is audited as the user's own."""
    link = _usable(uow, token)
    password_hash = auth.hash_password(password)
    if not uow.admin.use_link(link.id, clock.now()):
        raise NotFound("this link has expired or was already used; ask your administrator for a new one",
                       field="token", rule=RULE)
    user = link.user
    user.password_hash = password_hash
    audit.record(uow, auth.actor_of(user), "password-set", "user", None, user=user.username, link=link.purpose)
    uow.commit()
    return user

