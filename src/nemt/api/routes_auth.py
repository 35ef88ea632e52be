"""Signing in to the API: API tokens (ask for one, list one's own, revoke), and who the caller is.

A token is asked for with the user name, the password and — for an account with a second factor, which
administrators and auditors must have — the current ``totp`` code; it expires after ``NEMT_TOKEN_DAYS`` (or fewer
``days``). Failed requests count towards the log-in throttle and the account's lockout (``auth.log_in``).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from nemt.api.problems import responses, signed_in
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, bearer_token, client_address, current_actor, get_uow
from nemt.services.platform import auth, login
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(tags=["auth"])


class TokenRequest(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)
    totp: str | None = Field(default=None, max_length=12,
                             description="the current code of the authenticator app (accounts with a second factor)")
    label: str = Field(default="", max_length=100)
    days: int | None = Field(default=None, ge=1, description="lifetime in days (at most NEMT_TOKEN_DAYS, the default)")


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"
    role: str
    organization: str
    expires_at: dt.datetime


class TokenInfoOut(BaseModel):
    """One of the caller's tokens: never the token itself."""

    id: int
    label: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@router.post("/api/v1/auth/token", response_model=TokenOut, responses=responses(400, 401, 422, 429, 503),
             summary="Exchange a user name, password (and second-factor code) for an API token. Roles: any user.")
def create_token(body: TokenRequest, request: Request, uow=Depends(get_uow)) -> TokenOut:
    issued, user = login.issue_api_token(uow, body.username, body.password, body.totp, client_address(request),
                                         label=body.label, days=body.days)
    return TokenOut(token=issued.token, role=user.role, organization=user.organization.name,
                    expires_at=issued.expires_at)


@router.get("/api/v1/me", responses=signed_in(),
            summary="Who the token or session belongs to. Roles: any user.")
def me(actor: Actor = Depends(current_actor)) -> dict:
    return {"username": actor.username, "role": actor.role, "program": actor.program,
            "organization_kind": actor.organization_kind}


@router.get("/api/v1/auth/tokens", response_model=list[TokenInfoOut], responses=signed_in(),
            summary="The caller's own API tokens, newest first (never the tokens themselves). "
                    + roles_text([Action.ACCOUNT_SELF]))
def list_tokens(actor: Actor = allowed(Action.ACCOUNT_SELF), uow=Depends(get_uow)) -> list[TokenInfoOut]:
    return [TokenInfoOut(**info.__dict__) for info in auth.list_tokens(uow, actor)]


@router.delete("/api/v1/auth/tokens/{token_id}", response_model=TokenInfoOut, responses=signed_in(404),
               summary="Revoke one of the caller's own API tokens. " + roles_text([Action.ACCOUNT_SELF]))
def revoke_token(token_id: int, actor: Actor = allowed(Action.ACCOUNT_SELF), uow=Depends(get_uow)) -> TokenInfoOut:
    return TokenInfoOut(**auth.revoke_token_id(uow, actor, token_id).__dict__)


@router.post("/api/v1/auth/revoke", status_code=204, responses=signed_in(),
             summary="Revoke the bearer token this request carries (sign out of the API). Roles: any user.")
def revoke_this_token(request: Request, actor: Actor = Depends(current_actor), uow=Depends(get_uow)) -> None:
    token = bearer_token(request)
    if token is not None:
        auth.revoke_token(uow, token)
        uow.commit()
