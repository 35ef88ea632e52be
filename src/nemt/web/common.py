"""What every page module shares: templates and their filters, the signed-in user, role navigation, and error pages.

Pages are thin: parse the form, call a service, render. Services enforce who may see what; the pages also hide
links a role cannot use (``NAV``). Errors a user can cause (``ServiceError``) become an HTML page or a form shown
again with the message — never problem+json, which is the API's answer — through :class:`PageRoute`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from nemt import clock
from nemt.domain.actors import Actor, Role
from nemt.http.deps import get_uow
from nemt.policy import load_policy
from nemt.services.platform import auth, permissions, sessions
from nemt.services.platform.errors import ServiceError, Unauthorized
from nemt.services.platform.permissions import Action, roles_for
from nemt.store.models import User, WebSession
from nemt.web.csrf import csrf_token

log = logging.getLogger("nemt.web")

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

# Words shown for stored codes.
ROLE_NAMES = {
    Role.AGENT: "call-center agent", Role.DISPATCHER: "dispatcher", Role.PROVIDER_ADMIN: "provider administrator",
    Role.DRIVER: "driver", Role.FACILITY_SCHEDULER: "facility scheduler", Role.AUDITOR: "auditor",
    Role.ADMIN: "administrator",
}


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str
    action: Action  # shown to the roles the permissions table gives this action


NAV: tuple[NavLink, ...] = (
    NavLink("/members/search", "Find a member", Action.MEMBER_BROWSE),
    NavLink("/pending", "Pending rides", Action.PENDING_READ),
    NavLink("/dispatch", "Dispatch board", Action.DISPATCH),
    NavLink("/provider/trips", "Assigned trips", Action.PROVIDER_DESK),
    NavLink("/provider/fleet", "Drivers and vehicles", Action.PROVIDER_DESK),
    NavLink("/credentials", "Expiring credentials", Action.CREDENTIALS_READ),
    NavLink("/provider/claims", "Claims", Action.PROVIDER_DESK),
    NavLink("/driver", "Today's manifest", Action.DRIVER_DAY),
    NavLink("/facility/urgent", "Urgent ride", Action.RIDE_BOOK_URGENT),
    NavLink("/reports", "Reports", Action.REPORT_READ),
    NavLink("/complaints", "Complaints", Action.COMPLAINT_READ),
    NavLink("/integrity", "Provider integrity", Action.INTEGRITY_READ),
    NavLink("/integrity/cases", "Review cases", Action.CASE_REVIEW),
    NavLink("/integrity/claims", "Claims in review", Action.CASE_REVIEW),
    NavLink("/audit", "Audit trail", Action.AUDIT_READ),
    NavLink("/admin/users", "Users", Action.USER_ADMIN),
)


def nav_for(role: str) -> list[NavLink]:
    return [link for link in NAV if role in roles_for(link.action)]


# --- time in the program's zone ------------------------------------------------------------------------------------


def zone_of(program: str | None):
    return load_policy(program or "CO").time_zone


def today_in(program: str | None) -> dt.date:
    return clock.today(zone_of(program))


def local(value: dt.datetime | str | None, program: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored instant (or its ISO text) shown in the program's zone (naive values are taken as UTC, as SQLite
    returns them)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(zone_of(program)).strftime(fmt)


def _words(code: str | None) -> str:
    return (code or "").replace("-", " ").replace("_", " ")


templates.env.filters["words"] = _words
templates.env.globals["ROLE_NAMES"] = {str(k): v for k, v in ROLE_NAMES.items()}


# --- the signed-in user ---------------------------------------------------------------------------------------------


@dataclass
class Page:
    """The request's signed-in user, the acting Actor, their session (as ``sessions.resolve`` found it), and what
    every template needs."""

    request: Request
    user: User
    actor: Actor
    uow: Any = None
    session: WebSession | None = None

    @property
    def program(self) -> str:
        return self.actor.program or "CO"

    @property
    def zone_name(self) -> str:
        return load_policy(self.program).get("program.time_zone")

    def today(self) -> dt.date:
        return today_in(self.program)

    def local(self, value: dt.datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return local(value, self.program, fmt)

    def require(self, action: Action) -> None:
        permissions.require(self.actor, action)

    def may(self, action: Action) -> bool:
        """Whether the page should offer ``action`` (a link, a button); the service checks again."""
        return permissions.may(self.actor, action)

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        base = {"user": self.user, "actor": self.actor, "csrf": csrf_token(self.request),
                "nav": nav_for(self.actor.role), "local": self.local, "zone_name": self.zone_name,
                "path": self.request.url.path, "flash": self.request.session.pop("flash", None)}
        base.update(context)
        return templates.TemplateResponse(self.request, template, base, status_code=status_code)


def signed_in(request: Request, uow, stages: tuple[str, ...] = (sessions.FULL,)) -> Page:
    """The page's user, through the one session check (``sessions.resolve``, shared with the API); else Unauthorized,
    which PageRoute turns into a redirect: to the log-in page, or to the sign-in step still to do (``SIGN_IN_STEP``).
    """
    row = sessions.resolve(uow, request.session.get("sid"), stages=stages)
    return Page(request, row.user, auth.actor_of(row.user), session=row)


# Where a GET is sent when a session has a sign-in step left (by the rule of the Unauthorized it raised).
SIGN_IN_STEP = {sessions.RULE_CODE: "/login/code", sessions.RULE_ENROL: "/account/security"}


def page_for(action: Action) -> Callable:
    """A dependency: the signed-in Page, after checking the role (403 page otherwise)."""

    def dependency(request: Request, uow=Depends(get_uow)) -> Page:
        page = signed_in(request, uow)
        page.require(action)
        page.uow = uow
        return page

    dependency.action = action  # type: ignore[attr-defined]  # read by the generated permissions test
    return dependency


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- errors as pages ------------------------------------------------------------------------------------------------


def error_page(request: Request, exc: ServiceError) -> Response:
    if isinstance(exc, Unauthorized) and request.method == "GET":
        return RedirectResponse(SIGN_IN_STEP.get(exc.rule or "", "/login"), status_code=303)
    user = None
    nav: list[NavLink] = []
    try:
        if request.session.get("sid"):
            with request.app.state.uow_factory() as uow:
                row = sessions.peek(uow, request.session.get("sid"))
                found = row.user if row is not None and row.stage == sessions.FULL else None
                if found is not None:
                    user = {"display_name": found.display_name, "role": found.role,
                            "organization": {"name": found.organization.name}}
                    nav = nav_for(found.role)
    except Exception:  # noqa: BLE001 - the error page must render even when the database does not answer
        user = None
    context = {"user": user, "nav": nav, "csrf": csrf_token(request), "status": exc.status, "title": exc.title,
               "message": exc.message, "rule": exc.rule, "field": exc.field, "path": request.url.path}
    # Log the rule and the path only: never form values (they may carry member data).
    log.info("page error %s %s on %s (%s)", exc.status, exc.title, request.url.path, exc.rule)
    return templates.TemplateResponse(request, "error.html", context, status_code=exc.status)


class PageRoute(APIRoute):
    """A route whose ServiceErrors (from the handler or its dependencies) render as an HTML error page. (A value its
    column cannot hold, ``FieldRefused``, raised by the store at the flush, is the application's one handler's:
    ``nemt.http.app._field_refused``, the 422 page here, problem+json under /api.)"""

    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except ServiceError as exc:
                return error_page(request, exc)

        return handler


def csv_response(text: str, filename: str) -> Response:
    """A CSV download; cells a spreadsheet would run as formulas are escaped (OWASP CSV injection)."""
    from nemt.services.reports.export import escape_csv  # the one escaping of every CSV the platform produces

    return Response(escape_csv(text), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
