"""Ride-request decisions: ``decide(request, policy, now) -> Decision``.

A pure function of its arguments: no I/O, no clock (``now`` is passed in and only recorded on the decision; every
rule measures time from ``request.requested_at``, the moment the member, representative or facility asked). The
member is part of the request (``request.member``).

How a decision is reached (acceptance README, "How a decision is reached"):

1. Times are read in the program's zone (``policy.time_zone``); the date of service is the local date of the
   appointment; ages are whole years on that date.
2. Every rule of the program is evaluated; each returns the reason codes whose condition holds. Nothing stops at
   the first denial.
3. Outcome: ``denied`` if any reason is of kind *deny*, else ``pending`` if any is *pending*, else ``approved``.
4. Mode: the least costly mode the member's written certifications support (the mode ladder, read from the policy's
   ``modes`` tables); ``None`` when denied.
5. Arranged by: Colorado by home county (or the medical facility for its urgent trips from 2019-01-01); Connecticut
   by the broker whose contract covers the appointment date.

Every reason code is described once, in ``REASONS``: its kind, the section(s) of the source document it rests on,
and a plain-words message for a call-center agent. Thresholds, dates and lists come from the policy files.

The package, by rule family: ``reasons`` (the reason table, outcomes and kinds), ``values`` (``Decision``,
``Reason``, ``Facts``, ``Finding``), ``eligibility`` (eligibility and coverage), ``notice`` (notice and urgency),
``distance`` (the 25-mile rule, out-of-state travel), ``escorts`` (escorts, minors, passengers, caregiver trips),
``modes`` (the mode ladder), ``arranger`` (who arranges the ride) and ``engine`` (which rules apply, ``decide``).
Every public name stays importable from ``nemt.domain.decisions``.
"""

from __future__ import annotations

from nemt.domain.decisions.distance import closest_provider as closest_provider
from nemt.domain.decisions.distance import out_of_state as out_of_state
from nemt.domain.decisions.eligibility import covered_service as covered_service
from nemt.domain.decisions.eligibility import eligibility as eligibility
from nemt.domain.decisions.eligibility import enrolled_provider as enrolled_provider
from nemt.domain.decisions.eligibility import facility_transport as facility_transport
from nemt.domain.decisions.eligibility import hcbs as hcbs
from nemt.domain.decisions.eligibility import other_transportation as other_transportation
from nemt.domain.decisions.eligibility import pharmacy as pharmacy
from nemt.domain.decisions.eligibility import school_day_treatment as school_day_treatment
from nemt.domain.decisions.engine import CAREGIVER_PURPOSE as CAREGIVER_PURPOSE
from nemt.domain.decisions.engine import RULES_BY_NAME as RULES_BY_NAME
from nemt.domain.decisions.engine import decide
from nemt.domain.decisions.escorts import PASSENGER_RULES as PASSENGER_RULES
from nemt.domain.decisions.escorts import additional_passengers as additional_passengers
from nemt.domain.decisions.escorts import caregiver_trip as caregiver_trip
from nemt.domain.decisions.escorts import escorts_and_minors as escorts_and_minors
from nemt.domain.decisions.modes import ModeChoice, select_mode
from nemt.domain.decisions.notice import colorado_urgent as colorado_urgent
from nemt.domain.decisions.notice import connecticut_notice as connecticut_notice
from nemt.domain.decisions.reasons import APPROVED, DENIED, DENY, HOLD, INFO, PENDING, REASONS, ReasonSpec
from nemt.domain.decisions.values import Decision, Reason
from nemt.domain.decisions.values import Facts as Facts
from nemt.domain.decisions.values import Finding as Finding
from nemt.domain.decisions.values import Rule as Rule

__all__ = [
    "APPROVED", "DENIED", "PENDING", "DENY", "HOLD", "INFO", "REASONS", "Decision", "Reason", "ReasonSpec",
    "decide", "select_mode", "ModeChoice",
]
