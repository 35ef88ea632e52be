"""Log-in, log-out and the home page. Role pages are added beside this module."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from nemt.api.deps import get_uow
from nemt.services import auth
from nemt.services.errors import Unauthorized
from nemt.web.csrf import check_csrf, csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)


def _current_user(request: Request, uow):
    user_id = request.session.get("user_id")
    return uow.users.by_id(user_id) if user_id else None


@router.get("/", response_class=HTMLResponse)
def home(request: Request, uow=Depends(get_uow)):
    user = _current_user(request, uow)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return templates.TemplateResponse(request, "home.html", {"user": user, "csrf": csrf_token(request)})


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request):
    return templates.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "error": None})


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: str = Form(...), password: str = Form(...),
          csrf_token_field: str = Form(..., alias="csrf_token"), uow=Depends(get_uow)):
    check_csrf(request, csrf_token_field)
    try:
        user = auth.authenticate(uow, username, password)
    except Unauthorized as exc:
        return templates.TemplateResponse(request, "login.html", {"csrf": csrf_token(request), "error": exc.message},
                                          status_code=401)
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token_field: str = Form(..., alias="csrf_token")):
    check_csrf(request, csrf_token_field)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
