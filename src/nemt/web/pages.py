"""Log-in, log-out and the home page; the role pages live in the ``page_*`` modules beside this one and are
included into this router (so the app factory, ``nemt.http.app``, includes one web router)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from nemt.http.deps import client_address, get_uow
from nemt.services.platform import auth, login, sessions
from nemt.services.platform.errors import TooManyRequests, Unauthorized
from nemt.web.common import PageRoute, redirect, signed_in, templates
from nemt.web.csrf import check_csrf, csrf_token

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, uow=Depends(get_uow)):
    if not request.session.get("sid"):
        return redirect("/login")
    page = signed_in(request, uow)
    return page.render("home.html")


# Where the password step sends the browser, by the session's stage (``login.next_stage``).
NEXT_PAGE = {sessions.TOTP: "/login/code", sessions.ENROL: "/account/security", sessions.FULL: "/"}


def _login_page(request: Request, error: str | None, status_code: int = 200, template: str = "login.html",
                headers: dict[str, str] | None = None):
    return templates.TemplateResponse(request, template, {"csrf": csrf_token(request), "error": error},
                                      status_code=status_code, headers=headers)


def _start(request: Request, uow, user, stage: str) -> None:
    """A new server-side session (no fixation: the old cookie's content is dropped; a new CSRF token follows)."""
    sessions.end(uow, request.session.get("sid"), "signed in again")
    key = sessions.start(uow, user, stage, client_address(request))
    request.session.clear()
    request.session["sid"] = key


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return _login_page(request, None)


@router.post("/login", response_class=HTMLResponse)
def password_step(request: Request, username: str = Form(...), password: str = Form(...),
                  csrf_token_field: str = Form("", alias="csrf_token"), uow=Depends(get_uow)):
    """Step one: the password (throttled; auth.log_in). Then the code step when a second factor is enrolled, the
    enrolment page when the role requires one that is not set up, else signed in."""
    check_csrf(request, csrf_token_field)
    try:
        user = auth.log_in(uow, username, password, client_address(request), via="page")
    except TooManyRequests as exc:
        return _login_page(request, exc.message, 429, headers={"Retry-After": str(exc.retry_after)})
    except Unauthorized as exc:
        return _login_page(request, exc.message, 401)
    stage = login.next_stage(user)
    if stage != sessions.TOTP:  # no code to wait for: the log-in has succeeded
        auth.log_in_succeeded(uow, user, client_address(request), via="page")
    _start(request, uow, user, stage)
    uow.commit()
    return redirect(NEXT_PAGE[stage])


@router.get("/login/code", response_class=HTMLResponse)
def code_form(request: Request, uow=Depends(get_uow)):
    if sessions.peek(uow, request.session.get("sid")) is None:
        return redirect("/login")
    return _login_page(request, None, template="account/login_code.html")


@router.post("/login/code", response_class=HTMLResponse)
def code_step(request: Request, totp_code: str = Form("", alias="totp"),
              csrf_token_field: str = Form("", alias="csrf_token"), uow=Depends(get_uow)):
    """Step two: the code from the authenticator app. A wrong code counts towards the lockout like a wrong
    password; when it locks the account, the half-done session ends."""
    check_csrf(request, csrf_token_field)
    row = sessions.peek(uow, request.session.get("sid"))
    if row is None or row.stage != sessions.TOTP:
        return redirect("/login")
    user = row.user
    try:
        login.second_factor(uow, user, totp_code, client_address(request), "page")
    except Unauthorized as exc:
        if user.locked_at is not None:
            sessions.end(uow, request.session.get("sid"), "locked")
            request.session.clear()
            return _login_page(request, auth.WRONG, 401)
        return _login_page(request, exc.message, 401, template="account/login_code.html")
    sessions.advance(uow, row, sessions.FULL)
    auth.log_in_succeeded(uow, user, client_address(request), via="page")
    uow.commit()
    return redirect("/")


@router.post("/logout")
def logout(request: Request, csrf_token_field: str = Form("", alias="csrf_token"), uow=Depends(get_uow)):
    """Sign out: the server-side session ends, so a copy of the cookie no longer works (audited)."""
    check_csrf(request, csrf_token_field)
    sessions.end(uow, request.session.get("sid"), "sign-out")
    request.session.clear()
    return redirect("/login")


def _include_role_pages() -> None:
    from nemt.web import (
        page_account,
        page_admin,
        page_audit,
        page_booking,
        page_dispatch,
        page_driver,
        page_facility,
        page_members,
        page_provider,
    )

    for module in (page_account, page_members, page_booking, page_dispatch, page_provider, page_driver,
                   page_facility, page_audit, page_admin):
        router.include_router(module.router)


_include_role_pages()


def _include_complaint_pages() -> None:
    from nemt.web import page_complaints  # complaints and grievances (issue 16, point 5)

    router.include_router(page_complaints.router)


_include_complaint_pages()


def _include_expense_pages() -> None:
    from nemt.web import page_expenses  # meals and lodging with receipts (issue 17, point 2)

    router.include_router(page_expenses.router)


_include_expense_pages()


def _include_integrity_pages() -> None:
    from nemt.web import page_integrity  # provider analytics and review cases (issue 15, point 4)

    router.include_router(page_integrity.router)


_include_integrity_pages()


def _include_claim_review_pages() -> None:
    from nemt.web import page_claim_review  # claims in review: the reviewer releases or denies (issue 15)

    router.include_router(page_claim_review.router)


_include_claim_review_pages()


def _include_document_pages() -> None:
    from nemt.web import page_documents  # a member's documents on file (issue 16, point 3)

    router.include_router(page_documents.router)


_include_document_pages()
