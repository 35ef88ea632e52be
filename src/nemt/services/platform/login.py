"""The sign-in steps shared by the pages (``nemt.web.pages``) and the API's token endpoint: the password
(``auth.log_in``: throttle, lockout, audit), then the second factor when the account has one or its role requires
one (``totp``). 45 CFR 164.312(d) person authentication."""

from __future__ import annotations

from nemt.services.platform import auth, sessions, totp
from nemt.services.platform.errors import Unauthorized
from nemt.store.models import User


def next_stage(user: User) -> str:
    """The session stage after the password: the code step when a second factor is enrolled, the enrolment step
    when the role requires one that is not set up, else fully signed in."""
    if totp.enrolled(user):
        return sessions.TOTP
    return sessions.ENROL if totp.required(user) else sessions.FULL


def second_factor(uow, user: User, code: str | None, client_address: str, via: str) -> None:
    """Accept the user's code, else count the failure towards the lockout (like a wrong password) and raise
    Unauthorized. The caller commits on success."""
    try:
        totp.verify(uow, user, code or "")
    except Unauthorized:
        auth.record_failure(uow, user, user.username, client_address, "wrong code", via)
        raise


def issue_api_token(uow, username: str, password: str, code: str | None, client_address: str, *, label: str = "",
                    days: int | None = None) -> tuple[auth.NewToken, User]:
    """``POST /api/v1/auth/token``: the password, the ``totp`` code when the account has a second factor, then a
    new token (audited). A role that requires a second factor gets no token before one is set up. Commits."""
    user = auth.log_in(uow, username, password, client_address, via="api")
    stage = next_stage(user)
    if stage == sessions.TOTP:
        second_factor(uow, user, code, client_address, "api")
    elif stage == sessions.ENROL:
        uow.rollback()
        raise Unauthorized("your role requires a second factor: set it up on the account-security page first",
                           field="totp", rule="second factor enrolment")
    auth.log_in_succeeded(uow, user, client_address, via="api")
    token = auth.issue_token(uow, user, label, days)
    uow.commit()
    return token, user
