"""What the booking use cases answer, and the decision as it is stored on a trip."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from nemt.domain.decisions import Decision, Reason
from nemt.store.models import MedicalProvider, Notice, StandingOrder, Trip

__all__ = ["BookingResult", "StandingOrderResult", "decision_json", "decision_of"]


@dataclass
class BookingResult:
    trip: Trip
    decision: Decision
    notice: Notice | None
    created: bool  # False: the same request was booked before (retry, race) and this is that trip
    # The trip's destination in the directory, when the use case has it loaded already: its answer names the provider
    # without reading it again (the session keeps loaded rows only while something holds them).
    provider: MedicalProvider | None = None


@dataclass
class StandingOrderResult:
    order: StandingOrder
    trips: list[BookingResult] = field(default_factory=list)
    created: bool = True
    cancelled_trips: int = 0


def decision_json(decision: Decision) -> dict:
    out = decision.as_dict()
    out["decided_at"] = decision.decided_at.isoformat() if decision.decided_at else None
    return out


def decision_of(trip: Trip) -> Decision:
    """The stored decision of a trip as the domain value."""
    d = trip.decision or {}
    decided_at = d.get("decided_at")
    return Decision(
        outcome=d.get("outcome", trip.outcome), mode=d.get("mode", trip.mode),
        arranged_by=d.get("arranged_by", trip.arranged_by),
        reasons=tuple(Reason(r["code"], r["kind"], r["message"], r["citation"]) for r in d.get("reasons", [])),
        date_of_service=dt.date.fromisoformat(d["date_of_service"]) if d.get("date_of_service") else trip.service_date,
        decided_at=dt.datetime.fromisoformat(decided_at) if decided_at else None,
        arranged_by_reason=d.get("arranged_by_reason", ""),
    )


def replayed(trip: Trip) -> BookingResult:
    """A trip booked before, as the answer to a repeated request."""
    return BookingResult(trip, decision_of(trip), None, created=False)
