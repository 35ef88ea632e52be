"""The Colorado Standard Trip Log on the database: append-only events per leg, recorded by drivers.

Health First Colorado NEMT Billing Manual — Standard Forms Required: "Effective October 1, 2024, all NEMT providers
must begin using the Department provided Standard Trip Log for all rides provided." The rules (event schema, the
fold of a leg's events, what a completed log must carry) are pure: :mod:`nemt.domain.trip_log`. The use cases:

- :mod:`.record` — append an event (the leg's status follows; corrections supersede fields);
- :mod:`.read` — one leg's log; the legs an actor may see;
- :mod:`.views` — a leg's view, the folded logs of many legs;
- :mod:`.billing` — a leg's log as the billing layer's value;
- :mod:`.desk` — what the provider's and driver's pages show beside the logs;
- :mod:`.evidence` — verified trips: position and odometer with each event, the trip's attestation, members' PINs;
- :mod:`.plausibility` — the plausibility rules at entry and for the claims build (legs held for review).

Who: a driver records (and reads) only the legs assigned to their driver record; provider admins read their
organization's legs; dispatchers, auditors and administrators read their program's (:mod:`.access`).
"""

from nemt.billing.trip_log import TRIP_CONFIRMERS
from nemt.domain.trip_log import (
    EVENT_FIELDS,
    EVENT_KINDS,
    TERMINAL_STATUS,
    LegLog,
    LogEvent,
    completion_problems,
    fold_log,
    utc,
    validate_event_data,
)
from nemt.services.trips.billing import billing_leg
from nemt.services.trips.desk import (
    AssignedTrips,
    Fleet,
    LegDetail,
    assigned_trips,
    driver_vehicles,
    fleet,
    leg_detail,
    legs_by_keys,
)
from nemt.services.trips.evidence import claim_evidence, evidence_by_leg, issue_pin
from nemt.services.trips.plausibility import holds_of
from nemt.services.trips.read import leg_log, legs_for_actor
from nemt.services.trips.record import record_event, record_identity_check
from nemt.services.trips.views import LegLogView, assignment, load_logs, logs_of

__all__ = [
    "EVENT_FIELDS",
    "EVENT_KINDS",
    "TERMINAL_STATUS",
    "TRIP_CONFIRMERS",
    "AssignedTrips",
    "Fleet",
    "LegDetail",
    "LegLog",
    "LegLogView",
    "LogEvent",
    "assigned_trips",
    "assignment",
    "billing_leg",
    "claim_evidence",
    "completion_problems",
    "driver_vehicles",
    "evidence_by_leg",
    "fleet",
    "fold_log",
    "holds_of",
    "issue_pin",
    "leg_detail",
    "leg_log",
    "legs_by_keys",
    "legs_for_actor",
    "load_logs",
    "logs_of",
    "record_event",
    "record_identity_check",
    "utc",
    "validate_event_data",
]
