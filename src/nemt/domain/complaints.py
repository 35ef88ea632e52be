"""Complaints and grievances as rules (issue 16, point 5): which steps a complaint may take, when it is due, when it is
overdue, and the rate the programs report (complaints per 1,000 trips; Connecticut's broker reported "0.10 %").

Neither the Colorado billing manual nor the Connecticut notice states a time to resolve a complaint: the number of
days comes from the program's policy file (``[complaints] resolution_days``, ``source = "operational"``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nemt.domain.statuses import COMPLAINT_STEPS, ComplaintStatus

STATUS_WORDS = {ComplaintStatus.OPEN: "open", ComplaintStatus.INVESTIGATING: "under investigation",
                ComplaintStatus.RESOLVED: "resolved"}


def step_refused(current: str, target: str) -> str | None:
    """Why a complaint in ``current`` cannot go to ``target`` (a plain sentence), or ``None`` when it can."""
    allowed = COMPLAINT_STEPS.get(ComplaintStatus(target), frozenset())
    if current in allowed:
        return None
    if current == ComplaintStatus.RESOLVED:
        return "the complaint is resolved: a resolved complaint takes no more steps"
    if target == ComplaintStatus.RESOLVED:
        return "the complaint is not under investigation: a complaint is investigated before it is resolved"
    if target == ComplaintStatus.INVESTIGATING:
        return "the complaint is already under investigation"
    return f"a complaint does not go from {STATUS_WORDS.get(ComplaintStatus(current), current)} to {target}"


def due_on(received_on: dt.date, resolution_days: int) -> dt.date:
    """The day a complaint received on ``received_on`` must be resolved by: that many calendar days later."""
    if resolution_days < 1:
        raise ValueError("resolution_days must be at least 1")
    return received_on + dt.timedelta(days=resolution_days)


def is_overdue(status: str, due: dt.date, today: dt.date) -> bool:
    """A complaint not resolved after its due day is overdue."""
    return status != ComplaintStatus.RESOLVED and today > due


@dataclass(frozen=True)
class ComplaintRate:
    """Complaints against completed one-way trips: per 1,000 trips and as a percent (the same figure twice)."""

    complaints: int
    trips: int

    @property
    def per_thousand(self) -> float | None:
        """Complaints per 1,000 completed trips, to one decimal place; ``None`` with no trips."""
        return round(1000 * self.complaints / self.trips, 1) if self.trips else None

    @property
    def percent(self) -> float | None:
        """Complaints as a percent of completed trips, to two decimal places (Connecticut's "0.10 %")."""
        return round(100 * self.complaints / self.trips, 2) if self.trips else None

    def percent_text(self) -> str:
        """``"0.10 %"``, or ``"no trips"``."""
        return "no trips" if self.percent is None else f"{self.percent:.2f} %"
