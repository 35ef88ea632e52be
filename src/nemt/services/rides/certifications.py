"""Certifications and the pending worklist (issue 16, point 3).

A ride waits (outcome ``pending``, legs ``pending``) when the rules need a document that is not on file, above all
the medical professional's written certification of the mode (Colorado: "Mobility/Ambulatory Vehicles", "Wheelchair
Van", …: the statement that the member cannot use less costly modes, is wheelchair-confined, must travel prone or
supine, …). All the trips of a new standing order wait together; so does an urgent discharge booked before the
paperwork.

- :func:`record_certification` puts the statements on the member's record (``member_needs``: what was certified, who
  signed, the signature date; a renewed statement replaces the older one) and decides every pending ride of the
  member again, as they were asked for (the original request time). A ride now approved leaves ``pending``: its legs
  become ``scheduled`` and dispatch plans them; the member gets a notice of the new decision. Everything is in the
  audit trail (the statements recorded, each ride decided again) — the professional's name is not member data; no
  member data goes into the audit details.
- :func:`pending_rides` is the worklist: the active, future rides of the actor's program still waiting, each with
  what it waits for (the pending reasons, in words). Reading it records one audit event per member shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from nemt.domain.actors import Actor
from nemt.domain.decisions import APPROVED, HOLD
from nemt.domain.decisions.words import day_words, joined, need_words
from nemt.domain.rides import Need
from nemt.domain.statuses import DONE_LEG_STATUSES
from nemt.domain.vocabulary import DOCUMENTED_NEEDS
from nemt.policy import load_policy
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.services.platform.permissions import Action, require
from nemt.services.rides.change_cancel import decide_again, move_legs
from nemt.services.rides.commands import RideRequestIn, parse_input
from nemt.services.rides.idempotency import commit_or_conflict
from nemt.services.rides.prepare import bookable_member
from nemt.services.rides.queries import record_each_member
from nemt.services.rides.results import BookingResult
from nemt.services.rides.writing import apply_decision, write_notice
from nemt.store.models import Member, MemberNeed, Trip
from nemt.store.uow import CONCURRENT_WRITE_ERRORS, UnitOfWork

__all__ = ["CertificationIn", "CertificationResult", "certification_words", "check_signature_date",
           "decide_waiting_rides", "pending_rides", "put_on_record", "record_certification", "waiting_for"]


class CertificationIn(BaseModel):
    """A medical professional's written certification: the body of ``POST /api/v1/members/{key}/certifications``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statements: Annotated[list[Need], Field(min_length=1, max_length=len(DOCUMENTED_NEEDS), description=(
        "what the professional certified, from the needs vocabulary (cannot-use-less-costly-modes, "
        "wheelchair-confined, prone-or-supine, escort-required, ...)"))]
    certified_by: Annotated[str, Field(min_length=1, max_length=200, description=(
        "who signed: the medical professional (name, credentials, practice)"))]
    certified_on: dt.date = Field(description="the signature date; not in the future")


@dataclass
class CertificationResult:
    member: Member
    statements: list[str]
    decided: list[BookingResult] = field(default_factory=list)  # the member's pending rides, decided again
    before: dict[str, str] = field(default_factory=dict)  # trip key -> outcome before

    @property
    def released(self) -> list[Trip]:
        """The rides the certification released (now approved)."""
        return [r.trip for r in self.decided if r.trip.outcome == APPROVED]


def record_certification(uow: UnitOfWork, actor: Actor, member_key: str, command: CertificationIn,
                         now: dt.datetime) -> CertificationResult:
    """Record the certification on the member's record and decide the member's pending rides again (see the
    module's docstring). All of it or nothing."""
    require(actor, Action.CERTIFICATION_RECORD)
    member = bookable_member(uow, actor, member_key)
    check_signature_date(member, command.certified_on, now)
    statements = put_on_record(uow, member, command.statements, command.certified_by, command.certified_on)
    audit.record(uow, actor, "create", "certification", member.id, statements=statements,
                 certified_on=command.certified_on.isoformat())
    result = decide_waiting_rides(uow, actor, member, now, certification_words(
        statements, command.certified_by, command.certified_on), via="certification")
    result.statements = statements
    commit_or_conflict(uow)
    return result


