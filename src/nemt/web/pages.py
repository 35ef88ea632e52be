"""Log-in, log-out and the home page; the role pages live in the ``page_*`` modules beside this one and are
included into this router (so the app factory, ``nemt.http.app``, includes one web router)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from nemt.http.deps import get_uow
from nemt.services.platform import auth
from nemt.services.platform.errors import Unauthorized
from nemt.web.common import PageRoute, redirect, signed_in, templates
from nemt.web.csrf import check_csrf, csrf_token

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, uow=Depends(get_uow)):
    if not request.session.get("user_id"):
        return redirect("/login")
    page = signed_in(request, uow)
    return page.render("home.html")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return templates.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: str = Form(...), password: str = Form(...),
          csrf_token_field: str = Form("", alias="csrf_token"), uow=Depends(get_uow)):
    check_csrf(request, csrf_token_field)
    try:
        user = auth.authenticate(uow, username, password)
    except Unauthorized as exc:
        return templates.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "error": exc.message},
                                          status_code=401)
    request.session.clear()  # a new session at log-in (no fixation); a new CSRF token follows
    request.session["user_id"] = user.id
    return redirect("/")


@router.post("/logout")
def logout(request: Request, csrf_token_field: str = Form("", alias="csrf_token")):
    check_csrf(request, csrf_token_field)
    request.session.clear()
    return redirect("/login")


def _include_role_pages() -> None:
    from nemt.web import (
        page_audit,
        page_booking,
        page_dispatch,
        page_driver,
        page_facility,
        page_members,
        page_provider,
    )

    for module in (page_members, page_booking, page_dispatch, page_provider, page_driver, page_facility, page_audit):
        router.include_router(module.router)


_include_role_pages()
