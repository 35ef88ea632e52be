"""User and organization administration: /api/v1/admin/users and /api/v1/admin/organizations.

Thin: each route parses, calls ``nemt.services.platform.accounts`` or ``organizations`` (which check who may touch
which user or organization, and audit every change) and renders. Creating or resetting a user answers with a one-time
set-password link, shown this once; no password is ever sent to or by an administrator.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from nemt.api.problems import SIGNED_IN, responses
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.services.platform import accounts, organizations
from nemt.services.platform.password_links import Issued
from nemt.services.platform.permissions import Action, roles_text
from nemt.store.models import Organization, User

router = APIRouter(prefix="/api/v1/admin", tags=["administration"], responses=SIGNED_IN)
USERS, ORGS = roles_text([Action.USER_ADMIN]), roles_text([Action.ORGANIZATION_ADMIN])


class OrganizationOut(BaseModel):
    key: str
    kind: str
    name: str
    program: str
    npi: str | None
    active: bool

    @classmethod
    def of(cls, org: Organization) -> OrganizationOut:
        return cls(key=org.key, kind=org.kind, name=org.name, program=org.program, npi=org.npi, active=org.active)


class UserOut(BaseModel):
    username: str
    display_name: str
    role: str
    organization: OrganizationOut
    active: bool
    locked: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(username=user.username, display_name=user.display_name, role=user.role,
                   organization=OrganizationOut.of(user.organization), active=user.active,
                   locked=accounts.is_locked(user), created_at=user.created_at)


class LinkOut(BaseModel):
    """A user and their one-time set-password link (shown once: only its SHA-256 is kept)."""

    user: UserOut
    set_password_url: str
    expires_at: dt.datetime

    @classmethod
    def of(cls, issued: Issued, request: Request) -> LinkOut:
        return cls(user=UserOut.of(issued.user), set_password_url=issued.url(str(request.base_url)),
                   expires_at=issued.expires_at)


class UserIn(BaseModel):
    username: str = Field(max_length=80, examples=["jdriver"])
    display_name: str = Field(max_length=200)
    role: str = Field(examples=["driver"])
    organization: str = Field(max_length=200, description="The organization's key (or its exact name).")


class RoleIn(BaseModel):
    role: str


class OrganizationIn(BaseModel):
    kind: str = Field(examples=["transportation-provider"])
    name: str = Field(max_length=200)
    program: str = Field(max_length=2, examples=["CO"])
    npi: str | None = Field(default=None, max_length=10)


@router.get("/users", response_model=list[UserOut], responses=responses(404, 422),
            summary="The users you manage. " + USERS)
def list_users(organization: str | None = None, role: str | None = None, active: bool | None = None,
               locked: bool | None = None, actor: Actor = allowed(Action.USER_ADMIN),
               uow=Depends(get_uow)) -> list[UserOut]:
    found = accounts.list_users(uow, actor, organization=organization, role=role, active=active, locked=locked)
    return [UserOut.of(u) for u in found]


@router.post("/users", response_model=LinkOut, status_code=201, responses=responses(400, 404, 409, 422),
             summary="Create a user; the answer carries their one-time set-password link. " + USERS)
def create_user(body: UserIn, request: Request, actor: Actor = allowed(Action.USER_ADMIN),
                uow=Depends(get_uow)) -> LinkOut:
    issued = accounts.create_user(uow, actor, accounts.NewUser(body.username, body.display_name, body.role,
                                                               body.organization))
    return LinkOut.of(issued, request)


@router.get("/users/{username}", response_model=UserOut, responses=responses(404),
            summary="One user you manage. " + USERS)
def read_user(username: str, actor: Actor = allowed(Action.USER_ADMIN), uow=Depends(get_uow)) -> UserOut:
    return UserOut.of(accounts.get_user(uow, actor, username))


@router.post("/users/{username}/disable", response_model=UserOut, responses=responses(404),
             summary="Disable a user: their sessions and API tokens end. " + USERS)
def disable_user(username: str, actor: Actor = allowed(Action.USER_ADMIN), uow=Depends(get_uow)) -> UserOut:
    return UserOut.of(accounts.set_active(uow, actor, username, False))


@router.post("/users/{username}/enable", response_model=UserOut, responses=responses(404),
             summary="Enable a disabled user. " + USERS)
def enable_user(username: str, actor: Actor = allowed(Action.USER_ADMIN), uow=Depends(get_uow)) -> UserOut:
    return UserOut.of(accounts.set_active(uow, actor, username, True))


@router.post("/users/{username}/role", response_model=UserOut, responses=responses(400, 404, 422),
             summary="Give a user another role (one you may grant). " + USERS)
def change_role(username: str, body: RoleIn, actor: Actor = allowed(Action.USER_ADMIN),
                uow=Depends(get_uow)) -> UserOut:
    return UserOut.of(accounts.change_role(uow, actor, username, body.role))


@router.post("/users/{username}/reset", response_model=LinkOut, responses=responses(404),
             summary="Reset a password: the old one stops working, sessions and tokens end, a new one-time link "
                     "is answered. " + USERS)
def reset_user(username: str, request: Request, actor: Actor = allowed(Action.USER_ADMIN),
               uow=Depends(get_uow)) -> LinkOut:
    return LinkOut.of(accounts.reset_password(uow, actor, username), request)


@router.post("/users/{username}/unlock", response_model=UserOut, responses=responses(404),
             summary="Lift the lockout of too many failed log-ins. " + USERS)
def unlock_user(username: str, actor: Actor = allowed(Action.USER_ADMIN), uow=Depends(get_uow)) -> UserOut:
    return UserOut.of(accounts.lift_lockout(uow, actor, username))


@router.get("/organizations", response_model=list[OrganizationOut], responses=responses(422),
            summary="The organizations of your program. " + ORGS)
def list_organizations(active: bool | None = None, actor: Actor = allowed(Action.ORGANIZATION_ADMIN),
                       uow=Depends(get_uow)) -> list[OrganizationOut]:
    return [OrganizationOut.of(o) for o in organizations.list_organizations(uow, actor, active=active)]


@router.post("/organizations", response_model=OrganizationOut, status_code=201, responses=responses(400, 409, 422),
             summary="Create an organization of your program. " + ORGS)
def create_organization(body: OrganizationIn, actor: Actor = allowed(Action.ORGANIZATION_ADMIN),
                        uow=Depends(get_uow)) -> OrganizationOut:
    new = organizations.NewOrganization(body.kind, body.name, body.program, body.npi)
    return OrganizationOut.of(organizations.create_organization(uow, actor, new))


@router.post("/organizations/{key}/deactivate", response_model=OrganizationOut, responses=responses(404),
             summary="Deactivate an organization: its users' sessions and tokens end, and they cannot sign in. "
                     + ORGS)
def deactivate_organization(key: str, actor: Actor = allowed(Action.ORGANIZATION_ADMIN),
                            uow=Depends(get_uow)) -> OrganizationOut:
    return OrganizationOut.of(organizations.set_active(uow, actor, key, False))


@router.post("/organizations/{key}/activate", response_model=OrganizationOut, responses=responses(404),
             summary="Activate a deactivated organization again. " + ORGS)
def activate_organization(key: str, actor: Actor = allowed(Action.ORGANIZATION_ADMIN),
                          uow=Depends(get_uow)) -> OrganizationOut:
    return OrganizationOut.of(organizations.set_active(uow, actor, key, True))
