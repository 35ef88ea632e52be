"""The auditors' provider scores (pure)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from nemt.domain.integrity.facts import LegFact
from nemt.domain.integrity.scores import ProviderScore, provider_scores

MT = dt.timezone(dt.timedelta(hours=-7))
START = dt.date(2026, 3, 2)
PERIOD = (START, START + dt.timedelta(days=27))


def legs_of(provider: str, days: range, per_day: int, **kw) -> list[LegFact]:
    out = []
    for d in days:
        day = START + dt.timedelta(days=d)
        for i in range(per_day):
            pickup = dt.datetime.combine(day, dt.time(6), MT) + dt.timedelta(minutes=45 * i)
            base = LegFact(leg_key=f"{provider}-{d}-{i}", claim_key=None, provider=provider, driver=f"{provider}-D",
                           vehicle=f"{provider}-V", member=f"{provider}-M{d}-{i}", day=day, pickup_at=pickup,
                           dropoff_at=pickup + dt.timedelta(minutes=30), loaded_miles=Decimal(8),
                           route_miles=Decimal(8), riders_together=1, verified=True, destination_enrolled=True,
                           county="Pueblo", destination=f"{provider}-clinic-{i % 5}")
            out.append(dataclasses.replace(base, **kw))
    return out


def by_provider(scores: list[ProviderScore]) -> dict[str, ProviderScore]:
    return {s.provider: s for s in scores}


def test_a_dormant_provider_bursting_scores_first_and_steady_ones_near_zero():
    history = range(-56, 0)
    month = range(0, 28)
    legs = (legs_of("STEADY1", history, 8) + legs_of("STEADY1", month, 8) + legs_of("STEADY2", history, 8)
            + legs_of("STEADY2", month, 9) + legs_of("NEW", month, 8))
    scores = provider_scores(legs, PERIOD)
    s = by_provider(scores)
    assert scores[0].provider == "NEW" and s["NEW"].burst >= 0.9
    assert s["STEADY1"].burst == 0 and s["STEADY2"].burst < 0.2
    assert s["NEW"].trips == 28 * 8 and len(s["NEW"].legs) == 28 * 8 and s["NEW"].behind["burst"] == s["NEW"].legs


def test_long_packed_rides_and_unverified_legs_show_in_their_scores():
    month = range(0, 28)
    packed = legs_of("PACKER", month, 4, loaded_miles=Decimal(100), route_miles=Decimal(100), riders_together=4,
                     destination="Denver-clinic", verified=False)
    legs = legs_of("A", month, 8) + legs_of("B", month, 8) + packed
    s = by_provider(provider_scores(legs, PERIOD))
    assert s["PACKER"].miles_per_trip > 5 and s["A"].miles_per_trip < 1.5
    assert s["PACKER"].riders_per_vehicle_trip > 2 and s["A"].riders_per_vehicle_trip < 1
    assert s["PACKER"].repeated_long_trips == len(packed) and s["A"].repeated_long_trips == 0
    assert s["PACKER"].unverified_share == 1.0 and s["A"].unverified_share == 0
    assert s["PACKER"].total > s["A"].total


def test_overlaps_and_impossible_times_are_counted_with_their_legs():
    month = range(0, 2)
    legs = legs_of("A", month, 4)
    first = legs[0]
    assert first.pickup_at is not None
    twin = dataclasses.replace(first, leg_key="twin", vehicle="A-V2")  # the same driver on another vehicle
    fast = dataclasses.replace(legs[1], dropoff_at=legs[1].pickup_at)  # no loaded minutes
    s = by_provider(provider_scores([*legs[2:], first, twin, fast], PERIOD))
    assert s["A"].overlaps == 2 and set(s["A"].behind["overlaps"]) == {first.leg_key, "twin"}
    assert s["A"].impossible == 1 and s["A"].behind["impossible"] == (fast.leg_key,)
