"""Administration pages: users (list with filters, one user with its actions, a new user) and organizations, for
the roles the permissions table gives ``USER_ADMIN`` and ``ORGANIZATION_ADMIN``; and the public page a one-time
set-password link opens.

Every change is a POST behind a confirmation page (GET of the same address shows what will happen and a button);
the services decide who may touch whom and audit it. A new user's, or a reset user's, one-time link is shown on
the answer page once and never again (only its SHA-256 is stored).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request

from nemt.domain.actors import OrgKind
from nemt.http.deps import get_uow
from nemt.services.platform import accounts, organizations, password_links
from nemt.services.platform.errors import InvalidInput, NotFound, ServiceError
from nemt.services.platform.permissions import Action
from nemt.web.common import Page, PageRoute, page_for, redirect, templates
from nemt.web.csrf import check_csrf, csrf_token

router = APIRouter(include_in_schema=False, route_class=PageRoute)
USERS, ORGS = page_for(Action.USER_ADMIN), page_for(Action.ORGANIZATION_ADMIN)

# What each user action does: (button, sentence on the confirmation page, success message).
USER_ACTIONS = {
    "disable": ("Disable", "{u} will no longer be able to sign in; their sessions and API tokens end now.",
                "{u} is disabled."),
    "enable": ("Enable", "{u} will be able to sign in again.", "{u} is enabled."),
    "reset": ("Reset password", "{u}'s password stops working now and their sessions and API tokens end; you get "
              "a one-time link to give them.", ""),
    "unlock": ("Lift lockout", "{u} may try to sign in again (the failed log-ins are forgotten).",
               "{u}'s lockout is lifted."),
    "role": ("Change role", "{u} will have the role {role} from their next request on.",
             "{u} now has the role {role}."),
}
ORG_ACTIONS = {
    "deactivate": ("Deactivate", "Nobody of {o} will be able to sign in; their sessions and API tokens end now.",
                   "{o} is deactivated."),
    "activate": ("Activate", "The users of {o} will be able to sign in again.", "{o} is active again."),
}


def _bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


# --- users -----------------------------------------------------------------------------------------------------------


@router.get("/admin/users")
def users_page(page: Page = Depends(USERS), organization: str | None = None, role: str | None = None,
               active: str | None = None, locked: str | None = None):
    filters = {"organization": organization or "", "role": role or "", "active": active or "", "locked": locked or ""}
    found = accounts.list_users(page.uow, page.actor, organization=organization or None, role=role or None,
                                active=_bool(active), locked=_bool(locked))
    return page.render("admin/users.html", users=found, filters=filters,
                       organizations=accounts.managed_organizations(page.uow, page.actor),
                       roles=sorted(accounts.grantable_roles(page.actor)), is_locked=accounts.is_locked,
                       may_orgs=page.may(Action.ORGANIZATION_ADMIN))


def _new_user_form(page: Page, form: dict[str, str], error: ServiceError | None = None):
    return page.render("admin/new_user.html", form=form, error=error,
                       organizations=accounts.managed_organizations(page.uow, page.actor, active=True),
                       roles=sorted(accounts.grantable_roles(page.actor)),
                       status_code=error.status if error else 200)


@router.get("/admin/new-user")
def new_user_form(page: Page = Depends(USERS)):
    return _new_user_form(page, {})


@router.post("/admin/new-user")
def create_user(request: Request, page: Page = Depends(USERS), username: str = Form(""),
                display_name: str = Form(""), role: str = Form(""), organization: str = Form(""),
                csrf_token_field: str = Form("", alias="csrf_token")):
    check_csrf(request, csrf_token_field)
    form = {"username": username, "display_name": display_name, "role": role, "organization": organization}
    try:
        issued = accounts.create_user(page.uow, page.actor, accounts.NewUser(username, display_name, role,
                                                                             organization))
    except ServiceError as error:
        return _new_user_form(page, form, error)
    return page.render("admin/link.html", issued=issued, url=issued.url(str(request.base_url)), created=True,
                       status_code=201)


@router.get("/admin/users/{username}")
def user_page(username: str, page: Page = Depends(USERS)):
    user = accounts.get_user(page.uow, page.actor, username)
    return page.render("admin/user.html", target=user, locked=accounts.is_locked(user),
                       roles=sorted(accounts.assignable_roles(page.actor, user.organization)),
                       is_self=user.id == page.actor.user_id)


def _user_action(action: str) -> tuple[str, str, str]:
    if action not in USER_ACTIONS:
        raise NotFound("no such action on a user", field="action", rule="user administration")
    return USER_ACTIONS[action]


@router.get("/admin/users/{username}/{action}")
def confirm_user_action(username: str, action: str, page: Page = Depends(USERS), role: str = ""):
    button, sentence, _ = _user_action(action)
    user = accounts.get_user(page.uow, page.actor, username)
    return page.render("admin/confirm.html", title=f"{button}: {user.username}", button=button,
                       sentence=sentence.format(u=user.display_name, role=role),
                       action=f"/admin/users/{user.username}/{action}", back=f"/admin/users/{user.username}",
                       fields={"role": role} if action == "role" else {})


@router.post("/admin/users/{username}/{action}")
def user_action(request: Request, username: str, action: str, page: Page = Depends(USERS), role: str = Form(""),
                csrf_token_field: str = Form("", alias="csrf_token")):
    check_csrf(request, csrf_token_field)
    _, _, done = _user_action(action)
    uow, actor = page.uow, page.actor
    if action == "reset":
        issued = accounts.reset_password(uow, actor, username)
        return page.render("admin/link.html", issued=issued, url=issued.url(str(request.base_url)), created=False)
    if action in ("disable", "enable"):
        user = accounts.set_active(uow, actor, username, action == "enable")
    elif action == "unlock":
        user = accounts.lift_lockout(uow, actor, username)
    else:
        user = accounts.change_role(uow, actor, username, role)
    request.session["flash"] = done.format(u=user.display_name, role=role)
    return redirect(f"/admin/users/{user.username}")


# --- organizations ---------------------------------------------------------------------------------------------------


def _organizations_page(page: Page, form: dict[str, str], error: ServiceError | None = None):
    return page.render("admin/organizations.html", organizations=organizations.list_organizations(page.uow,
                                                                                                   page.actor),
                       form=form, error=error, kinds=[k.value for k in OrgKind],
                       status_code=error.status if error else 200)


@router.get("/admin/organizations")
def organizations_page(page: Page = Depends(ORGS)):
    return _organizations_page(page, {"program": page.program})


@router.post("/admin/organizations")
def create_organization(request: Request, page: Page = Depends(ORGS), kind: str = Form(""), name: str = Form(""),
                        npi: str = Form(""), csrf_token_field: str = Form("", alias="csrf_token")):
    check_csrf(request, csrf_token_field)
    form = {"kind": kind, "name": name, "npi": npi, "program": page.program}
    try:
        org = organizations.create_organization(page.uow, page.actor, organizations.NewOrganization(
            kind, name, page.program, npi or None))
    except ServiceError as error:
        return _organizations_page(page, form, error)
    request.session["flash"] = f"{org.name} is created."
    return redirect("/admin/organizations")


def _org_action(action: str) -> tuple[str, str, str]:
    if action not in ORG_ACTIONS:
        raise NotFound("no such action on an organization", field="action", rule="organization administration")
    return ORG_ACTIONS[action]


@router.get("/admin/organizations/{key}/{action}")
def confirm_organization_action(key: str, action: str, page: Page = Depends(ORGS)):
    button, sentence, _ = _org_action(action)
    org = organizations.find(page.uow, page.actor, key)
    return page.render("admin/confirm.html", title=f"{button}: {org.name}", button=button,
                       sentence=sentence.format(o=org.name), action=f"/admin/organizations/{org.key}/{action}",
                       back="/admin/organizations", fields={})


@router.post("/admin/organizations/{key}/{action}")
def organization_action(request: Request, key: str, action: str, page: Page = Depends(ORGS),
                        csrf_token_field: str = Form("", alias="csrf_token")):
    check_csrf(request, csrf_token_field)
    _, _, done = _org_action(action)
    org = organizations.set_active(page.uow, page.actor, key, action == "activate")
    request.session["flash"] = done.format(o=org.name)
    return redirect("/admin/organizations")


# --- the one-time link (no sign-in: the link itself is the proof) -----------------------------------------------------


def _set_password_form(request: Request, token: str, username: str, error: ServiceError | None = None):
    return templates.TemplateResponse(request, "admin/set_password.html",
                                      {"csrf": csrf_token(request), "token": token, "username": username,
                                       "error": error, "user": None},
                                      status_code=error.status if error else 200)


@router.get(password_links.SET_PASSWORD_PATH + "{token}")
def set_password_form(request: Request, token: str, uow=Depends(get_uow)):
    user = password_links.check(uow, token)
    return _set_password_form(request, token, user.username)


@router.post(password_links.SET_PASSWORD_PATH + "{token}")
def set_password(request: Request, token: str, password: str = Form(""), repeat: str = Form(""),
                 csrf_token_field: str = Form("", alias="csrf_token"), uow=Depends(get_uow)):
    check_csrf(request, csrf_token_field)
    try:
        if password != repeat:
            raise InvalidInput("the two passwords differ", field="repeat", rule="password policy")
        user = password_links.use(uow, token, password)
    except ServiceError as error:
        if isinstance(error, NotFound):
            raise
        # The form again, for the link's user (a link no longer usable is the NotFound page instead).
        return _set_password_form(request, token, password_links.check(uow, token).username, error)
    return templates.TemplateResponse(request, "admin/password_set.html", {"user": None, "username": user.username})
