"""Request dependencies: the unit of work and the acting user (API token or web session)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import Depends, Request

from nemt.services import auth
from nemt.services.access import require_role
from nemt.services.actors import Actor
from nemt.services.errors import Unauthorized


def get_uow(request: Request):
    with request.app.state.uow_factory() as uow:
        yield uow


def current_actor(request: Request, uow=Depends(get_uow)) -> Actor:
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


def roles(*allowed: str) -> Any:
    """Dependency stating which roles may use an endpoint; the OpenAPI description lists them too. Typed ``Any`` like
    ``fastapi.Depends`` itself: it is the default of an ``actor: Actor`` parameter, which FastAPI fills in."""

    def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        require_role(actor, set(allowed))
        return actor

    check.allowed_roles = tuple(str(r) for r in allowed)  # type: ignore[attr-defined]
    return Depends(check)


def roles_text(allowed: Iterable) -> str:
    return "Roles: " + ", ".join(str(r) for r in allowed) + "."
