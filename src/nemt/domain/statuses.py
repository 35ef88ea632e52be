"""Every status a stored record can have, in one place. They are string enums, so a status compares equal to the text
the database holds (``LegStatus.COMPLETED == "completed"``) and prints as that text.
"""

from __future__ import annotations

from enum import StrEnum


class LegStatus(StrEnum):
    """A one-way leg: booked (scheduled, or pending a document, or denied), assigned to a vehicle, then closed by the
    driver's log (completed, no-show) or cancelled."""

    SCHEDULED = "scheduled"
    PENDING = "pending"
    DENIED = "denied"
    ASSIGNED = "assigned"
    COMPLETED = "completed"
    NO_SHOW = "no-show"
    CANCELLED = "cancelled"


# Legs still to be driven (the dispatcher plans these), legs the driver's log has closed, legs that are never driven.
OPEN_LEG_STATUSES = frozenset({LegStatus.SCHEDULED, LegStatus.ASSIGNED})
CLOSED_LEG_STATUSES = frozenset({LegStatus.COMPLETED, LegStatus.NO_SHOW, LegStatus.CANCELLED})
NOT_DRIVEN_LEG_STATUSES = frozenset({LegStatus.DENIED, LegStatus.PENDING})
DONE_LEG_STATUSES = frozenset({LegStatus.COMPLETED, LegStatus.NO_SHOW})


class TripStatus(StrEnum):
    """A ride request as a whole: active, or cancelled with all of its legs."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


class StandingOrderStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    """The Standard Trip Log's events of a leg, and the correction that supersedes fields of earlier ones."""

    ARRIVED = "arrived"
    PICKED_UP = "picked-up"
    DROPPED_OFF = "dropped-off"
    NO_SHOW = "no-show"
    CANCELLED = "cancelled"
    CORRECTION = "correction"


# The leg status an event closes the leg with.
TERMINAL_STATUS = {EventKind.DROPPED_OFF: LegStatus.COMPLETED, EventKind.NO_SHOW: LegStatus.NO_SHOW,
                   EventKind.CANCELLED: LegStatus.CANCELLED}


class ClaimStatus(StrEnum):
    """A claim from build to payment. ``review``: an edit suspends it for review (the 52-unit attachment);
    ``replaced`` and ``voided``: a later replacement (frequency 7) or void (frequency 8) superseded it; ``reversed``:
    the payer reversed its payment (835 CLP02 = 22)."""

    READY = "ready"
    REVIEW = "review"
    EXPORTED = "exported"
    PAID = "paid"
    DENIED = "denied"
    REVERSED = "reversed"
    REPLACED = "replaced"
    VOIDED = "voided"


EXPORTABLE_CLAIM_STATUSES = frozenset({ClaimStatus.READY})
RESUBMITTABLE_CLAIM_STATUSES = frozenset({ClaimStatus.EXPORTED, ClaimStatus.PAID, ClaimStatus.DENIED})
# Superseded claims: counting them beside the claim that replaced them would count a trip twice.
SUPERSEDED_CLAIM_STATUSES = frozenset({ClaimStatus.REPLACED, ClaimStatus.VOIDED})
