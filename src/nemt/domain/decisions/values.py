"""The values of a decision (``Decision``, ``Reason``) and what the rules read and return (``Facts``, ``Finding``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nemt.domain.rides import Destination, Member, RideRequest, Trip
from nemt.policy import Policy


@dataclass(frozen=True)
class Reason:
    code: str
    kind: str
    message: str
    citation: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "kind": self.kind, "message": self.message, "citation": self.citation}


@dataclass(frozen=True)
class Decision:
    outcome: str
    mode: str | None
    arranged_by: str
    reasons: tuple[Reason, ...]
    date_of_service: dt.date
    decided_at: dt.datetime | None = None
    # Why that office arranges the ride, in plain words (the county, the facility's urgent trip, the broker's
    # contract period and telephone number); printed as an extra key the contract ignores.
    arranged_by_reason: str = ""

    @property
    def reason_codes(self) -> list[str]:
        return [r.code for r in self.reasons]

    def as_dict(self) -> dict[str, Any]:
        """The ``nemt decide`` output object."""
        return {
            "outcome": self.outcome,
            "mode": self.mode,
            "arranged_by": self.arranged_by,
            "reason_codes": self.reason_codes,
            "reasons": [r.as_dict() for r in self.reasons],
            "date_of_service": self.date_of_service.isoformat(),
            "arranged_by_reason": self.arranged_by_reason,
        }


@dataclass(frozen=True)
class Finding:
    """A reason code whose condition holds, with the values its message names. ``sections`` narrows the citation
    to the section(s) of the case at hand (the mode in question), when the code rests on several."""

    code: str
    values: Mapping[str, Any] = field(default_factory=dict)
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Facts:
    """What every rule reads: the request, the policy and the values derived once from them."""

    request: RideRequest
    policy: Policy
    date_of_service: dt.date
    age: int

    @property
    def member(self) -> Member:
        return self.request.member

    @property
    def trip(self) -> Trip:
        return self.request.trip

    @property
    def destination(self) -> Destination:
        return self.request.trip.destination

    def need(self, name: str) -> bool:
        return self.request.member.has_need(name)


Rule = Callable[[Facts], Iterable[Finding]]