def check_signature_date(member: Member, signed_on: dt.date, now: dt.datetime, field: str = "certified_on",
                         what: str = "a certification") -> None:
    """A document is recorded once it is signed: a signature date in the program's future is refused."""
    zone = load_policy(member.program).time_zone
    if signed_on > now.astimezone(zone).date():
        raise InvalidInput(f"is in the future: {what} is recorded once it is signed", field=field,
                           rule="certification date")


def put_on_record(uow: UnitOfWork, member: Member, statements: Iterable[str], certified_by: str,
                  certified_on: dt.date) -> list[str]:
    """Put certified statements on the member's record (``member_needs``: what, who, when; a renewed statement
    replaces the older one). Returns the statements, sorted; a Conflict when the same statement is recorded for the
    member at the same moment."""
    chosen: list[str] = sorted(set(statements))
    on_file = {n.need: n for n in member.needs}
    for statement in chosen:
        need = on_file.get(statement)
        if need is None:
            member.needs.append(MemberNeed(need=statement, certified_on=certified_on,
                                           certified_by=certified_by.strip()))
        else:  # a renewed statement replaces the older one
            need.certified_on, need.certified_by = certified_on, certified_by.strip()
    try:
        uow.flush()
    except CONCURRENT_WRITE_ERRORS:  # the same statement recorded for the member at the same moment
        uow.rollback()
        raise Conflict("the member's certifications were changed at the same time; reload and try again",
                       field="statements", rule="one statement per member") from None
    return chosen


def certification_words(statements: Iterable[str], certified_by: str, certified_on: dt.date) -> str:
    """What arrived, for the member's notice of a ride it approves."""
    return (f"The written certification that {joined(map(need_words, statements))}, signed by "
            f"{certified_by.strip()} on {day_words(certified_on)}, is on file: the ride is approved.")


def decide_waiting_rides(uow: UnitOfWork, actor: Actor, member: Member, now: dt.datetime, arrived: str, *,
                         via: str, **audit_detail: str) -> CertificationResult:
    """Decide every pending, future ride of the member again (a document arrived: ``arrived``, in words, goes on the
    notice of a ride it approves). Flushes; the caller commits."""
    result = CertificationResult(member, [])
    for trip in uow.rides.visible_pending_trips(actor, now, member_id=member.id):
        if any(leg.status in DONE_LEG_STATUSES for leg in trip.legs):
            continue
        result.before[trip.key] = trip.outcome
        result.decided.append(_decide_pending(uow, actor, trip, now, arrived, via, audit_detail))
    return result


def _decide_pending(uow: UnitOfWork, actor: Actor, trip: Trip, now: dt.datetime, arrived: str, via: str,
                    audit_detail: dict[str, str]) -> BookingResult:
    """Decide a pending ride again as it was asked for (same request, same request time) with the member's record
    and documents as they are now; its legs follow the new outcome (``scheduled`` when approved) and the member gets
    a notice."""
    stored = dict(trip.request.get("booking") or {})
    requested_at = trip.requested_at if trip.requested_at <= now else now
    ride = parse_input(RideRequestIn, {**stored, "member": trip.member.key, "requested_at": requested_at})
    p = decide_again(uow, actor, trip, ride, now)
    before = trip.outcome
    apply_decision(trip, p)
    move_legs(uow, trip, p)
    commit_or_conflict(uow, flush_only=True)
    audit.record(uow, actor, "update", "trip", trip.member_id, trip=trip.key, via=via,
                 before={"outcome": before}, outcome=trip.outcome, **audit_detail)
    # A waiting ride now approved: the member's notice says what arrived (and who arranges the ride).
    notice = write_notice(uow, actor, trip, p, approved_because=arrived)
    return BookingResult(trip, p.decision, notice, created=False)


def waiting_for(trip: Trip) -> list[str]:
    """What a pending ride waits for: the messages of its pending reasons (plain words)."""
    return [r.get("message", "") for r in (trip.decision or {}).get("reasons", []) if r.get("kind") == HOLD]


def pending_rides(uow: UnitOfWork, actor: Actor, now: dt.datetime, *, program: str | None = None) -> list[Trip]:
    """The pending worklist of the actor's program (or ``program``, for the platform's own users): active rides
    with an appointment still ahead whose decision waits for a document, by appointment time."""
    require(actor, Action.PENDING_READ)
    program = program or actor.program
    trips = uow.rides.visible_pending_trips(actor, now, program=program)
    audit.record(uow, actor, "read", "trip", None, via="pending-list", rows=len(trips))
    record_each_member(uow, actor, trips, via="pending-list")
    uow.commit()
    return trips
