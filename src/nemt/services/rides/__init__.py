"""Rides (booking): book, change and cancel rides, standing orders, notices, and the scoped lists of trips.

Every use case runs in one unit of work and commits all of its changes or none. A ride command is decided as the
domain's :class:`nemt.domain.rides.RideRequest` by ``nemt.domain.decisions.decide(request, policy, now)``.

- ``commands``: the input models (the API's request bodies) and ``parse_input``;
- ``prepare`` / ``request`` / ``places``: validate a command, gather the member's facts and the distances, decide;
- ``decide_and_book``: ``book_ride``; ``writing``: the trip, its legs and the notice;
- ``idempotency``: one request, one trip; races and conflicts;
- ``change_cancel``: ``change_ride``, ``cancel_ride``; ``standing_orders``: recurring appointments;
- ``certifications``: record a medical professional's written certification, decide the waiting rides again; the
  pending worklist;
- ``queries``: reads; ``views``: rides and notices as JSON-ready dicts.

Member data (names, IDs, birth dates, addresses) never goes into messages, logs or audit details.
"""

from nemt.services.rides.certifications import (
    CertificationIn,
    CertificationResult,
    pending_rides,
    record_certification,
    waiting_for,
)
from nemt.services.rides.change_cancel import cancel_ride, change_ride
from nemt.services.rides.commands import (
    WEEKDAYS,
    DestinationIn,
    PlaceIn,
    RideChange,
    RideRequestIn,
    StandingOrderIn,
    parse_input,
)
from nemt.services.rides.decide_and_book import book_ride
from nemt.services.rides.queries import (
    destination_options,
    get_notice,
    get_ride,
    latest_notice,
    notices_of,
    rides_of_day,
    rides_of_member,
)
from nemt.services.rides.results import BookingResult, StandingOrderResult, decision_of
from nemt.services.rides.standing_orders import cancel_standing_order, create_standing_order, get_standing_order
from nemt.services.rides.views import (
    describe_booking,
    describe_certification,
    describe_notice,
    describe_pending,
    describe_ride,
    describe_rides,
    describe_standing_order,
    member_rides,
    rides_of_the_day,
)

__all__ = [
    "WEEKDAYS", "BookingResult", "CertificationIn", "CertificationResult", "DestinationIn", "PlaceIn", "RideChange",
    "RideRequestIn", "StandingOrderIn", "StandingOrderResult", "book_ride", "cancel_ride", "cancel_standing_order",
    "change_ride", "create_standing_order", "decision_of", "destination_options", "describe_booking",
    "describe_certification", "describe_notice", "describe_pending", "describe_ride", "describe_rides",
    "describe_standing_order", "get_notice", "get_ride", "get_standing_order", "latest_notice", "member_rides",
    "notices_of", "parse_input", "pending_rides", "record_certification", "rides_of_day", "rides_of_member",
    "rides_of_the_day", "waiting_for",
]
