"""The API's documentation page (``/docs``, Swagger UI) served entirely by the app, so it works offline.

Swagger UI's script, stylesheet and icon come from the ``fastapi-offline`` package (which bundles Swagger UI 5, the
version that reads the OpenAPI 3.1 document FastAPI writes) and are mounted under ``/static/docs/``; FastAPI's
default page would load them from a CDN. ReDoc is not offered (``/redoc``): its bundle needs inline styles and
web workers the security policy does not allow. The page's one inline script (Swagger UI's initialisation) is
allowed by its hash in the page's own ``Content-Security-Policy``.
"""

from __future__ import annotations

import re
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request

from nemt.http.headers import content_security_policy, script_hash

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
PREFIX = "/static/docs"
DOCS_URL, OAUTH2_REDIRECT_URL = "/docs", "/docs/oauth2-redirect"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def with_own_policy(page: HTMLResponse) -> HTMLResponse:
    """The page with a policy allowing exactly its inline scripts (by hash) besides the app's own files."""
    html = bytes(page.body).decode("utf-8")
    hashes = tuple(script_hash(source) for source in _INLINE_SCRIPT.findall(html))
    return HTMLResponse(html, headers={"Content-Security-Policy": content_security_policy(script_hashes=hashes)})


def install_docs(app: FastAPI) -> None:
    """Mount the assets and add ``/docs`` and its OAuth2 redirect page (create the app with ``docs_url=None``,
    ``redoc_url=None``; call this before mounting ``/static``, which would shadow ``/static/docs``)."""
    app.mount(PREFIX, StaticFiles(directory=str(ASSETS)), name="docs-assets")
    title = app.title + " — API"
    openapi_url = app.openapi_url or "/openapi.json"

    async def swagger_ui(_request: Request) -> HTMLResponse:
        return with_own_policy(get_swagger_ui_html(
            openapi_url=openapi_url, title=title, oauth2_redirect_url=OAUTH2_REDIRECT_URL,
            swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js", swagger_css_url=f"{PREFIX}/swagger-ui.css",
            swagger_favicon_url=f"{PREFIX}/favicon.png", swagger_ui_parameters={"validatorUrl": None}))

    async def oauth2_redirect(_request: Request) -> HTMLResponse:
        return with_own_policy(get_swagger_ui_oauth2_redirect_html())

    app.add_route(DOCS_URL, swagger_ui, include_in_schema=False)
    app.add_route(OAUTH2_REDIRECT_URL, oauth2_redirect, include_in_schema=False)
