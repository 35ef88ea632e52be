"""Integrity edits at claim build (issue 15, item 3): per-leg findings, each with a stable rule code, a sentence
and the citation, configured per program by the policy's ``[integrity]`` table (which edits run, which hold the
claim for review, the tolerances). Pure: legs in, hits out.

The rules (codes are stable; they are the ``code`` of the claim's edits):

- ``route-miles-exceeded`` — "Mileage shall be paid for the shortest trip length in miles as determined by an
  internet-based map, trip planner, or other GPS" (each mileage-billing vehicle type of the manual): loaded miles
  above the shortest route plus a tolerance (a share and a few miles: detours the manual allows when a road is
  closed are documented exceptions a reviewer releases).
- ``tracked-miles-exceeded`` — loaded miles above the GPS track or odometer difference plus the same tolerance.
- ``shared-ride-billed-twice`` — "When transporting more than one member in the same vehicle to the same location,
  only one Health First Colorado ID may be used for billing" (Exclusions): members aboard one vehicle together to
  one destination, the mileage billed under more than one of them.
- ``shared-ride-full-mileage`` — its generalisation: members who boarded and alighted together (within
  ``together_minutes``) each billed the loaded mileage, whatever destination each claims; the vehicle drove it once.
- ``unverified-leg`` — no position or attestation evidence for the leg.
- ``driver-not-credentialed`` / ``vehicle-not-credentialed`` — credentials not valid on the date of service.
- ``member-not-eligible`` — the member not eligible for NEMT on the date of service (Member Eligibility).
- ``destination-not-enrolled`` — "NEMT can only be utilized to transport eligible members to and from Health First
  Colorado provider service locations that are enrolled" (Benefit Overview).
- ``member-overlap`` — one member billed in two vehicles (or by two providers) at overlapping times.
- ``driver-overlap`` — one driver on two vehicles, or one vehicle with two drivers, at overlapping times.
- ``impossible-times`` — the logged times cannot be true: no loaded minutes, or the miles not drivable in them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from nemt.domain.integrity import patterns
from nemt.domain.integrity.facts import LegFact
from nemt.policy import Policy

__all__ = ["RULES", "Hit", "IntegrityConfig", "config_of", "integrity_edits"]

RULES = ("route-miles-exceeded", "tracked-miles-exceeded", "shared-ride-billed-twice", "shared-ride-full-mileage",
         "unverified-leg", "driver-not-credentialed", "vehicle-not-credentialed", "member-not-eligible",
         "destination-not-enrolled", "member-overlap", "driver-overlap", "impossible-times")


@dataclass(frozen=True)
class Hit:
    rule: str
    leg_key: str
    claim_key: str | None
    message: str
    citation: str
    holds: bool  # the claim is held for review (else the hit is shown on it only)


@dataclass(frozen=True)
class IntegrityConfig:
    """The ``[integrity]`` table of a program's policy, as values."""

    enabled: frozenset[str]
    hold: frozenset[str]
    miles_share: Decimal
    miles_extra: Decimal
    together: dt.timedelta
    overlap_margin: dt.timedelta
    max_mph: Decimal
    min_loaded_minutes: Decimal
    citations: dict[str, str]


def config_of(policy: Policy) -> IntegrityConfig:
    table = policy.get("integrity")
    unknown = (set(table["enabled"]) | set(table["hold"])) - set(RULES)
    if unknown:
        raise ValueError(f"integrity: unknown rules {sorted(unknown)}")
    cites = table.get("cites", {})
    return IntegrityConfig(
        enabled=frozenset(table["enabled"]), hold=frozenset(table["hold"]),
        miles_share=Decimal(str(table["miles_tolerance_share"])),
        miles_extra=Decimal(str(table["miles_tolerance_miles"])),
        together=dt.timedelta(minutes=table["together_minutes"]),
        overlap_margin=dt.timedelta(minutes=table["overlap_margin_minutes"]),
        max_mph=Decimal(str(table["max_loaded_mph"])),
        min_loaded_minutes=Decimal(str(table["min_loaded_minutes"])),
        citations={rule: policy.cite(cites[rule]) if rule in cites else policy.cite("integrity") for rule in RULES})


