"""Helpers for the page tests: sign in through the log-in form, read CSRF tokens, collect URLs of a page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.conftest import demo_totp

PASSWORD_SUFFIX = "-demo-2026"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client, username: str) -> str:
    """Sign ``username`` in through the log-in form (and the code step for a demo user with a second factor);
    returns the session's CSRF token."""
    client.cookies.clear()
    page = client.get("/login")
    r = client.post("/login", data={"username": username, "password": username + PASSWORD_SUFFIX,
                                    "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    if r.headers["location"] == "/login/code":
        form = client.get("/login/code")
        r = client.post("/login/code", data={"totp": demo_totp(client, username), "csrf_token": csrf_of(form.text)},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", r.text
    return csrf_of(client.get("/").text)


class _Urls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "action", "src", "formaction") and value:
                self.urls.append(value)


def urls_of(html: str) -> list[str]:
    parser = _Urls()
    parser.feed(html)
    return parser.urls
