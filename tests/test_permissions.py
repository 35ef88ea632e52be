"""Generated from the one permissions table: every API route and every page, for every role (issue 14's role ×
endpoint matrix).

The walk reads the routes of the application itself, so a route added anywhere is in the matrix without a line
here. Each route states its action (the API's ``allowed(Action…)``, the pages' ``page_for(Action…)``); a route
without one must be in ``OPEN``. For every role of a demo user, a request from a role the table does not give the
action is refused as a role-based 403; a request from a role it does give is never refused for its role, never
asked to sign in and never a server error (it may still be a 404 for a made-up key, or a 422).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute

from nemt.domain.actors import Role
from nemt.services.platform.permissions import PERMISSIONS, Action
from tests.web.helpers import sign_in

# The demo user of each role (README, "Demo log-ins").
USERS = {Role.AGENT: "agent", Role.DISPATCHER: "dispatcher", Role.PROVIDER_ADMIN: "provider", Role.DRIVER: "driver",
         Role.FACILITY_SCHEDULER: "facility", Role.AUDITOR: "auditor", Role.ADMIN: "admin"}
# Routes open to anyone (signing in, health, documentation) or to every signed-in user.
OPEN = {"/health", "/api/v1/auth/token", "/api/v1/auth/revoke", "/api/v1/me", "/login", "/login/code", "/logout",
        "/", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc",
        "/account/set-password/{token}"}  # the one-time link is its own proof (services.platform.password_links)
ROLE_REFUSAL = "role-based access"
SIGN_IN_PAGES = ("/login",)  # where a page sends a request that is not signed in (or not past the code step)
SAMPLE_PARAMS = {"date": "2026-11-18", "day": "2026-11-18", "start": "2026-11-10", "end": "2026-11-18"}


def _actions_of(route: APIRoute) -> tuple[Action, ...]:
    """The actions a route's dependencies require (API: ``check.actions``; pages: ``dependency.action``)."""
    found: list[Action] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        call: Callable[..., Any] | None = dep.call
        found.extend(getattr(call, "actions", ()))
        if getattr(call, "action", None) is not None:
            found.append(call.action)  # type: ignore[union-attr]
        stack.extend(dep.dependencies)
    return tuple(found)


def _api_routes(routes, prefix: str = ""):
    """Every APIRoute of an app, through included routers (FastAPI keeps them nested), with its full path."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):  # an included router
            yield from _api_routes(route.original_router.routes, prefix + route.include_context.prefix)


def _routes(app) -> list[tuple[str, str, tuple[Action, ...], bool]]:
    """(method, path, actions, is_page) of every route; pages are the routes left out of the API schema."""
    out = []
    for path, route in _api_routes(app.routes):
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            out.append((method, path, _actions_of(route), not route.include_in_schema))
    return out


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE_PARAMS.get(m.group(1), "no-such-key"), path)


def test_every_route_names_its_action(client):
    routes = _routes(client.app)
    assert len(routes) > 60 and any(page for *_, page in routes), "the walk finds the API routes and the pages"
    unguarded = [f"{m} {p}" for m, p, actions, _ in routes if not actions and p not in OPEN]
    assert not unguarded, "routes without an action of the permissions table:\n" + "\n".join(unguarded)


def _page_session(client, username: str) -> str:
    """Sign ``username`` in through the log-in form (and the code step); returns the session's CSRF token."""
    return sign_in(client, username)


@pytest.mark.parametrize("role", list(USERS), ids=[str(r) for r in USERS])
def test_routes_follow_the_table_for_each_role(client, token_for, role):
    headers = token_for(USERS[role])
    csrf = None
    problems = []
    checked = 0
    sides = {True: 0, False: 0}
    for method, path, actions, page in _routes(client.app):
        if not actions:
            continue
        checked += 1
        allowed = all(role in PERMISSIONS[a] for a in actions)
        url = _url(path)
        if not page:
            r = client.request(method, url, headers=headers, params=SAMPLE_PARAMS if method == "GET" else None,
                               json={} if method in ("POST", "PATCH", "PUT") else None)
        else:
            if csrf is None:
                csrf = _page_session(client, USERS[role])
            data = {"csrf_token": csrf} if method == "POST" else None
            r = client.request(method, url, params=SAMPLE_PARAMS if method == "GET" else None, data=data,
                               follow_redirects=False)
        refused = r.status_code == 403 and ROLE_REFUSAL in r.text
        signed_out = r.status_code == 401 or r.is_redirect and r.headers["location"].startswith(SIGN_IN_PAGES)
        if allowed and (refused or signed_out or r.status_code >= 500):
            problems.append(f"{method} {path}: {role} may {', '.join(actions)} but got {r.status_code}")
        if not allowed and not refused:
            problems.append(f"{method} {path}: {role} may not {', '.join(actions)} but got {r.status_code}")
        sides[allowed] += 1
    assert checked > 60 and not problems, "\n".join(problems)
    # Both sides of the matrix were walked for this role (the administrator may be refused nothing).
    assert sides[True] > 0 and (sides[False] > 0 or role == Role.ADMIN), sides
