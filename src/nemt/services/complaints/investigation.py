"""Investigate and resolve a complaint: open -> investigating -> resolved (``nemt.domain.complaints.step_refused`` says
why a step cannot be taken). Notes are append-only, each with who wrote it and when; the first note starts the
investigation. Resolving records the finding (substantiated or not) and the resolution, and the member concerned
gets a notice. Every step is audited; two investigators acting at once: one wins, the other is told to reload."""

from __future__ import annotations

import datetime as dt

from nemt.domain import complaints as rules
from nemt.domain.actors import Actor
from nemt.domain.statuses import ComplaintFinding, ComplaintStatus
from nemt.policy import load_policy
from nemt.services.complaints.commands import NoteIn, ResolutionIn
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict, NotFound
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Complaint, ComplaintNote, ComplaintNotice
from nemt.store.uow import CONCURRENT_WRITE_ERRORS, UnitOfWork

RULE = "complaint steps"
FINDING_WORDS: dict[str, str] = {ComplaintFinding.SUBSTANTIATED: "substantiated",
                                  ComplaintFinding.NOT_SUBSTANTIATED: "not substantiated"}
CATEGORY_WORDS = {"late": "a late ride", "driver-no-show": "a driver who did not come",
                  "driver-conduct": "a driver's conduct", "vehicle-condition": "a vehicle's condition",
                  "safety": "safety", "billing": "billing", "other": "your ride"}


def visible_complaint(uow: UnitOfWork, actor: Actor, key: str) -> Complaint:
    complaint = uow.complaints.visible(actor, key)
    if complaint is None:
        raise NotFound("no complaint with this key that you may see", field="complaint", rule="complaints")
    return complaint


def _step(complaint: Complaint, target: ComplaintStatus) -> None:
    refused = rules.step_refused(complaint.status, target)
    if refused is not None:
        raise Conflict(refused, field="status", rule=RULE)
    complaint.status = target


def _commit(uow: UnitOfWork) -> None:
    try:
        uow.commit()
    except CONCURRENT_WRITE_ERRORS:
        uow.rollback()
        raise Conflict("the complaint was changed at the same time; reload it and try again", field="complaint",
                       rule=RULE) from None


def start_investigation(uow: UnitOfWork, actor: Actor, key: str, now: dt.datetime) -> Complaint:
    require(actor, Action.COMPLAINT_INVESTIGATE)
    complaint = visible_complaint(uow, actor, key)
    _step(complaint, ComplaintStatus.INVESTIGATING)
    audit.record(uow, actor, "update", "complaint", complaint.member_id, complaint=complaint.key,
                 status=complaint.status)
    _commit(uow)
    return complaint


def add_note(uow: UnitOfWork, actor: Actor, key: str, command: NoteIn, now: dt.datetime) -> ComplaintNote:
    """Add an investigation note; an open complaint is then under investigation. A resolved one takes no notes."""
    require(actor, Action.COMPLAINT_INVESTIGATE)
    complaint = visible_complaint(uow, actor, key)
    if complaint.status == ComplaintStatus.OPEN:
        _step(complaint, ComplaintStatus.INVESTIGATING)
    elif complaint.status == ComplaintStatus.RESOLVED:
        raise Conflict("the complaint is resolved: a resolved complaint takes no more notes", field="text",
                       rule=RULE)
    note = uow.complaints.add_note(ComplaintNote(complaint_id=complaint.id, text=command.text.strip(),
                                                 author_user_id=actor.user_id, author=actor.username, at=now))
    audit.record(uow, actor, "update", "complaint", complaint.member_id, complaint=complaint.key, note=note.id)
    _commit(uow)
    uow.complaints.refresh(complaint)
    return note


def notice_text(complaint: Complaint, zone_date: dt.date) -> str:
    """The member's notice: the complaint, the finding and the resolution, in words."""
    about = CATEGORY_WORDS.get(complaint.category, "your ride")
    finding = FINDING_WORDS.get(complaint.finding or "", str(complaint.finding))
    return (f"Your complaint {complaint.reference} about {about}, received on {complaint.received_on:%B %-d, %Y}, "
            f"was resolved on {zone_date:%B %-d, %Y}. We found it {finding}. {complaint.resolution}")


def resolve(uow: UnitOfWork, actor: Actor, key: str, command: ResolutionIn, now: dt.datetime) -> Complaint:
    """Resolve a complaint under investigation with its finding and resolution; the member gets a notice."""
    require(actor, Action.COMPLAINT_INVESTIGATE)
    complaint = visible_complaint(uow, actor, key)
    _step(complaint, ComplaintStatus.RESOLVED)
    complaint.finding, complaint.resolution = str(command.finding), command.resolution.strip()
    complaint.resolved_at, complaint.resolved_by_user_id = now, actor.user_id
    notice = None
    if complaint.member_id is not None:
        today = now.astimezone(load_policy(complaint.program).time_zone).date()
        notice = uow.complaints.add_notice(ComplaintNotice(complaint_id=complaint.id, member_id=complaint.member_id,
                                                           text=notice_text(complaint, today), created_at=now))
    audit.record(uow, actor, "update", "complaint", complaint.member_id, complaint=complaint.key,
                 status=complaint.status, finding=complaint.finding, notice=notice.key if notice else None)
    _commit(uow)
    uow.complaints.refresh(complaint)
    return complaint
