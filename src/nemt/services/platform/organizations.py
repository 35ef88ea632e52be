"""Organization administration: list, create, deactivate and activate the organizations of a program.

A program's administrator manages the organizations of their own program (the platform — a command — every
program's). A deactivated organization's sessions and API tokens end at once, and its users cannot sign in again
(``auth.may_sign_in``) until it is activated again.
"""

from __future__ import annotations

from dataclasses import dataclass

from nemt.domain.actors import Actor, OrgKind
from nemt.domain.identifiers import valid_npi
from nemt.policy import program_codes
from nemt.services.platform import audit
from nemt.services.platform.access import end_organization_access
from nemt.services.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Organization
from nemt.store.uow import CONCURRENT_WRITE_ERRORS

RULE = "organization administration"
OWN_PROGRAM = "own program only"
DEACTIVATED = "organization deactivated"


@dataclass(frozen=True)
class NewOrganization:
    kind: str
    name: str
    program: str
    npi: str | None = None


def find(uow, actor: Actor, ref: str, program: str | None = None) -> Organization:
    """An organization the actor administers, by its key or by its exact name (``program`` narrows a name used in
    two programs)."""
    found = uow.admin.organization(actor, ref)
    if found is not None:
        return found
    named = uow.admin.organization_named(actor, ref, program.upper() if program else None)
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise InvalidInput("two programs have an organization of that name; give the program", field="program",
                           rule=RULE)
    raise NotFound("no organization of that key or name that you administer", field="organization", rule=RULE)


def list_organizations(uow, actor: Actor, *, active: bool | None = None) -> list[Organization]:
    require(actor, Action.ORGANIZATION_ADMIN)
    return uow.admin.organizations(actor, active=active)


def create_organization(uow, actor: Actor, new: NewOrganization) -> Organization:
    """A new organization of the actor's program. A transportation provider needs its NPI (it bills under it); any
    NPI given must pass the check digit (45 CFR 162.406)."""
    require(actor, Action.ORGANIZATION_ADMIN)
    program, name, npi = new.program.strip().upper(), new.name.strip(), (new.npi or "").strip() or None
    _check(actor, new.kind, name, program, npi)
    if uow.organizations.by_name(program, name) is not None:
        raise Conflict("an organization of that name exists in the program", field="name",
                       rule="unique organization names")
    organization = Organization(kind=new.kind, name=name, program=program, npi=npi)
    try:
        uow.organizations.add(organization)
        audit.record(uow, actor, "create", "organization", None, organization=organization.key, kind=new.kind,
                     program=program)
        uow.commit()
    except CONCURRENT_WRITE_ERRORS:
        uow.rollback()
        raise Conflict("an organization of that name exists in the program", field="name",
                       rule="unique organization names") from None
    return organization


def _check(actor: Actor, kind: str, name: str, program: str, npi: str | None) -> None:
    if kind not in {k.value for k in OrgKind}:
        raise InvalidInput(f"the kind is one of {', '.join(k.value for k in OrgKind)}", field="kind", rule=RULE)
    if not name:
        raise InvalidInput("an organization has a name", field="name", rule=RULE)
    if program not in program_codes():
        raise InvalidInput(f"the program is one of {', '.join(program_codes())}", field="program", rule=RULE)
    if not actor.sees_program(program):
        raise Forbidden("you administer the organizations of your own program only", field="program",
                        rule=OWN_PROGRAM)
    if kind == OrgKind.PROVIDER and not npi:
        raise InvalidInput("a transportation provider has an NPI", field="npi", rule="NPI of a provider")
    if npi and not valid_npi(npi):
        raise InvalidInput("the NPI is ten digits with a valid check digit", field="npi", rule="NPI check digit")


def set_active(uow, actor: Actor, ref: str, active: bool, program: str | None = None) -> Organization:
    """Deactivate (``active=False``) or activate again an organization the actor administers (by key or name:
    :func:`find`). Deactivating ends its users' sessions and API tokens; nobody deactivates their own
    organization."""
    require(actor, Action.ORGANIZATION_ADMIN)
    organization = find(uow, actor, ref, program)
    if organization.id == actor.organization_id and not active:
        raise Forbidden("you may not deactivate your own organization", field="organization",
                        rule="no change to one's own account")
    if organization.active == active:
        return organization
    organization.active = active
    ended = end_organization_access(uow, organization, DEACTIVATED) if not active else {}
    audit.record(uow, actor, "activate" if active else "deactivate", "organization", None,
                 organization=organization.key, users=uow.admin.count_users_of(organization.id), **ended)
    uow.commit()
    return organization
