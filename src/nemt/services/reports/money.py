"""Reports on claims: cost per trip and per member, claims by status."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from nemt.domain.statuses import SUPERSEDED_CLAIM_STATUSES, ClaimStatus
from nemt.services.reports.report import Report


def in_effect(claim, policy) -> bool:
    """Whether a claim's charge is billed: not a void (frequency 8) and not superseded by a later replacement or void
    (status ``replaced`` or ``voided``) — counting those beside the claim that took their place would count a trip
    twice (CMS 1500 Paper Claim Reference Table, field 22)."""
    return claim.frequency != policy.get("claims.frequency_void") and claim.status not in SUPERSEDED_CLAIM_STATUSES


@dataclass
class _Billed:
    """What one provider's (or every provider's) claims of the period bill for."""

    claims: int = 0
    trips: set[int] = field(default_factory=set)
    members: set[int] = field(default_factory=set)
    total: Decimal = Decimal(0)

    def row(self, name: str) -> tuple[str, int, int, int, str, str, str]:
        return (name, self.claims, len(self.trips), len(self.members), f"{self.total:.2f}",
                f"{self.total / len(self.trips):.2f}" if self.trips else "",
                f"{self.total / len(self.members):.2f}" if self.members else "")

    def add(self, other: _Billed) -> None:
        self.claims += other.claims
        self.trips |= other.trips
        self.members |= other.members
        self.total += other.total


def _billed_by_provider(uow, actor, start, end, policy) -> dict[str, _Billed]:
    """Each provider's claims of the period that are in effect (:func:`in_effect`), with the trips of the legs they
    bill."""
    per: dict[str, _Billed] = defaultdict(_Billed)
    legs: dict[str, set[int]] = defaultdict(set)
    for claim, provider in uow.reports.claims(actor, start, end):
        if not in_effect(claim, policy):
            continue
        name = provider.organization.name
        p = per[name]
        p.claims += 1
        p.members.add(claim.member_id)
        p.total += Decimal(claim.total_charge or "0")
        legs[name] |= {line.leg_id for line in claim.lines if line.leg_id}
    trip_of_leg = uow.reports.trips_of_legs({leg for ids in legs.values() for leg in ids})
    for name, ids in legs.items():
        per[name].trips = {trip_of_leg[leg] for leg in ids if trip_of_leg.get(leg) is not None}
    return per


def cost(uow, actor, start, end, policy) -> Report:
    per = _billed_by_provider(uow, actor, start, end, policy)
    rows = [p.row(name) for name, p in sorted(per.items())]
    if len(rows) > 1:
        every = _Billed()
        for p in per.values():
            every.add(p)
        rows.append(every.row("all providers"))
    return Report("cost", "Cost per trip and per member",
                  "Billed charges of the period's claims in effect (voids, and claims a replacement or void "
                  "superseded, left out: each trip counts once), divided by the trips and the members they bill for.",
                  ("provider", "claims", "trips", "members", "total charge", "per trip", "per member"), rows,
                  value_column=5, unit=" $", citation=policy.cite("claims"))


def claims_by_status(uow, actor, start, end, policy) -> Report:
    per: dict[ClaimStatus, dict] = defaultdict(lambda: {"n": 0, "charge": Decimal(0), "paid": Decimal(0)})
    for claim, _provider in uow.reports.claims(actor, start, end):
        p = per[ClaimStatus(claim.status)]
        p["n"] += 1
        p["charge"] += Decimal(claim.total_charge or "0")
        p["paid"] += Decimal(claim.paid_amount or "0")
    rows = [(status, p["n"], f"{p['charge']:.2f}", f"{p['paid']:.2f}") for status, p in sorted(per.items())]
    return Report("claims-by-status", "Claims by status", "Claims with a service line in the period, by status.",
                  ("status", "claims", "total charge", "paid"), rows)
