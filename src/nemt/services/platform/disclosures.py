"""The accounting of disclosures: for one member, who read or changed their record, when, and through what.

45 CFR 164.528 gives a member the right to an accounting of the disclosures of their health information; 164.312(b)
asks for the audit controls that make one possible. Every read and change of member data is an audit record
naming the member, the user (name, role, organization), the time, and the channel (API, page, command or job, with
the endpoint or command) — ``nemt.services.platform.audit`` — so the accounting is the member's records, oldest
first. Auditors and administrators read it (``Action.AUDIT_DISCLOSURES``), for the members they may see; reading it
is itself recorded, and so appears in the next accounting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from nemt.domain.actors import Actor
from nemt.services.platform import audit
from nemt.services.platform.errors import NotFound
from nemt.services.platform.permissions import Action, require
from nemt.store.models import AuditEvent

CHANNEL_WORDS = {"api": "API", "page": "web page", "command": "command", "job": "job", "": "not recorded"}


@dataclass(frozen=True)
class Disclosure:
    """One read or change of the member's record."""

    at: dt.datetime
    username: str
    role: str
    organization: str
    action: str
    entity: str
    channel: str
    endpoint: str
    detail: dict[str, Any]

    @property
    def through(self) -> str:
        """The channel in words, with the endpoint: ``API GET /api/v1/members/{key}``."""
        words = CHANNEL_WORDS.get(self.channel, self.channel)
        return f"{words} {self.endpoint}".strip()


def _organizations(uow, events: list[AuditEvent]) -> dict[int, str]:
    """The names of the organizations the events name (one query); an id no longer stored is named by its number."""
    wanted = {e.organization_id for e in events if e.organization_id is not None}
    names = uow.organizations.names(wanted)
    return {org_id: names.get(org_id, f"organization {org_id}") for org_id in wanted}


def disclosures(uow, actor: Actor, member_key: str) -> list[Disclosure]:
    """The member's accounting, oldest first. A member the actor may not see is answered like an unknown one."""
    require(actor, Action.AUDIT_DISCLOSURES)
    member = uow.members.visible(actor, member_key)
    if member is None:
        raise NotFound("no such member", field="member", rule="member look-up")
    events = uow.audit.for_member(member.id)
    orgs = _organizations(uow, events)
    rows = [Disclosure(e.at, e.username, e.role, orgs.get(e.organization_id, "—") if e.organization_id else "—",
                       e.action, e.entity, e.channel, e.endpoint, dict(e.detail or {})) for e in events]
    audit.record(uow, actor, "read", "disclosures", member.id, rows=len(rows))
    uow.commit()
    return rows
