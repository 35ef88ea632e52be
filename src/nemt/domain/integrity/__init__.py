"""Program integrity: the facts of billed legs, the integrity edits at claim build and the auditors' provider
scores. Pure: plain values in, findings out — no store, no clock.

NEMT is one of Medicaid's most defrauded benefits (GAO-22-105447: trips that never happened, unqualified drivers
and vehicles, inflated mileage); Colorado's 2023 scheme packed cars with riders on long round trips and billed the
full mileage once per rider. The manual already points at the controls: "Mileage shall be paid for the shortest
trip length in miles" (Types of Non-Emergent Medical Transportation) and "When transporting more than one member
in the same vehicle to the same location, only one Health First Colorado ID may be used for billing"
(Exclusions).

- :mod:`.facts` — :class:`LegFact`, one billed (or billable) leg as the edits and scores see it;
- :mod:`.patterns` — the shared detectors: vehicle trips (riders together), overlaps, impossible times;
- :mod:`.edits` — per-leg integrity edits with a rule code and citation, configured by the policy's
  ``[integrity]`` table;
- :mod:`.scores` — per-provider scores for the department's auditors.
"""

from nemt.domain.integrity.facts import LegFact

__all__ = ["LegFact"]
