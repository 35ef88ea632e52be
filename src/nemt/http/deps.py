"""The request dependencies of the API and the pages: the unit of work, the acting user (API token or web session),
and the permission check of the permissions table."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request

from nemt.domain.actors import Actor
from nemt.services.platform import auth, permissions
from nemt.services.platform.errors import Unauthorized
from nemt.services.platform.permissions import Action


def get_uow(request: Request) -> Iterator[Any]:
    """A unit of work for the request, from the application's factory (closed when the response is sent)."""
    with request.app.state.uow_factory() as uow:
        yield uow


def current_actor(request: Request, uow: Any = Depends(get_uow)) -> Actor:
    """The acting user: an ``Authorization: Bearer`` API token, else the signed-in web session."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = auth.user_for_token(uow, header[7:].strip())
        return auth.actor_of(user)
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if user_id:
        user = uow.users.by_id(user_id)
        if user is not None and user.active:
            return auth.actor_of(user)
    raise Unauthorized("sign in, or send an API token as 'Authorization: Bearer …'", field="Authorization",
                       rule="authentication")


def allowed(*actions: Action) -> Any:
    """Dependency stating which actions of the permissions table an endpoint takes (a user needs every one); the
    OpenAPI description lists the roles too. Typed ``Any`` like ``fastapi.Depends`` itself: it is the default of an
    ``actor: Actor`` parameter, which FastAPI fills in."""

    def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        for action in actions:
            permissions.require(actor, action)
        return actor

    check.actions = actions  # type: ignore[attr-defined]  # read by the generated permissions test
    return Depends(check)
