"""Per-provider scores for the department's auditors (issue 15, item 4): for a period, how each transportation
provider's billed legs compare with its own history and with its peers in the same counties. Pure.

The patterns are those of the known NEMT schemes (GAO-22-105447; Colorado 2023: providers enrolled in 2022 stayed
dormant, then activated together and packed cars with riders on ~200-mile round trips, billing the full mileage
once per rider). Each score is a plain number a reviewer can sort, with the legs behind it:

- ``burst`` — the rise in trips per week over the provider's own history (the ``history_weeks`` before the
  period), in units of the larger of its history and the peers' median weekly volume: 0 for a steady provider,
  about 1 for a dormant provider that starts billing like a typical one, more for a bigger burst.
- ``miles_per_trip`` — loaded miles per leg against the peers' median in the same counties (1 = typical).
- ``riders_per_vehicle_trip`` — members aboard together per leg against the peers' mean in the same counties.
- ``repeated_long_trips`` — legs of long rides (at least ``long_miles`` and twice the county's median) to a
  destination the provider took at least ``repeat_members`` different members to.
- ``unverified_share`` — share of legs without position or attestation evidence.
- ``overlaps`` — legs of a driver on two vehicles, a vehicle with two drivers, or a member in two vehicles at once.
- ``impossible`` — legs whose logged times cannot be true (see :func:`patterns.impossible_legs`).
- ``total`` — the sum of the excesses: burst (capped at 5) + miles and riders above typical + the shares of
  repeated long, unverified, overlapping and impossible legs. Higher means more to review first.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from nemt.domain.integrity.facts import LegFact
from nemt.domain.integrity.patterns import driver_overlaps, impossible_legs, member_overlaps, vehicle_overlaps

__all__ = ["ProviderScore", "provider_scores", "COMPONENTS"]

COMPONENTS = ("burst", "miles_per_trip", "riders_per_vehicle_trip", "repeated_long_trips", "unverified_share",
              "overlaps", "impossible")
_BURST_CAP = 5.0


@dataclass(frozen=True)
class ProviderScore:
    provider: str
    burst: float
    miles_per_trip: float
    riders_per_vehicle_trip: float
    repeated_long_trips: int
    unverified_share: float
    overlaps: int
    impossible: int
    total: float
    legs: tuple[str, ...]
    trips: int = 0
    weekly_trips: float = 0.0
    history_weekly_trips: float = 0.0
    behind: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # component -> the leg keys behind it


@dataclass(frozen=True)
class _Peers:
    miles_median: dict[str, float]
    riders_mean: dict[str, float]
    weekly_median: float


def _peers(legs: Sequence[LegFact], weeks: float) -> _Peers:
    miles: dict[str, list[float]] = defaultdict(list)
    riders: dict[str, list[int]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for leg in legs:
        miles[leg.county].append(float(leg.loaded_miles))
        riders[leg.county].append(leg.riders_together)
        counts[leg.provider] += 1
    weekly = [n / weeks for n in counts.values()]
    return _Peers({c: statistics.median(v) for c, v in miles.items()},
                  {c: statistics.fmean(v) for c, v in riders.items()},
                  statistics.median(weekly) if weekly else 0.0)


def _repeated_long(legs: Sequence[LegFact], peers: _Peers, long_miles: float, repeat_members: int) -> list[str]:
    by_destination: dict[str, list[LegFact]] = defaultdict(list)
    for leg in legs:
        miles = float(leg.loaded_miles)
        if miles >= long_miles and miles >= 2 * peers.miles_median.get(leg.county, 0.0):
            by_destination[leg.destination].append(leg)
    keys: list[str] = []
    for group in by_destination.values():
        if len({leg.member for leg in group}) >= repeat_members:
            keys.extend(leg.leg_key for leg in group)
    return keys


def provider_scores(legs: Sequence[LegFact], period: tuple[dt.date, dt.date], history_weeks: int = 8, *,
                    long_miles: float = 25.0, repeat_members: int = 5,
                    overlap_margin: dt.timedelta = dt.timedelta(minutes=5),
                    max_mph: Decimal = Decimal(75), min_loaded_minutes: Decimal = Decimal(1)) -> list[ProviderScore]:
    """Scores of every provider with legs in ``period`` (first and last day, inclusive), highest total first.
    ``legs`` may include the history weeks before the period; legs outside both are ignored.

    ``long_miles`` defaults to 25, the manual's threshold for long trips ("25 Mile or Longer Trips"); the other
    tolerances are operational (a clock's slack of 5 minutes; 75 mph, above any loaded speed on Colorado roads).
    """
    start, end = period
    history_start = start - dt.timedelta(weeks=history_weeks)
    current = [leg for leg in legs if start <= leg.day <= end]
    weeks = max(((end - start).days + 1) / 7.0, 1 / 7)
    history: dict[str, int] = defaultdict(int)
    for leg in legs:
        if history_start <= leg.day < start:
            history[leg.provider] += 1
    peers = _peers(current, weeks)
    overlapping = (driver_overlaps(current, overlap_margin) | vehicle_overlaps(current, overlap_margin)
                   | member_overlaps(current, overlap_margin))
    impossible = impossible_legs(current, max_mph, min_loaded_minutes)
    by_provider: dict[str, list[LegFact]] = defaultdict(list)
    for leg in current:
        by_provider[leg.provider].append(leg)
    scores = [_score(provider, own, peers, weeks, history[provider] / history_weeks if history_weeks else 0.0,
                     overlapping, impossible, long_miles, repeat_members)
              for provider, own in by_provider.items()]
    return sorted(scores, key=lambda s: (-s.total, s.provider))


def _score(provider: str, own: list[LegFact], peers: _Peers, weeks: float, history_rate: float,
           overlapping: set[str], impossible: set[str], long_miles: float, repeat_members: int) -> ProviderScore:
    n = len(own)
    rate = n / weeks
    burst = max(0.0, rate - history_rate) / max(history_rate, peers.weekly_median, 1.0)
    expected_miles = sum(peers.miles_median[leg.county] for leg in own)
    miles_ratio = float(sum(leg.loaded_miles for leg in own)) / expected_miles if expected_miles else 1.0
    expected_riders = sum(peers.riders_mean[leg.county] for leg in own)
    riders_ratio = sum(leg.riders_together for leg in own) / expected_riders if expected_riders else 1.0
    behind = {
        "burst": tuple(leg.leg_key for leg in own) if burst > 0 else (),
        "miles_per_trip": tuple(leg.leg_key for leg in own
                                if float(leg.loaded_miles) > 1.5 * peers.miles_median[leg.county]),
        "riders_per_vehicle_trip": tuple(leg.leg_key for leg in own if leg.riders_together > 1),
        "repeated_long_trips": tuple(_repeated_long(own, peers, long_miles, repeat_members)),
        "unverified_share": tuple(leg.leg_key for leg in own if not leg.verified),
        "overlaps": tuple(leg.leg_key for leg in own if leg.leg_key in overlapping),
        "impossible": tuple(leg.leg_key for leg in own if leg.leg_key in impossible),
    }
    unverified = len(behind["unverified_share"]) / n
    total = (min(burst, _BURST_CAP) + max(0.0, miles_ratio - 1) + max(0.0, riders_ratio - 1)
             + (len(behind["repeated_long_trips"]) + len(behind["overlaps"]) + len(behind["impossible"])) / n
             + unverified)
    return ProviderScore(
        provider=provider, burst=round(burst, 3), miles_per_trip=round(miles_ratio, 3),
        riders_per_vehicle_trip=round(riders_ratio, 3), repeated_long_trips=len(behind["repeated_long_trips"]),
        unverified_share=round(unverified, 3), overlaps=len(behind["overlaps"]),
        impossible=len(behind["impossible"]), total=round(total, 3),
        legs=tuple(leg.leg_key for leg in own), trips=n, weekly_trips=round(rate, 2),
        history_weekly_trips=round(history_rate, 2), behind=behind)
