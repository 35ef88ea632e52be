"""Generated from the one permissions table: every API route and every page, for every role.

Each route states its action (the API's ``allowed(Action…)``, the pages' ``page_for(Action…)``). For every role of a
demo user, a request from a role the table does not give the action is refused as a role-based 403; a request from
a role it does give is never refused for its role (it may still be a 404 for a made-up key, or a 422).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute

from nemt.domain.actors import Role
from nemt.services.platform.permissions import PERMISSIONS, Action

# The demo user of each role (README, "Demo log-ins").
USERS = {Role.AGENT: "agent", Role.DISPATCHER: "dispatcher", Role.PROVIDER_ADMIN: "provider", Role.DRIVER: "driver",
         Role.FACILITY_SCHEDULER: "facility", Role.AUDITOR: "auditor", Role.ADMIN: "admin"}
# Routes open to anyone (signing in, health, documentation) or to every signed-in user.
OPEN = {"/health", "/api/v1/auth/token", "/api/v1/auth/revoke", "/api/v1/me", "/login", "/logout", "/",
        "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
ROLE_REFUSAL = "role-based access"
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
    """Sign ``username`` in through the log-in form; returns the session's CSRF token."""
    client.cookies.clear()
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = client.post("/login", data={"username": username, "password": f"{username}-demo-2026", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)


@pytest.mark.parametrize("role", list(USERS), ids=[str(r) for r in USERS])
def test_routes_follow_the_table_for_each_role(client, token_for, role):
    headers = token_for(USERS[role])
    csrf = None
    problems = []
    checked = 0
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
        if allowed and (refused or r.status_code == 401):
            problems.append(f"{method} {path}: {role} may {', '.join(actions)} but was refused ({r.status_code})")
        if not allowed and not refused:
            problems.append(f"{method} {path}: {role} may not {', '.join(actions)} but got {r.status_code}")
    assert checked > 60 and not problems, "\n".join(problems)
