"""Who may see what. Each endpoint states its roles; these functions decide per record.

- Broker and department users see every member of their program (the broker arranges rides for all of them; the
  Department's auditors review all of them).
- Transportation providers and their drivers see the members of trips assigned to their organization.
- Medical facilities see the members of trips they booked, and may look a member up by exact ID to book.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select

from nemt.domain.actors import Actor, OrgKind, Role
from nemt.services.platform.errors import Forbidden
from nemt.store.models import Member

# Roles allowed for each kind of work (the API and the pages check these).
MEMBER_SEARCH_ROLES = {Role.AGENT, Role.DISPATCHER, Role.FACILITY_SCHEDULER, Role.AUDITOR, Role.ADMIN}
MEMBER_READ_ROLES = MEMBER_SEARCH_ROLES | {Role.PROVIDER_ADMIN, Role.DRIVER}
MEMBER_IMPORT_ROLES = {Role.ADMIN}
AUDIT_READ_ROLES = {Role.AUDITOR, Role.ADMIN}

_WHOLE_PROGRAM_ORGS = {OrgKind.BROKER, OrgKind.DEPARTMENT}

# Trip-based visibility is registered by the trips module once trips exist (avoids an import cycle).
_trip_links: list = []


def register_trip_link(predicate) -> None:
    """``predicate(org_kind, org_id) -> SQL condition on Member`` true when the org has a trip with the member."""
    _trip_links.append(predicate)


def require_role(actor: Actor, allowed: set[Role] | set[str]) -> None:
    if actor.role not in {str(r) for r in allowed}:
        raise Forbidden(f"the role {actor.role!r} may not do this", rule="role-based access")


def member_filter(actor: Actor):
    """A SQL condition selecting the members ``actor`` may see (None = all of the actor's program)."""
    if actor.program is not None:
        program_cond = Member.program == actor.program
    else:
        program_cond = None
    if actor.organization_kind in _WHOLE_PROGRAM_ORGS or actor.organization_kind is None:
        return program_cond
    links = [p(actor.organization_kind, actor.organization_id) for p in _trip_links]
    links = [c for c in links if c is not None]
    cond: ColumnElement[bool]
    if not links:
        cond = Member.id.is_(None)  # nothing visible
    else:
        cond = or_(*links)
    return cond if program_cond is None else (program_cond & cond)


def can_see(uow, actor: Actor, member: Member) -> bool:
    cond = member_filter(actor)
    if cond is None:
        return True
    return bool(uow.session.scalar(select(exists().where(Member.id == member.id, cond))))


def ensure_can_see(uow, actor: Actor, member: Member) -> None:
    if not can_see(uow, actor, member):
        # Same answer as for an unknown member: do not confirm that the member exists.
        from nemt.services.platform.errors import NotFound

        raise NotFound("no such member", field="member", rule="organization-based access")
