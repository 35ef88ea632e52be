"""Finding a member and reading a member's record; both are audited reads."""

from __future__ import annotations

import datetime as dt

from nemt.domain.actors import Actor, Role
from nemt.policy import load_policy, program_codes
from nemt.services.platform import audit, throttle
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Coverage, Member


def _by_medicaid_id(uow, actor: Actor, medicaid_id: str) -> list[Member]:
    programs = [actor.program] if actor.program else list(program_codes())
    if not any(load_policy(p).valid_medicaid_id(medicaid_id) for p in programs):
        policy = load_policy(programs[0])
        raise InvalidInput(f"a Medicaid ID is one letter and six digits (e.g. "
                           f"{policy.get('identifiers.medicaid_id_example')})",
                           field="medicaid_id", rule=policy.cite("identifiers"))
    # A facility may find a member of its program by exact ID to book an urgent ride; otherwise the usual
    # visibility applies.
    scope = None if actor.role == Role.FACILITY_SCHEDULER else actor
    return uow.members.with_medicaid_id(scope, programs, medicaid_id)


def find_members(uow, actor: Actor, *, medicaid_id: str | None = None, last_name: str | None = None,
                 first_name: str | None = None, birth_date: dt.date | None = None) -> list[Member]:
    """Find members by Medicaid ID, or by last name and birth date (first name optional)."""
    require(actor, Action.MEMBER_SEARCH)
    if medicaid_id:
        found = _by_medicaid_id(uow, actor, medicaid_id.strip().upper())
    elif last_name and birth_date:
        found = uow.members.by_name_and_birth_date(actor.program, last_name, first_name, birth_date, actor)
    else:
        raise InvalidInput("give a Medicaid ID, or a last name and a birth date", field="medicaid_id",
                           rule="member search")
    throttle.member_lookups(uow, actor, [m.id for m in found])
    audit.record(uow, actor, "search", "member", None, by="medicaid_id" if medicaid_id else "name+birth_date",
                 results=len(found))
    audit.record_members(uow, actor, "read", "member", [m.id for m in found], via="search")
    uow.commit()
    return found


def visible_member(uow, actor: Actor, key: str) -> Member:
    """The member with ``key`` if the actor may see it. A member the actor may not see is reported exactly like one
    that does not exist (the answer does not confirm that the member exists)."""
    member = uow.members.visible(actor, key)
    if member is None:
        raise NotFound("no such member", field="member", rule="member look-up")
    return member


def get_member(uow, actor: Actor, key: str) -> Member:
    require(actor, Action.MEMBER_READ)
    member = visible_member(uow, actor, key)
    throttle.member_lookups(uow, actor, [member.id])
    audit.record(uow, actor, "read", "member", member.id)
    uow.commit()
    return member


def coverage_on(member: Member, day: dt.date) -> Coverage | None:
    """The coverage span in force on ``day`` (None when there is none)."""
    for span in member.coverage:
        if span.start <= day and (span.end is None or span.end >= day):
            return span
    return None
