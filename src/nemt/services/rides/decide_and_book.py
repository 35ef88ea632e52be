"""Book one ride: decide it, store the trip and its legs, a notice when denied or pending — all in one unit of work,
all of it or nothing."""

from __future__ import annotations

import datetime as dt

from nemt.domain.actors import Actor
from nemt.services.platform.errors import Conflict
from nemt.services.platform.permissions import Action, require
from nemt.services.rides.commands import RideRequestIn
from nemt.services.rides.idempotency import replay, retry_on_race
from nemt.services.rides.prepare import prepare
from nemt.services.rides.results import BookingResult
from nemt.services.rides.writing import write_trip
from nemt.store.uow import UnitOfWork


def book_ride(uow: UnitOfWork, actor: Actor, request: RideRequestIn, now: dt.datetime, *,
              idempotency_key: str | None = None) -> BookingResult:
    """Book one ride: decide it, store the trip and its legs, a notice when denied or pending.

    The same request twice (same ``idempotency_key``, or without one the same member, appointment, destination and
    direction) returns the first trip with ``created=False``. Raises InvalidInput / NotFound / Conflict / Forbidden,
    each naming the field and the rule; nothing is written then."""
    require(actor, Action.RIDE_BOOK)
    p = prepare(uow, actor, request, now, idempotency_header=idempotency_key)

    def attempt() -> BookingResult:
        existing = uow.rides.trip_by_idempotency_key(p.idempotency_key)
        if existing is not None:
            return replay(uow, actor, existing, p.fingerprint, p.key_source)
        result = write_trip(uow, actor, p)
        uow.commit()
        return result

    def winner() -> BookingResult | None:
        # Someone else booked the same request at the same moment: answer with their trip.
        existing = uow.rides.trip_by_idempotency_key(p.idempotency_key)
        return replay(uow, actor, existing, p.fingerprint, p.key_source) if existing is not None else None

    return retry_on_race(uow, attempt, winner, Conflict("the ride could not be booked; try again", field="ride",
                                                        rule="concurrent booking"))
