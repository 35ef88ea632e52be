"""Which channel a request came through, for the audit trail's accounting of disclosures (45 CFR 164.528).

Every HTTP request sets the audit channel (``nemt.services.platform.audit.channel``): ``api`` for ``/api/…``,
``page`` for everything else, with the endpoint as the route's *template* — ``GET /api/v1/members/{key}`` — never the
path itself, so no key or value of the request reaches the trail through it. The route is known only once the
router has matched it, after this middleware ran: the channel is read from the request's scope when a record is
written (the router writes ``scope["route"]`` into the same scope).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from nemt.services.platform import audit


def endpoint_of(scope: Scope) -> str:
    """``METHOD /route/{template}`` of a matched request (the method alone before the router has matched)."""
    route = scope.get("route")
    template = getattr(route, "path", None) or "(no route)"
    return f"{scope.get('method', '')} {template}"


class AuditChannel:
    """ASGI middleware: the audit records a request writes say it came through the API or a page, and which."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = "api" if str(scope.get("path", "")).startswith("/api/") else "page"
        with audit.channel(lambda: (kind, endpoint_of(scope))):
            await self.app(scope, receive, send)
