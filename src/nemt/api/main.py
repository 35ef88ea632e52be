"""The application: API and web pages in one process (``nemt serve``, ``make run``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

from nemt import __version__
from nemt.api import problems
from nemt.api.routes_platform import router as platform_router
from nemt.store.database import default_engine
from nemt.store.uow import uow_factory


def _secret_key() -> str:
    """``NEMT_SECRET_KEY``, or a random key kept in ``var/secret.key`` so sessions survive a restart."""
    env = os.environ.get("NEMT_SECRET_KEY")
    if env:
        return env
    path = Path.cwd() / "var" / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(engine: Engine | None = None, *, secret_key: str | None = None) -> FastAPI:
    app = FastAPI(
        title="NEMT broker platform",
        version=__version__,
        description="Medicaid Non-Emergency Medical Transportation: members, ride decisions, scheduling, "
                    "trip logs and claims. Errors are application/problem+json naming the field and the rule.",
    )
    app.state.engine = engine or default_engine()
    app.state.uow_factory = uow_factory(app.state.engine)
    app.add_middleware(SessionMiddleware, secret_key=secret_key or _secret_key(), same_site="lax",
                       https_only=os.environ.get("NEMT_HTTPS_ONLY") == "1", session_cookie="nemt_session")
    problems.install(app)
    app.include_router(platform_router)
    app.include_router(__import__("nemt.api.routes_claims", fromlist=["router"]).router)
    from nemt.api.routes_rides import router as rides_router

    app.include_router(rides_router)
    from nemt.api.routes_dispatch import router as dispatch_router

    app.include_router(dispatch_router)
    from fastapi.staticfiles import StaticFiles

    from nemt.web.pages import router as web_router

    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).resolve().parents[1] / "web" / "static")),
              name="static")
    return app


def __getattr__(name: str):
    # `uvicorn nemt.api.main:app` builds the app lazily, so importing this module has no side effects.
    if name == "app":
        return create_app()
    raise AttributeError(name)
