"""Idempotency and races: each trip carries a unique ``idempotency_key`` — from the client's ``Idempotency-Key`` or,
without one, a hash of member + appointment + destination + direction (its ``content_key``). The same request sent
twice (a retry, two agents at once) makes one trip; the loser of a race hits the unique index, rolls back and answers
with the winner's trip. Every trip also carries its ``content_key``, unique among active trips: a second booking of
the same ride under another key (each agent with their own ``Idempotency-Key``, or one with a key and one without) is
answered with the ride booked first, as a booking without a key always was. Changes that lose to another writer (a
vehicle run's version moved on) are a :class:`Conflict`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from nemt.domain.actors import Actor
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict, InvalidInput, ServiceError
from nemt.services.rides.commands import DestinationIn
from nemt.services.rides.places import norm
from nemt.services.rides.results import BookingResult, decision_of
from nemt.store.models import Member, Trip
from nemt.store.uow import CONCURRENT_WRITE_ERRORS, UnitOfWork

T = TypeVar("T")
ATTEMPTS = 4


def sha(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _destination_identity(d: DestinationIn) -> str:
    if d.provider is not None:
        return "provider:" + d.provider
    return "address:" + norm(d.address) + "|" + (d.zip or "")[:5]


def content_key(member: Member, appointment_at: dt.datetime, d: DestinationIn, direction: str) -> str:
    """What makes two bookings the same ride: member, appointment time, destination and direction."""
    moment = appointment_at.astimezone(dt.UTC).isoformat()
    return sha("content", member.key, moment, _destination_identity(d), direction)


def idempotency_key(member: Member, header: str | None, appointment_at: dt.datetime, d: DestinationIn,
                    direction: str) -> tuple[str, str]:
    """The request's key and where it came from (``header`` or ``content``)."""
    if header is not None:
        header = header.strip()
        if not header or len(header) > 200:
            raise InvalidInput("an Idempotency-Key has 1 to 200 characters", field="Idempotency-Key",
                               rule="idempotency")
        return sha("header", member.key, header), "header"
    return content_key(member, appointment_at, d, direction), "content"


def booked_before(uow: UnitOfWork, key: str, content: str) -> tuple[Trip, str] | None:
    """The trip this request was booked as already, and how it was found: by its own key (``key``), else the active
    trip of the same ride under another key (``content``)."""
    return uow.rides.trip_booked_as(key, content)


def fingerprint(body: dict) -> str:
    core = {k: v for k, v in body.items() if k != "requested_at"}
    return sha(json.dumps(core, sort_keys=True, default=str))


def other_request() -> Conflict:
    return Conflict("this Idempotency-Key was used for another request", field="Idempotency-Key",
                    rule="idempotency: one key, one request")


def replay(uow: UnitOfWork, actor: Actor, trip: Trip, request_fingerprint: str | None,
           key_source: str) -> BookingResult:
    """Answer a repeated request with the trip booked first (an office that may not see it gets a Conflict)."""
    if not uow.rides.may_see_trip(actor, trip.id):
        raise Conflict("this ride is already booked by another office", field="appointment_at",
                       rule="one trip per member, appointment and destination")
    if key_source == "header" and request_fingerprint is not None and \
            trip.request.get("fingerprint") != request_fingerprint:
        raise other_request()
    audit.record(uow, actor, "read", "trip", trip.member_id, trip=trip.key, via="idempotent-replay")
    notices = uow.rides.notices_of(trip.id)
    result = BookingResult(trip, decision_of(trip), notices[-1] if notices else None, created=False)
    uow.commit()
    return result


def retry_on_race(uow: UnitOfWork, attempt: Callable[[], T], after_lost_race: Callable[[], T | None],
                  gave_up: Conflict) -> T:
    """Run ``attempt`` (which writes and commits); when its write loses a race to another writer of the same
    request, roll back and answer ``after_lost_race()`` (the winner's result), or, when that has nothing yet, try
    again. A :class:`ServiceError` rolls back everything the attempt wrote."""
    for tried in range(1, ATTEMPTS + 1):
        try:
            return attempt()
        except CONCURRENT_WRITE_ERRORS as exc:
            uow.rollback()
            if not uow.rides.lost_race(exc) or tried == ATTEMPTS:
                raise
            answer = after_lost_race()
            if answer is not None:
                return answer
        except ServiceError:
            uow.rollback()
            raise
    raise gave_up


def schedule_changed() -> Conflict:
    return Conflict("the ride or a vehicle's schedule was changed at the same time; reload and try again",
                    field="ride", rule="optimistic locking")


def duplicate_trip() -> Conflict:
    return Conflict("another ride is booked for this member, appointment and destination",
                    field="appointment_at", rule="one trip per member, appointment and destination")


def commit_or_conflict(uow: UnitOfWork, *, flush_only: bool = False) -> None:
    """Commit (or only flush); a write that lost to another writer rolls back and is a :class:`Conflict`: another
    trip took the same idempotency key, or a vehicle run's version moved on."""
    try:
        if flush_only:
            uow.flush()
        else:
            uow.commit()
    except CONCURRENT_WRITE_ERRORS as exc:
        uow.rollback()
        raise (duplicate_trip() if uow.rides.duplicate_key(exc) else schedule_changed()) from None
