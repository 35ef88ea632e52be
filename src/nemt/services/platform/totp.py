"""The second factor: time-based one-time codes (TOTP, RFC 6238, with the kept library ``pyotp``); 45 CFR
164.312(d) person authentication.

Required for the roles that read or manage everything of a program (administrators, auditors) and available to
every user. A user enrols on the account-security page: a new secret is kept as *pending* and shown (text, otpauth
URI and QR code) until the user confirms it with a code from the app; only then is it the account's secret. A code
is accepted for the time-step before, at or after now (30-second steps; clocks drift) and never twice: the last
accepted step is kept and a code of that step or an earlier one is refused (RFC 6238 section 5.2).

The demo's administrator and auditor are seeded enrolled with :data:`DEMO_SECRET` (documented in the README) so a
demo can sign in; ``nemt users totp-code NAME`` prints a code for those demo accounts only.
"""

from __future__ import annotations

import hmac

import pyotp
import segno

from nemt import clock
from nemt.domain.actors import Role
from nemt.services.platform import audit
from nemt.services.platform.auth import actor_of
from nemt.services.platform.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from nemt.store.models import User

REQUIRED_FOR = frozenset({Role.ADMIN.value, Role.AUDITOR.value})
ISSUER = "NEMT platform"
# The demo accounts' shared secret (public: it is in the README); never use it for a real account.
DEMO_SECRET = "NEMTDEMOSECONDFACTORTWOZEROTWOSX"
WINDOW = 1  # time-steps accepted either side of now


def required(user: User) -> bool:
    return user.role in REQUIRED_FOR


def enrolled(user: User) -> bool:
    return user.totp_secret is not None


def _step_now(totp: pyotp.TOTP) -> int:
    return totp.timecode(clock.now())


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time-step within the window whose code is ``code`` and which is later than ``after``, else None."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = _step_now(totp)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify(uow, user: User, code: str) -> None:
    """Accept ``code`` as the user's second factor (and remember its time-step), else Unauthorized. The caller
    commits."""
    step = _matching_step(user.totp_secret or "", code, user.totp_last_step) if enrolled(user) else None
    if step is None:
        raise Unauthorized("the code is wrong or was already used; wait for the next code", field="totp",
                           rule="second factor")
    user.totp_last_step = step


def begin_enrolment(uow, user: User) -> str:
    """A new pending secret for ``user`` (replacing any pending one); commits and returns it."""
    user.totp_pending = pyotp.random_base32()
    uow.commit()
    return user.totp_pending


def uri_of(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (no image file, no external service)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def confirm_enrolment(uow, user: User, code: str) -> None:
    """The user typed a code of the pending secret: it becomes the account's secret. Audited; commits."""
    if user.totp_pending is None:
        raise InvalidInput("start the set-up first", field="totp", rule="second factor")
    step = _matching_step(user.totp_pending, code, None)
    if step is None:
        raise InvalidInput("the code does not match; check the app's clock and type the current code", field="totp",
                           rule="second factor")
    user.totp_secret, user.totp_pending, user.totp_last_step = user.totp_pending, None, step
    audit.record(uow, actor_of(user), "enrol second factor", "account", None)
    uow.commit()


def disable(uow, user: User, code: str) -> None:
    """Turn the second factor off, proven with a current code; refused for roles that require it. Audited; commits."""
    if required(user):
        raise Forbidden("your role requires a second factor", field="totp", rule="second factor required")
    if not enrolled(user):
        raise InvalidInput("no second factor is set up", field="totp", rule="second factor")
    verify(uow, user, code)
    user.totp_secret, user.totp_last_step = None, None
    audit.record(uow, actor_of(user), "disable second factor", "account", None)
    uow.commit()


def enrol_demo(user: User) -> None:
    """Seed a demo account enrolled with the documented demo secret (the demo seed only)."""
    user.totp_secret = DEMO_SECRET


def demo_code(uow, username: str) -> str:
    """A code a demo account can use now: of the current time-step, or the next one when the current one was used
    (never an earlier step, which the half-minute turning could push out of the window). Demo accounts only (their
    secret is public); for any other account, NotFound."""
    user = uow.users.by_username(username)
    if user is None or user.totp_secret != DEMO_SECRET:
        raise NotFound("codes are printed for the demo's accounts only", field="username", rule="demo second factor")
    totp = pyotp.TOTP(DEMO_SECRET)
    now = _step_now(totp)
    last = user.totp_last_step
    step = max(now, (last + 1) if last is not None else now)
    if step > now + WINDOW:
        raise Unauthorized("the codes of this half-minute were used; wait 30 seconds", field="totp",
                           rule="second factor")
    return totp.generate_otp(step)