def _miles(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')).normalize():f}"


def _over(miles: Decimal, limit: Decimal, cfg: IntegrityConfig) -> bool:
    return miles > limit * (1 + cfg.miles_share) + cfg.miles_extra


def _bills_mileage(leg: LegFact) -> bool:
    return leg.loaded_miles > 0 and (leg.mileage_units is None or leg.mileage_units > 0)


def _shared(legs: Sequence[LegFact], cfg: IntegrityConfig) -> list[tuple[str, LegFact, str]]:
    found: list[tuple[str, LegFact, str]] = []
    for trip in patterns.vehicle_trips(legs):
        billing = sorted((leg for leg in trip if _bills_mileage(leg)), key=lambda x: (x.pickup_at, x.leg_key))
        by_destination: dict[str, list[LegFact]] = defaultdict(list)
        for leg in billing:
            by_destination[leg.destination].append(leg)
        twice = {leg.leg_key for group in by_destination.values() for leg in group[1:]} \
            if "shared-ride-billed-twice" in cfg.enabled else set()
        found += [("shared-ride-billed-twice", leg, f"{len(by_destination[leg.destination])} members aboard one "
                   "vehicle to one destination each billed its mileage; only one may be")
                  for leg in billing if leg.leg_key in twice]
        kept: list[LegFact] = []
        for leg in (x for x in billing if x.leg_key not in twice):
            first = next((k for k in kept if _together(k, leg, cfg.together)), None)
            if first is None:
                kept.append(leg)
            else:
                found.append(("shared-ride-full-mileage", leg, "boarded and alighted with another member whose "
                              "leg also billed the loaded mileage; the vehicle drove it once"))
    return found


def _together(a: LegFact, b: LegFact, within: dt.timedelta) -> bool:
    assert a.pickup_at and b.pickup_at and a.dropoff_at and b.dropoff_at
    return abs(a.pickup_at - b.pickup_at) <= within and abs(a.dropoff_at - b.dropoff_at) <= within


_PerLeg = Callable[[LegFact, IntegrityConfig], str | None]


def _route(leg: LegFact, cfg: IntegrityConfig) -> str | None:
    if leg.route_miles is None or not _over(leg.loaded_miles, leg.route_miles, cfg):
        return None
    return f"{_miles(leg.loaded_miles)} loaded miles billed; the shortest route is {_miles(leg.route_miles)} miles"


def _tracked(leg: LegFact, cfg: IntegrityConfig) -> str | None:
    if leg.tracked_miles is None or not _over(leg.loaded_miles, leg.tracked_miles, cfg):
        return None
    return (f"{_miles(leg.loaded_miles)} loaded miles billed; the GPS track or odometer shows "
            f"{_miles(leg.tracked_miles)} miles")


_PER_LEG: dict[str, _PerLeg] = {
    "route-miles-exceeded": _route,
    "tracked-miles-exceeded": _tracked,
    "unverified-leg": lambda leg, cfg: None if leg.verified else "no position or attestation was recorded for the leg",
    "driver-not-credentialed": lambda leg, cfg: None if leg.driver_credentialed
    else "the driver's credentials were not valid on the date of service",
    "vehicle-not-credentialed": lambda leg, cfg: None if leg.vehicle_credentialed
    else "the vehicle's credentials were not valid on the date of service",
    "member-not-eligible": lambda leg, cfg: None if leg.member_eligible
    else "the member was not eligible for NEMT on the date of service",
    "destination-not-enrolled": lambda leg, cfg: None if leg.destination_enrolled
    else "the destination is not an enrolled medical provider",
}


def integrity_edits(legs: Sequence[LegFact], cfg: IntegrityConfig) -> list[Hit]:
    """The integrity hits of ``legs`` (all legs that bear on each other: a day's legs of the providers and members
    concerned), in leg order, each rule at most once per leg."""
    found: list[tuple[str, LegFact, str]] = []
    for rule, check in _PER_LEG.items():
        if rule in cfg.enabled:
            found += [(rule, leg, msg) for leg in legs if (msg := check(leg, cfg)) is not None]
    if cfg.enabled & {"shared-ride-billed-twice", "shared-ride-full-mileage"}:
        found += [f for f in _shared(legs, cfg) if f[0] in cfg.enabled]
    by_key, margin = {leg.leg_key: leg for leg in legs}, cfg.overlap_margin
    sets: dict[str, tuple[Callable[[], set[str]], str]] = {
        "member-overlap": (lambda: patterns.member_overlaps(legs, margin),
                           "the member is billed in another vehicle at an overlapping time"),
        "driver-overlap": (lambda: patterns.driver_overlaps(legs, margin) | patterns.vehicle_overlaps(legs, margin),
                           "the driver or the vehicle is on another leg at an overlapping time"),
        "impossible-times": (lambda: patterns.impossible_legs(legs, cfg.max_mph, cfg.min_loaded_minutes),
                             "the logged pick-up and drop-off times cannot be true for the miles billed"),
    }
    for rule, (detect, message) in sets.items():
        if rule in cfg.enabled:
            found += [(rule, by_key[k], message) for k in sorted(detect())]
    order = {leg.leg_key: i for i, leg in enumerate(legs)}
    found.sort(key=lambda f: (order[f[1].leg_key], RULES.index(f[0])))
    return [Hit(rule, leg.leg_key, leg.claim_key, message, cfg.citations[rule], rule in cfg.hold)
            for rule, leg, message in found]
