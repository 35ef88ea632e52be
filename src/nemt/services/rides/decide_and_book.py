"""Book one ride: decide it, store the trip and its legs, a notice when denied or pending — all in one unit of work,
all of it or nothing."""

from __future__ import annotations

import datetime as dt

from nemt.domain.actors import Actor
from nemt.services.platform.errors import Conflict
from nemt.services.platform.permissions import Action, require
from nemt.services.rides.commands import RideRequestIn
from nemt.services.rides.idempotency import booked_before, replay, retry_on_race
from nemt.services.rides.prepare import prepare
from nemt.services.rides.results import BookingResult
from nemt.services.rides.writing import write_trip
from nemt.store.uow import UnitOfWork


def book_ride(uow: UnitOfWork, actor: Actor, request: RideRequestIn, now: dt.datetime, *,
              idempotency_key: str | None = None) -> BookingResult:
    """Book one ride: decide it, store the trip and its legs, a notice when denied or pending.

    The same request twice (same ``idempotency_key``, or without one the same member, appointment, destination and
    direction) returns the first trip with ``created=False``; so does the same ride (member, appointment,
    destination, direction) booked again under another key while the first is active. Raises InvalidInput /
    NotFound / Conflict / Forbidden, each naming the field and the rule; nothing is written then."""
    require(actor, Action.RIDE_BOOK)
    p = prepare(uow, actor, request, now, idempotency_header=idempotency_key)

    def answer_with_first() -> BookingResult | None:
        found = booked_before(uow, p.idempotency_key, p.content_key)
        if found is None:
            return None
        trip, how = found
        # Under its own key a replay must be the same request; the same ride under another key is answered as a
        # booking without a key is: with the ride booked first.
        return replay(uow, actor, trip, p.fingerprint, p.key_source if how == "key" else "content")

    def attempt() -> BookingResult:
        replayed = answer_with_first()
        if replayed is not None:
            return replayed
        result = write_trip(uow, actor, p)
        uow.commit()
        return result

    # The loser of a race (someone else booked the same request or ride at the same moment) answers with the winner's.
    gave_up = Conflict("the ride could not be booked; try again", field="ride", rule="concurrent booking")
    return retry_on_race(uow, attempt, answer_with_first, gave_up)
