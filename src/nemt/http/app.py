"""The application: the API and the web pages in one process (``nemt serve``, ``make run``).

``create_app(engine, secret_key=…)`` builds it; ``uvicorn nemt.http.app:app`` builds it lazily from the settings,
so importing this module has no side effects.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import nemt.web
from nemt import __version__
from nemt.api import problems
from nemt.api.routes_claims import router as claims_router
from nemt.api.routes_dispatch import router as dispatch_router
from nemt.api.routes_platform import router as platform_router
from nemt.api.routes_rides import router as rides_router
from nemt.http.docs import install_docs
from nemt.http.headers import SecurityHeaders
from nemt.services.platform.errors import refused
from nemt.settings import get_settings
from nemt.store.database import Engine, default_engine
from nemt.store.limits import FieldRefused
from nemt.store.uow import uow_factory
from nemt.web.common import error_page
from nemt.web.pages import router as web_router

API_ROUTERS = (platform_router, claims_router, rides_router, dispatch_router)
STATIC = Path(nemt.web.__file__).resolve().parent / "static"


def _secret_key() -> str:
    """The settings' ``secret_key`` (``NEMT_SECRET_KEY``), or a random key kept in ``var/secret.key`` so sessions
    survive a restart."""
    configured = get_settings().secret_key
    if configured:
        return configured
    path = Path.cwd() / "var" / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(engine: Engine | None = None, *, secret_key: str | None = None) -> FastAPI:
    """The API (``/api/v1``, errors as problem+json) and the pages (errors as HTML) over ``engine`` (default: the
    settings' database)."""
    app = FastAPI(
        title="NEMT broker platform",
        version=__version__,
        description="Medicaid Non-Emergency Medical Transportation: members, ride decisions, scheduling, "
                    "trip logs and claims. Errors are application/problem+json naming the field and the rule.",
        docs_url=None, redoc_url=None,  # /docs is served without a CDN: nemt.http.docs
    )
    app.state.engine = engine or default_engine()
    app.state.uow_factory = uow_factory(app.state.engine)
    app.add_middleware(SessionMiddleware, secret_key=secret_key or _secret_key(), same_site="lax",
                       https_only=get_settings().https_only, session_cookie="nemt_session")
    app.add_middleware(SecurityHeaders, https_only=get_settings().https_only)
    problems.install(app)
    app.add_exception_handler(FieldRefused, _field_refused)
    for router in API_ROUTERS:
        app.include_router(router)
    app.include_router(web_router)
    install_docs(app)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app


async def _field_refused(request: Request, exc: Exception) -> Response:
    """A value its column cannot hold (``nemt.store.limits``), refused before anything was written: a 422 naming
    the field — problem+json under /api, the error page elsewhere."""
    assert isinstance(exc, FieldRefused)
    error = refused(exc)
    if request.url.path.startswith("/api/"):
        return problems.service_problem(error)
    return error_page(request, error)


def __getattr__(name: str) -> Any:
    # `uvicorn nemt.http.app:app` builds the app lazily, so importing this module has no side effects.
    if name == "app":
        return create_app()
    raise AttributeError(name)
