"""Read complaints: one (with its notes and notices), the list the actor may see (optionally one member's), each
described as plain values with whether it is overdue. Reading is audited (one event per member listed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nemt.domain import complaints as rules
from nemt.domain.actors import Actor
from nemt.domain.statuses import ComplaintStatus
from nemt.policy import load_policy
from nemt.services.complaints.investigation import visible_complaint
from nemt.services.platform import audit
from nemt.services.platform.errors import InvalidInput, NotFound
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Complaint
from nemt.store.uow import UnitOfWork


@dataclass(frozen=True)
class ComplaintView:
    """A complaint as the interfaces show it: its row, the provider's name, and whether it is overdue today."""

    complaint: Complaint
    provider: str | None
    overdue: bool

    @property
    def status_words(self) -> str:
        return rules.STATUS_WORDS.get(ComplaintStatus(self.complaint.status), self.complaint.status)


def _views(uow: UnitOfWork, found: Iterable[Complaint], now: dt.datetime) -> list[ComplaintView]:
    found = list(found)
    names = uow.complaints.provider_names({c.provider_id for c in found if c.provider_id is not None})
    today = {p: now.astimezone(load_policy(p).time_zone).date() for p in {c.program for c in found}}
    return [ComplaintView(c, names.get(c.provider_id) if c.provider_id else None,
                          rules.is_overdue(c.status, c.due_on, today[c.program])) for c in found]


def view(uow: UnitOfWork, complaint: Complaint, now: dt.datetime) -> ComplaintView:
    """A complaint just written or read, as the interfaces show it (no further audit record: its use case wrote
    one)."""
    return _views(uow, [complaint], now)[0]


def get_complaint(uow: UnitOfWork, actor: Actor, key: str, now: dt.datetime) -> ComplaintView:
    require(actor, Action.COMPLAINT_READ)
    complaint = visible_complaint(uow, actor, key)
    audit.record(uow, actor, "read", "complaint", complaint.member_id, complaint=complaint.key)
    uow.commit()
    return _views(uow, [complaint], now)[0]


def list_complaints(uow: UnitOfWork, actor: Actor, now: dt.datetime, *, status: str | None = None,
                    member_key: str | None = None, program: str | None = None) -> list[ComplaintView]:
    """The complaints the actor may see, newest first; ``status`` one of open, investigating, resolved."""
    require(actor, Action.COMPLAINT_READ)
    if status and status not in set(ComplaintStatus):
        raise InvalidInput(f"is not a complaint status; one of {', '.join(ComplaintStatus)}", field="status",
                           rule="complaint steps")
    member_id = None
    if member_key:
        member = uow.members.visible(actor, member_key)
        if member is None:
            raise NotFound("no member with this key that you may see", field="member", rule="complaints")
        member_id = member.id
    found = uow.complaints.listed(actor, program=program, status=status or None, member_id=member_id)
    audit.record_members(uow, actor, "read", "complaint", [c.member_id for c in found], listed=len(found))
    if not any(c.member_id for c in found):
        audit.record(uow, actor, "read", "complaint", None, listed=len(found))
    uow.commit()
    return _views(uow, found, now)


def describe(view: ComplaintView) -> dict[str, Any]:
    """The complaint as JSON values (the API's answer and the command's output): keys, never member data."""
    c = view.complaint
    return {
        "key": c.key, "reference": c.reference, "program": c.program, "category": c.category,
        "status": c.status, "description": c.description, "reported_by": c.reported_by,
        "received_at": c.received_at, "received_on": c.received_on, "due_on": c.due_on, "overdue": view.overdue,
        "trip": c.trip.key if c.trip else None, "confirmation": c.trip.confirmation if c.trip else None,
        "member": c.member.key if c.member else None, "provider": view.provider,
        "finding": c.finding, "resolution": c.resolution or None, "resolved_at": c.resolved_at,
        "notes": [{"text": n.text, "author": n.author, "at": n.at} for n in c.notes],
        "notices": [{"key": n.key, "text": n.text, "created_at": n.created_at} for n in c.notices],
    }
