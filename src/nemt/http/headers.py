"""Security headers on every response of the application (API, pages, documentation, static files).

- ``Content-Security-Policy``: scripts, styles, images and requests from the app's own origin only; no plugins, no
  framing (``frame-ancestors 'none'``), forms post to the app only. The pages have no inline script or event
  handler at all (the manifest's print button is wired by ``/static/print.js``), so neither ``'unsafe-inline'``
  nor ``'unsafe-hashes'`` is needed; the reports' SVG charts are inline markup without styles or scripts. A
  response that states its own policy keeps it (``/docs`` allows its one inline initialisation script by hash,
  see :mod:`nemt.http.docs`).
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``.
- ``Strict-Transport-Security`` when the settings say the app is served over HTTPS (``NEMT_HTTPS_ONLY=1``).
- ``Cache-Control: no-store`` on every response but the static files (pages, API answers and CSV downloads carry
  member data; a shared or back-button cache must not keep them).
"""

from __future__ import annotations

import base64
import hashlib

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def script_hash(source: str) -> str:
    """The CSP source expression (``'sha256-…'``) allowing one inline script or event handler."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(*, script_hashes: tuple[str, ...] = ()) -> str:
    """The policy: everything from the app's own origin; ``script_hashes`` allow given inline ``<script>`` blocks
    (never event-handler attributes: those would need ``'unsafe-hashes'``)."""
    scripts = " ".join(("'self'", *script_hashes))
    return "; ".join((
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


PAGE_POLICY = content_security_policy()
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response (headers a response set itself stay)."""

    def __init__(self, app: ASGIApp, *, https_only: bool = False, static_prefix: str = "/static/") -> None:
        self.app, self.https_only, self.static_prefix = app, https_only, static_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith(self.static_prefix)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.add(MutableHeaders(scope=message), static=static)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def add(self, headers: MutableHeaders, *, static: bool) -> None:
        headers.setdefault("Content-Security-Policy", PAGE_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        if self.https_only:
            headers.setdefault("Strict-Transport-Security", HSTS)
        if not static:
            headers["Cache-Control"] = "no-store"
