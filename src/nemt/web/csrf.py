"""CSRF protection for forms: a per-session token in a hidden field, compared in constant time."""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request

from nemt.services.platform.errors import Forbidden


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden("the form expired or came from another site; reload the page", field="csrf_token",
                        rule="CSRF protection")
