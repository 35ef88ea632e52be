"""The application: the API and the web pages in one process (``nemt serve``, ``make run``).

``create_app(engine, secret_key=…)`` builds it; ``uvicorn nemt.http.app:app`` builds it lazily from the settings,
so importing this module has no side effects.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import nemt.web
from nemt import __version__
from nemt.api import problems
from nemt.api.routes_claims import router as claims_router
from nemt.api.routes_dispatch import router as dispatch_router
from nemt.api.routes_platform import router as platform_router
from nemt.api.routes_rides import router as rides_router
from nemt.settings import get_settings
from nemt.store.database import Engine, default_engine
from nemt.store.uow import uow_factory
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
    )
    app.state.engine = engine or default_engine()
    app.state.uow_factory = uow_factory(app.state.engine)
    app.add_middleware(SessionMiddleware, secret_key=secret_key or _secret_key(), same_site="lax",
                       https_only=get_settings().https_only, session_cookie="nemt_session")
    problems.install(app)
    for router in API_ROUTERS:
        app.include_router(router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app


def __getattr__(name: str) -> Any:
    # `uvicorn nemt.http.app:app` builds the app lazily, so importing this module has no side effects.
    if name == "app":
        return create_app()
    raise AttributeError(name)
