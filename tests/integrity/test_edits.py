"""Each integrity edit fires on a crafted case and not on a clean one (pure: LegFact values in, hits out)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from nemt.domain.integrity.edits import RULES, config_of, integrity_edits
from nemt.domain.integrity.facts import LegFact
from nemt.policy import load_policy

MT = dt.timezone(dt.timedelta(hours=-7))
DAY = dt.date(2026, 3, 2)


def at(h: int, m: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(h, m), MT)


def leg(key: str = "A", **kw) -> LegFact:
    base = LegFact(leg_key=key, claim_key=None, provider="P1", driver="D1", vehicle="V1", member=f"M-{key}",
                   day=DAY, pickup_at=at(9), dropoff_at=at(9, 30), loaded_miles=Decimal(10),
                   route_miles=Decimal(10), riders_together=1, verified=True, destination_enrolled=True,
                   county="Denver", destination="Clinic 1")
    return dataclasses.replace(base, **kw)


CFG = config_of(load_policy("CO"))


def rules(legs) -> set[tuple[str, str]]:
    return {(h.rule, h.leg_key) for h in integrity_edits(legs, CFG)}


def test_a_clean_day_raises_nothing():
    day = [leg("A"), leg("B", pickup_at=at(10), dropoff_at=at(10, 40)),
           leg("C", provider="P2", driver="D9", vehicle="V9", member="M-A", pickup_at=at(11), dropoff_at=at(11, 30))]
    assert rules(day) == set()


@pytest.mark.parametrize(("rule", "bad"), [
    ("route-miles-exceeded", dict(loaded_miles=Decimal(30))),
    ("tracked-miles-exceeded", dict(tracked_miles=Decimal("0.3"))),
    ("unverified-leg", dict(verified=False)),
    ("driver-not-credentialed", dict(driver_credentialed=False)),
    ("vehicle-not-credentialed", dict(vehicle_credentialed=False)),
    ("member-not-eligible", dict(member_eligible=False)),
    ("destination-not-enrolled", dict(destination_enrolled=False)),
    ("impossible-times", dict(dropoff_at=at(9, 0))),
    ("impossible-times", dict(loaded_miles=Decimal(18), route_miles=Decimal(18), dropoff_at=at(9, 5))),
])
def test_each_per_leg_edit_fires_on_its_case_only(rule, bad):
    assert rules([leg("A", **bad)]) == {(rule, "A")}
    assert rules([leg("A")]) == set()


def test_within_the_tolerance_the_miles_pass():
    # 15 % and 2 miles over the shortest route: 10 -> 13.5 passes, 13.6 does not.
    assert rules([leg(loaded_miles=Decimal("13.5"))]) == set()
    assert rules([leg(loaded_miles=Decimal("13.6"))]) == {("route-miles-exceeded", "A")}


def test_shared_ride_to_one_place_billed_under_two_ids_is_the_manuals_rule():
    a, b = leg("A"), leg("B", pickup_at=at(9, 3), dropoff_at=at(9, 31))
    assert rules([a, b]) == {("shared-ride-billed-twice", "B")}
    # billed right: the second rider's mileage is not billed
    assert rules([a, dataclasses.replace(b, mileage_units=0)]) == set()


def test_members_carried_together_each_billing_the_full_mileage_is_the_generalisation():
    a, b = leg("A"), leg("B", destination="Clinic 2", pickup_at=at(9, 2), dropoff_at=at(9, 33))
    assert rules([a, b]) == {("shared-ride-full-mileage", "B")}
    # staggered riders each on their own road are not
    c = leg("C", destination="Clinic 2", pickup_at=at(9, 15), dropoff_at=at(9, 50), loaded_miles=Decimal(14),
            route_miles=Decimal(14))
    assert rules([a, c]) == set()


def test_a_member_billed_by_two_providers_at_once():
    a = leg("A")
    b = leg("B", provider="P2", driver="D2", vehicle="V2", member="M-A", pickup_at=at(9, 10), dropoff_at=at(9, 50))
    assert rules([a, b]) == {("member-overlap", "A"), ("member-overlap", "B")}
    # back to back is fine
    assert rules([a, dataclasses.replace(b, pickup_at=at(9, 31), dropoff_at=at(10))]) == set()


def test_a_driver_on_two_vehicles_at_once():
    a = leg("A")
    b = leg("B", vehicle="V2", pickup_at=at(9, 10), dropoff_at=at(9, 50))
    assert rules([a, b]) == {("driver-overlap", "A"), ("driver-overlap", "B")}


def test_the_policy_chooses_the_edits_and_what_holds():
    ct = config_of(load_policy("CT"))
    assert "shared-ride-billed-twice" not in ct.enabled
    a, b = leg("A"), leg("B", pickup_at=at(9, 3), dropoff_at=at(9, 31))
    hits = integrity_edits([a, b], ct)
    assert [(h.rule, h.leg_key, h.holds) for h in hits] == [("shared-ride-full-mileage", "B", True)]
    unverified = integrity_edits([leg(verified=False)], CFG)
    assert [(h.rule, h.holds) for h in unverified] == [("unverified-leg", False)]
    assert unverified[0].citation.endswith("Standard Forms Required")


def test_every_rule_has_a_citation_in_both_programs():
    for program in ("CO", "CT"):
        cfg = config_of(load_policy(program))
        assert set(cfg.citations) == set(RULES) and all(" — " in c for c in cfg.citations.values())


def test_a_policy_naming_an_unknown_integrity_rule_fails_at_load(tmp_path):
    from pathlib import Path

    from nemt.policy import PolicyError, load_policy_file

    text = Path(load_policy("CO").path).read_text()
    bad = tmp_path / "co.toml"
    bad.write_text(text.replace('hold = ["route-miles-exceeded"', 'hold = ["route-miles-exceded"', 1))
    with pytest.raises(PolicyError, match=r"integrity\.hold\[0\]: unknown rule 'route-miles-exceded'"):
        load_policy_file(bad, expected_code="CO")
