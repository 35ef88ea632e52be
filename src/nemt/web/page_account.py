"""The account-security page (every user): the second factor (set up with a QR code, confirm, turn off) and the
user's own API tokens (listed without the token itself; revoke). 45 CFR 164.312(d) person authentication.

Open to a session that has only the password step done when the role requires a second factor that is not set up
yet (``sessions.ENROL``): such a session reaches this page and nothing else until it confirms a code.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from nemt.http.deps import get_uow
from nemt.services.platform import auth, sessions, totp
from nemt.services.platform.errors import InvalidInput, ServiceError
from nemt.services.platform.permissions import Action
from nemt.web.common import Page, PageRoute, redirect, signed_in
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _account_page(request: Request, uow=Depends(get_uow)) -> Page:
    """The signed-in user, also while the second factor still has to be set up (the one page open then)."""
    page = signed_in(request, uow, stages=(sessions.FULL, sessions.ENROL))
    page.require(Action.ACCOUNT_SELF)
    page.uow = uow
    return page


_account_page.action = Action.ACCOUNT_SELF  # type: ignore[attr-defined]  # read by the generated permissions test


def _render(page: Page, error: ServiceError | None = None, status_code: int = 200):
    user = page.user
    pending = user.totp_pending
    uri = totp.uri_of(user, pending) if pending else None
    return page.render("account/security.html", status_code=status_code, error=error,
                       enrolled=totp.enrolled(user), required=totp.required(user), pending=pending, uri=uri,
                       qr=totp.qr_svg(uri) if uri else None, tokens=auth.list_tokens(page.uow, page.actor),
                       must_enrol=page.session is not None and page.session.stage == sessions.ENROL)


@router.get("/account/security", response_class=HTMLResponse)
def security(page: Page = Depends(_account_page)):
    return _render(page)


@router.post("/account/security/start", response_class=HTMLResponse)
def start(page: Page = Depends(_account_page), csrf_token: str = Form("")):
    check_csrf(page.request, csrf_token)
    totp.begin_enrolment(page.uow, page.user)
    return _render(page)


@router.post("/account/security/confirm", response_class=HTMLResponse)
def confirm(page: Page = Depends(_account_page), csrf_token: str = Form(""), code: str = Form("")):
    """A code of the new secret confirms it; a session waiting for this is then fully signed in."""
    check_csrf(page.request, csrf_token)
    try:
        totp.confirm_enrolment(page.uow, page.user, code)
    except InvalidInput as exc:
        return _render(page, exc, 422)
    if page.session is not None and page.session.stage == sessions.ENROL:
        sessions.advance(page.uow, page.session, sessions.FULL)
        page.uow.commit()
    page.request.session["flash"] = "The second factor is set up: sign-ins now ask for a code."
    return redirect("/account/security")


@router.post("/account/security/disable", response_class=HTMLResponse)
def disable(page: Page = Depends(_account_page), csrf_token: str = Form(""), code: str = Form("")):
    check_csrf(page.request, csrf_token)
    try:
        totp.disable(page.uow, page.user, code)
    except ServiceError as exc:
        return _render(page, exc, exc.status)
    page.request.session["flash"] = "The second factor is turned off."
    return redirect("/account/security")


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke(token_id: int, page: Page = Depends(_account_page), csrf_token: str = Form("")):
    check_csrf(page.request, csrf_token)
    auth.revoke_token_id(page.uow, page.actor, token_id)
    page.request.session["flash"] = f"API token {token_id} is revoked."
    return redirect("/account/security")
