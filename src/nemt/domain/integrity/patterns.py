"""Detectors shared by the integrity edits and the provider scores: vehicle trips (members aboard together),
overlapping legs (one driver on two vehicles, one vehicle with two drivers, one member in two vehicles at once)
and impossible times. Pure; each takes the legs and the tolerances and returns leg keys (or groups of legs).

Overlap is measured between the loaded intervals [pick-up, drop-off]; legs without both times take no part (the
``unverified`` and ``impossible`` findings speak for them).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from decimal import Decimal

from nemt.domain.integrity.facts import LegFact

__all__ = ["impossible_legs", "overlapping_legs", "vehicle_trips", "driver_overlaps", "vehicle_overlaps",
           "member_overlaps"]


def _timed(legs: Iterable[LegFact]) -> list[LegFact]:
    return [leg for leg in legs
            if leg.pickup_at is not None and leg.dropoff_at is not None and leg.dropoff_at > leg.pickup_at]


def _start(leg: LegFact) -> dt.datetime:
    assert leg.pickup_at is not None
    return leg.pickup_at


def _end(leg: LegFact) -> dt.datetime:
    assert leg.dropoff_at is not None
    return leg.dropoff_at


def overlapping_legs(legs: Iterable[LegFact], key: Callable[[LegFact], Hashable | None],
                     together: Callable[[LegFact, LegFact], bool], margin: dt.timedelta) -> set[str]:
    """Keys of legs that share ``key`` with another leg whose loaded interval overlaps theirs by more than
    ``margin`` — unless ``together(a, b)`` says the two legs are one ride (members aboard together)."""
    groups: dict[Hashable, list[LegFact]] = defaultdict(list)
    for leg in _timed(legs):
        k = key(leg)
        if k is not None:
            groups[k].append(leg)
    hits: set[str] = set()
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=_start)
        active: list[LegFact] = []
        for leg in group:
            active = [a for a in active if _end(a) - margin > _start(leg)]
            for other in active:
                if not together(other, leg):
                    hits.add(other.leg_key)
                    hits.add(leg.leg_key)
            active.append(leg)
    return hits


def driver_overlaps(legs: Iterable[LegFact], margin: dt.timedelta) -> set[str]:
    """A driver on two vehicles at once (legs of one driver and one vehicle at once are a shared ride)."""
    return overlapping_legs(legs, lambda leg: leg.driver, lambda a, b: a.vehicle == b.vehicle, margin)


def vehicle_overlaps(legs: Iterable[LegFact], margin: dt.timedelta) -> set[str]:
    """A vehicle driven by two drivers at once."""
    return overlapping_legs(legs, lambda leg: leg.vehicle, lambda a, b: a.driver == b.driver, margin)


def member_overlaps(legs: Iterable[LegFact], margin: dt.timedelta) -> set[str]:
    """A member billed in two vehicles (or by two providers) at overlapping times."""
    return overlapping_legs(legs, lambda leg: leg.member,
                            lambda a, b: a.provider == b.provider and a.vehicle == b.vehicle
                            and a.vehicle is not None, margin)


def vehicle_trips(legs: Iterable[LegFact]) -> list[tuple[LegFact, ...]]:
    """Groups of legs aboard one vehicle (same driver) together: connected runs of overlapping loaded intervals.
    Only groups of two or more legs are returned."""
    groups: dict[tuple[str, str, str | None], list[LegFact]] = defaultdict(list)
    for leg in _timed(legs):
        if leg.vehicle is not None:
            groups[(leg.provider, leg.vehicle, leg.driver)].append(leg)
    trips: list[tuple[LegFact, ...]] = []
    for group in groups.values():
        group.sort(key=_start)
        current: list[LegFact] = []
        reach: dt.datetime | None = None
        for leg in group:
            if reach is not None and _start(leg) < reach:
                current.append(leg)
                reach = max(reach, _end(leg))
                continue
            if len(current) > 1:
                trips.append(tuple(current))
            current, reach = [leg], _end(leg)
        if len(current) > 1:
            trips.append(tuple(current))
    return trips


def impossible_legs(legs: Sequence[LegFact], max_mph: Decimal, min_loaded_minutes: Decimal) -> set[str]:
    """Legs whose logged times cannot be true: drop-off not after pick-up, fewer loaded minutes than any ride
    takes, or a loaded speed above ``max_mph`` (the miles billed cannot be driven in the minutes logged)."""
    hits: set[str] = set()
    for leg in legs:
        minutes = leg.loaded_minutes
        if minutes is None:
            continue
        if Decimal(str(minutes)) < min_loaded_minutes:
            hits.add(leg.leg_key)
        elif leg.loaded_miles * 60 > max_mph * Decimal(str(minutes)):
            hits.add(leg.leg_key)
    return hits
