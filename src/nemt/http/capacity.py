"""Capacity that degrades gracefully: admission control, the "too busy" answer, and a health check that never waits
behind the queue (issue 14).

**The wedge this prevents.** A request's sync dependencies and its endpoint each run in a thread of the process's
thread pool (40 threads), one after the other; the unit of work (``nemt.http.deps.get_uow``) holds its pooled
database connection from the token check until the response is built. Under 300 concurrent requests all 40 threads
sat in token checks waiting for a connection, while every connection was held by a request waiting for a thread to
run its endpoint: nothing moved until the pool timeout, and the backlog kept it that way for minutes.

**The cure.** :class:`AdmissionControl` lets at most ``max_in_flight`` requests into the application at once per
process (``NEMT_MAX_IN_FLIGHT``), and the settings refuse a value above the pool (``db_pool_size +
db_max_overflow``), so every admitted request can hold a connection at once: no request ever waits for a connection
while holding a thread that another needs, and none waits for a thread (``max_in_flight`` is well under 40). Up to
``max_queued`` more wait their turn, each at most ``queue_wait`` seconds, first come first served; beyond that, or
after that, the answer is an immediate ``503 Service Unavailable`` with ``Retry-After`` naming the rule
(problem+json under ``/api``, a short page elsewhere) — a fast, honest "try again" instead of a timeout.

``/health`` and the static files are not queued: :func:`database_check` answers the health check from the event loop,
running the database check in its own two threads with its own short timeout (``NEMT_HEALTH_TIMEOUT``), so the check
stays honest (a database that does not answer in time is a 503) without waiting behind the requests.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import anyio
from starlette.datastructures import MutableHeaders
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nemt.api import problems  # the API's one problem+json (the import contracts let the app's plumbing use it)
from nemt.services.platform import auth

log = logging.getLogger("nemt.http.capacity")

UNQUEUED_PREFIXES = ("/health", "/static/")  # answered without a turn: the health check, files from disk
HEALTH_THREADS = 2


class AdmissionControl:
    """ASGI middleware: at most ``max_in_flight`` HTTP requests in the application at once, up to ``max_queued``
    waiting at most ``queue_wait`` seconds each, the rest refused at once with 503 (see the module's docstring).
    ``max_in_flight=0`` turns it off (the baseline of ``python -m benchmarks burst``; not for production)."""

    def __init__(self, app: ASGIApp, *, max_in_flight: int, max_queued: int, queue_wait: float):
        self.app = app
        self.max_in_flight, self.max_queued, self.queue_wait = max_in_flight, max_queued, queue_wait
        self.in_flight = 0
        self.waiting = 0
        self._turns: anyio.Semaphore | None = None  # made on first use, inside the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_in_flight == 0 or scope["path"].startswith(UNQUEUED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._turns is None:
            self._turns = anyio.Semaphore(self.max_in_flight)
        if self._turns.value == 0 and self.waiting >= self.max_queued:
            await self._refuse(scope, receive, send, f"the queue of {self.max_queued} waiting requests is full")
            return
        if not await self._wait_for_turn(self._turns):
            await self._refuse(scope, receive, send, f"no turn came within {self.queue_wait:g} s")
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            self._turns.release()

    async def _wait_for_turn(self, turns: anyio.Semaphore) -> bool:
        self.waiting += 1
        try:
            with anyio.move_on_after(self.queue_wait):
                await turns.acquire()
                return True
            return False
        finally:
            self.waiting -= 1

    @property
    def rule(self) -> str:
        return (f"admission control: at most {self.max_in_flight} requests in progress and {self.max_queued} "
                f"waiting per server process")

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, why: str) -> None:
        log.warning("refused a request with 503: %s (%s in progress)", why, self.in_flight)
        await busy_response(scope["path"], self.rule, retry_after=math.ceil(max(1.0, self.queue_wait / 2)))(
            scope, receive, send)


class ConnectionTurnover:
    """ASGI middleware: one response in ``every`` that this process sends on a kept-alive connection says
    ``Connection: close``, so the client opens a new connection for its next request (``NEMT_KEEPALIVE_REQUESTS``;
    0: never). Why: the server's worker processes share one listening socket, and a new connection goes to a worker
    that is waiting for work, but a kept-alive connection stays with the worker that took it for as long as its
    client keeps using it. Without turnover the connections of a steady load stay where the first second of the
    day put them: 30, 12 and 8 call-center agents on three workers, the first worker a queue, the others half idle
    (``python -m benchmarks load``). A busier process sends more responses and so gives up more connections, and
    they come back to the workers with time to spare — what ``keepalive_requests`` does in nginx, counted per
    process. A closed connection costs one TCP handshake on the next request."""

    def __init__(self, app: ASGIApp, *, every: int) -> None:
        self.app, self.every, self.sent = app, every, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.every == 0:
            await self.app(scope, receive, send)
            return

        async def send_turning_over(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.sent += 1
                if self.sent % self.every == 0:
                    MutableHeaders(scope=message)["Connection"] = "close"
            await send(message)

        await self.app(scope, receive, send_turning_over)


def busy_response(path: str, rule: str, *, retry_after: int) -> Response:
    """503 with ``Retry-After``: problem+json naming the rule under ``/api``, a short page elsewhere. It touches no
    database and no template, so it can be sent when both are at their limit."""
    detail = "The server is busy; nothing was done. Try again in a moment."
    headers = {"Retry-After": str(retry_after)}
    if path.startswith("/api/"):
        response = problems.problem(503, "Service unavailable", detail, rule=rule)
        response.headers.update(headers)
        return response
    page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Busy</title></head><body><main>"
            f"<h1>The server is busy</h1><p>{detail}</p></main></body></html>")
    return HTMLResponse(page, status_code=503, headers=headers)


async def database_check(app: Any, timeout: float) -> str | None:
    """The health check's database check (``auth.check_database``) in the health check's own threads, not the
    request threads: the dialect, or ``None`` when the database did not answer within ``timeout`` seconds or
    failed. A check still running after ``timeout`` is left to finish on its own."""
    limiter = getattr(app.state, "health_threads", None)
    if limiter is None:
        limiter = app.state.health_threads = anyio.CapacityLimiter(HEALTH_THREADS)
    check = _checker(app.state.uow_factory)
    with anyio.move_on_after(timeout):
        try:
            return await anyio.to_thread.run_sync(check, limiter=limiter, abandon_on_cancel=True)
        except Exception:  # noqa: BLE001 - any failure is "the database does not answer"; the log has it
            log.warning("health check: the database check failed", exc_info=True)
            return None
    return None


def _checker(uow_factory: Callable[[], Any]) -> Callable[[], str]:
    def check() -> str:
        with uow_factory() as uow:
            return auth.check_database(uow)

    return check
