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


class JobState(StrEnum):
    """A background job (``nemt.jobs``): queued (submitted; no worker has started it), running (a worker claimed it;
    its progress moves), then done (its result kept) or failed (its error kept, in words)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


FINISHED_JOB_STATES = frozenset({JobState.DONE, JobState.FAILED})


class CaseStatus(StrEnum):
    """A review case on a transportation provider (program integrity, issue 15): ``open`` (findings being noted),
    ``held`` (a payment suspension: the provider's claims are held from export), then closed as ``released`` (the
    claims are exportable again) or ``denied`` (the held claims are denied)."""

    OPEN = "open"
    HELD = "held"
    RELEASED = "released"
    DENIED = "denied"


# A provider has at most one active case; a closed case takes no more steps (its notes stay readable).
ACTIVE_CASE_STATUSES = frozenset({CaseStatus.OPEN, CaseStatus.HELD})
# The steps a case can take: to each status, the statuses it may come from.
CASE_STEPS = {CaseStatus.HELD: frozenset({CaseStatus.OPEN}),
              CaseStatus.RELEASED: frozenset({CaseStatus.OPEN, CaseStatus.HELD}),
              CaseStatus.DENIED: frozenset({CaseStatus.HELD})}


class ComplaintCategory(StrEnum):
    """What a complaint or grievance is about (issue 16, point 5)."""

    LATE = "late"
    DRIVER_NO_SHOW = "driver-no-show"
    DRIVER_CONDUCT = "driver-conduct"
    VEHICLE_CONDITION = "vehicle-condition"
    SAFETY = "safety"
    BILLING = "billing"
    OTHER = "other"


class ComplaintStatus(StrEnum):
    """A complaint: ``open`` (received), ``investigating`` (notes being taken), ``resolved`` (with a finding)."""

    OPEN = "open"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"


class ComplaintFinding(StrEnum):
    SUBSTANTIATED = "substantiated"
    NOT_SUBSTANTIATED = "not-substantiated"


class ComplaintReporter(StrEnum):
    """Who reported a complaint: the member (an agent records it on the member's behalf), the call center, a medical
    facility, a transportation provider, the Department."""

    MEMBER = "member"
    CALL_CENTER = "call-center"
    FACILITY = "facility"
    PROVIDER = "transportation-provider"
    DEPARTMENT = "department"


# The steps a complaint can take: to each status, the statuses it may come from (open -> investigating -> resolved).
COMPLAINT_STEPS = {ComplaintStatus.INVESTIGATING: frozenset({ComplaintStatus.OPEN}),
                   ComplaintStatus.RESOLVED: frozenset({ComplaintStatus.INVESTIGATING})}
