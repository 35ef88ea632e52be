"""The application: the API and the web pages in one process (``nemt serve``, ``make run``).

``create_app(engine, secret_key=…)`` builds it; ``uvicorn nemt.http.app:app`` builds it lazily from the settings,
so importing this module has no side effects.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

import nemt.web
from nemt import __version__
from nemt.api import problems
from nemt.api.routes_accounts import router as accounts_router
from nemt.api.routes_auth import router as auth_router
from nemt.api.routes_certifications import router as certifications_router
from nemt.api.routes_claim_review import router as claim_review_router
from nemt.api.routes_claims import router as claims_router
from nemt.api.routes_complaints import router as complaints_router
from nemt.api.routes_dispatch import router as dispatch_router
from nemt.api.routes_documents import router as documents_router
from nemt.api.routes_eligibility import router as eligibility_router
from nemt.api.routes_expenses import router as expenses_router
from nemt.api.routes_integrity import router as integrity_router
from nemt.api.routes_platform import router as platform_router
from nemt.api.routes_rides import router as rides_router
from nemt.geo.zips import preload as preload_zips
from nemt.http.capacity import AdmissionControl, ConnectionTurnover, busy_response
from nemt.http.channel import AuditChannel
from nemt.http.docs import install_docs
from nemt.http.headers import SecurityHeaders
from nemt.http.warmup import warmed
from nemt.policy import load_programs
from nemt.services.platform.errors import refused
from nemt.settings import get_settings
from nemt.store.database import BUSY_ERRORS, Engine, busy, default_engine
from nemt.store.limits import FieldRefused
from nemt.store.uow import uow_factory
from nemt.web.common import error_page
from nemt.web.pages import router as web_router

log = logging.getLogger("nemt.http")

API_ROUTERS = (platform_router, auth_router, claim_review_router,  # before claims_router: /claims/review
               claims_router, rides_router, certifications_router, dispatch_router,
               accounts_router, eligibility_router, complaints_router,
               integrity_router,  # program integrity: provider analytics, review cases (issue 15)
               expenses_router,  # meals and lodging with receipts (issue 17)
               documents_router)  # a member's documents on file (issue 16, point 3)
STATIC = Path(nemt.web.__file__).resolve().parent / "static"


def _secret_key() -> str:
    """The settings' ``secret_key`` (``NEMT_SECRET_KEY``), or a random key kept in ``var/secret.key`` so sessions
    survive a restart."""
    configured = get_settings().secret_key
    if configured:
        return configured
    path = Path.cwd() / "var" / "secret.key"
    if not path.exists():
        # Several worker processes start at once (gunicorn): the first to link its key wins, the others read it.
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"secret.key.{secrets.token_hex(8)}")
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def create_app(engine: Engine | None = None, *, secret_key: str | None = None, warm: bool = False) -> FastAPI:
    """The API (``/api/v1``, errors as problem+json) and the pages (errors as HTML) over ``engine`` (default: the
    settings' database). With ``warm``, the served application: it warms itself before its first request
    (:mod:`nemt.http.warmup`)."""
    app = FastAPI(
        title="NEMT broker platform",
        version=__version__,
        description="Medicaid Non-Emergency Medical Transportation: members, ride decisions, scheduling, "
                    "trip logs and claims. Errors are application/problem+json naming the field and the rule.",
        docs_url=None, redoc_url=None,  # /docs is served without a CDN: nemt.http.docs
        lifespan=warmed if warm else None,
    )
    app.state.engine = engine or default_engine()
    app.state.uow_factory = uow_factory(app.state.engine)
    load_programs()  # every program file (NEMT_PROGRAMS_DIR too), validated: a bad one stops the start, naming it
    preload_zips()  # the ZIP list read at the start, not in a worker's first booking (nemt.geo.zips.preload)
    app.add_middleware(SessionMiddleware, secret_key=secret_key or _secret_key(), same_site="lax",
                       https_only=get_settings().https_only, session_cookie="nemt_session",
                       max_age=get_settings().session_max_hours * 3600)  # the server-side session decides; see sessions
    settings = get_settings()
    app.add_middleware(AdmissionControl, max_in_flight=settings.max_in_flight, max_queued=settings.max_queued,
                       queue_wait=settings.queue_wait)  # nemt.http.capacity: inside the security headers
    app.add_middleware(ConnectionTurnover, every=settings.keepalive_requests)  # connections move to idle workers
    app.add_middleware(SecurityHeaders, https_only=get_settings().https_only)
    app.add_middleware(AuditChannel)  # API or page, and which route, on every audit record
    problems.install(app)
    app.add_exception_handler(FieldRefused, _field_refused)
    for busy_error in BUSY_ERRORS:
        app.add_exception_handler(busy_error, _database_busy)
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


async def _database_busy(request: Request, exc: Exception) -> Response:
    """The database too busy to answer in time (``nemt.store.database.busy``: no free connection within the pool
    timeout, a statement past its timeout): 503 with ``Retry-After``, nothing written — not a 500. Any other
    database error goes on to the server error handler."""
    if not busy(exc):
        raise exc
    log.warning("database too busy, answered 503: %s", type(exc).__name__)
    return busy_response(request.url.path, "database capacity: a connection and an answer within the pool and "
                                           "statement timeouts", retry_after=2)


def __getattr__(name: str) -> Any:
    # `uvicorn nemt.http.app:app` builds the app lazily, so importing this module has no side effects.
    if name == "app":
        return create_app(warm=True)
    raise AttributeError(name)
