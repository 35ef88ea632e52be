"""The request dependencies of the API and the pages: the unit of work, the acting user (API token or web session),
and the permission check of the permissions table."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request

from nemt.domain.actors import Actor
from nemt.services.platform import auth, permissions, sessions
from nemt.services.platform.errors import Forbidden, Unauthorized
from nemt.services.platform.permissions import Action


async def get_uow(request: Request) -> AsyncIterator[Any]:
    """A unit of work for the request, from the application's factory (closed when the response is sent).

    Made on the event loop (making one touches no database) and closed in a thread of the pool (ending a transaction
    still open is a round trip), whatever happened, even to a cancelled request: one trip to the thread pool where a
    sync dependency takes two — each costs CPU on every request (``python -m benchmarks load``).

    It may hold a pooled connection while the request's next step waits for a thread; admission control
    (:mod:`nemt.http.capacity`) admits no more requests than the pool has connections, so that wait never
    becomes the wedge of issue 14."""
    uow = request.app.state.uow_factory().__enter__()
    try:
        yield uow
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(uow.__exit__, None, None, None)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_address(request: Request) -> str:
    """The address the request came from ("" when unknown): the log-in throttle's key, kept on sessions."""
    return request.client.host if request.client else ""


def bearer_token(request: Request) -> str | None:
    """The API token of an ``Authorization: Bearer …`` header, else None."""
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def current_actor(request: Request, uow: Any = Depends(get_uow)) -> Actor:
    """The acting user: an ``Authorization: Bearer`` API token, else the signed-in web session (the one session
    check, ``sessions.resolve``, shared with the pages). A state-changing request on the session cookie must carry
    the session's CSRF token in ``X-CSRF-Token`` (a bearer token cannot be sent by another site; a cookie can)."""
    token = bearer_token(request)
    if token is not None:
        return auth.actor_of(auth.user_for_token(uow, token))
    cookie = request.session if "session" in request.scope else {}
    if cookie.get("sid"):
        row = sessions.resolve(uow, cookie.get("sid"))
        if request.method not in SAFE_METHODS:
            expected, sent = cookie.get("csrf") or "", request.headers.get("x-csrf-token") or ""
            if not expected or not hmac.compare_digest(expected, sent):
                raise Forbidden("a change sent with the session cookie needs the page's X-CSRF-Token header",
                                field="X-CSRF-Token", rule="CSRF protection")
        return auth.actor_of(row.user)
    raise Unauthorized("sign in, or send an API token as 'Authorization: Bearer …'", field="Authorization",
                       rule="authentication")


def allowed(*actions: Action) -> Any:
    """Dependency stating which actions of the permissions table an endpoint takes (a user needs every one); the
    OpenAPI description lists the roles too. Typed ``Any`` like ``fastapi.Depends`` itself: it is the default of an
    ``actor: Actor`` parameter, which FastAPI fills in."""

    async def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        # No I/O: run on the event loop, not in a thread of the pool.
        for action in actions:
            permissions.require(actor, action)
        return actor

    check.actions = actions  # type: ignore[attr-defined]  # read by the generated permissions test
    return Depends(check)
