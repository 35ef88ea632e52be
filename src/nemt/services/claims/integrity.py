"""The integrity edits at claim build (issue 15, item 3) on the database: the facts of the provider's completed
legs — and of the same members' legs with other providers on those dates — gathered through ``uow.integrity``
into :class:`~nemt.domain.integrity.facts.LegFact` values, then decided by the pure
:func:`~nemt.domain.integrity.edits.integrity_edits` with the program's ``[integrity]`` policy.

:func:`leg_facts` is also what the auditors' analytics fold their legs with."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import Any

from nemt.billing.claim_rules import Edit
from nemt.domain.integrity.edits import config_of, integrity_edits
from nemt.domain.integrity.facts import LegFact
from nemt.domain.integrity.patterns import vehicle_trips
from nemt.domain.network import check_assignment
from nemt.domain.trip_log import LegLog, utc
from nemt.policy import Policy
from nemt.services.network.credentials import driver_facts, vehicle_facts
from nemt.services.trips.views import logs_of
from nemt.store.models import Leg

__all__ = ["claim_integrity_edits", "leg_facts"]


def _eligible(member: Any, day: dt.date, policy: Policy) -> bool:
    covering = set(policy.get("eligibility.covering_plans"))
    return any(c.plan in covering and c.start <= day and (c.end is None or c.end >= day) for c in member.coverage)


def _credentialed(leg: Leg, driver_id: int | None, policy: Policy,
                  people: tuple[dict[int, Any], dict[int, Any]]) -> tuple[bool, bool]:
    drivers, vehicles = people
    driver = drivers.get(driver_id) if driver_id is not None else None
    vehicle = vehicles.get(leg.vehicle_id) if leg.vehicle_id is not None else None
    if driver is None or vehicle is None:
        return True, True  # who drove is the trip log's required field; its absence is not this edit's finding
    result = check_assignment(driver_facts(driver), vehicle_facts(vehicle), leg.trip.mode or leg.trip.requested_mode,
                              leg.service_date, policy)
    return (all(p.subject != "driver" for p in result.problems),
            all(p.subject != "vehicle" for p in result.problems))


def _tracked(evidence: dict[str, Any]) -> Decimal | None:
    odometer = evidence["odometer"]
    if "picked-up" in odometer and "dropped-off" in odometer:
        return Decimal(str(round(odometer["dropped-off"] - odometer["picked-up"], 1)))
    return None


def _fact(leg: Leg, log: LegLog, driver_id: int | None, evidence: dict[str, Any], enrolled: set[int],
          credentialed: tuple[bool, bool], policy: Policy, follower: bool) -> LegFact:
    trip = leg.trip
    loaded = log.loaded_miles if log.loaded_miles is not None else leg.miles
    return LegFact(
        leg_key=leg.key, claim_key=None, provider=str(leg.provider_id), driver=str(driver_id) if driver_id else None,
        vehicle=str(leg.vehicle_id) if leg.vehicle_id else None, member=trip.member.key, day=leg.service_date,
        pickup_at=utc(log.picked_up_at) if log.picked_up_at else None,
        dropoff_at=utc(log.dropped_off_at) if log.dropped_off_at else None,
        loaded_miles=Decimal(str(loaded or 0)), route_miles=Decimal(str(round(leg.miles, 1))) if leg.miles else None,
        riders_together=1, verified=bool(evidence["positions"]) or evidence["attested"],
        destination_enrolled=trip.destination_provider_id is None or trip.destination_provider_id in enrolled,
        county=trip.member.county, destination=leg.destination_address, tracked_miles=_tracked(evidence),
        driver_credentialed=credentialed[0], vehicle_credentialed=credentialed[1],
        member_eligible=_eligible(trip.member, leg.service_date, policy), mileage_units=0 if follower else None)


def leg_facts(uow: Any, legs: Sequence[Leg], policy: Policy, *, followers: Collection[str] = ()) -> list[LegFact]:
    """The facts of completed legs (with their trips and members loaded): ``followers`` are shared-ride legs that
    ride on another leg's claim (their mileage is not billed)."""
    ids = [leg.id for leg in legs]
    logs = logs_of(uow, ids)
    runs = uow.integrity.run_drivers({(leg.vehicle_id, leg.service_date) for leg in legs if leg.vehicle_id})
    driver_of = {leg.id: leg.driver_id or runs.get((leg.vehicle_id, leg.service_date)) for leg in legs}
    people = (uow.integrity.drivers({d for d in driver_of.values() if d}),
              uow.integrity.vehicles({leg.vehicle_id for leg in legs if leg.vehicle_id}))
    enrolled = uow.integrity.enrolled_destinations(
        {leg.trip.destination_provider_id for leg in legs if leg.trip.destination_provider_id})
    evidence = uow.integrity.evidence(ids)
    follower_keys = set(followers)
    facts = [_fact(leg, logs.get(leg.id, LegLog()), driver_of[leg.id], evidence[leg.id], enrolled,
                   _credentialed(leg, driver_of[leg.id], policy, people), policy, leg.key in follower_keys)
             for leg in legs]
    together = {leg.leg_key: len(trip) for trip in vehicle_trips(facts) for leg in trip}
    return [dataclasses.replace(f, riders_together=together.get(f.leg_key, 1)) for f in facts]


def claim_integrity_edits(uow: Any, provider_id: int, legs: Sequence[Leg], dates: tuple[dt.date, dt.date],
                          policy: Policy, followers: Collection[str]) -> tuple[list[Edit], frozenset[str]]:
    """The integrity edits of the provider's ``legs`` (read beside the same members' legs with other providers on
    the dates), and the edit codes that hold a claim for review under the program's policy."""
    if not legs or not policy.has("integrity"):
        return [], frozenset()
    cfg = config_of(policy)
    others = uow.integrity.completed_legs(*dates, member_ids={leg.trip.member_id for leg in legs},
                                          not_provider=provider_id)
    facts = leg_facts(uow, [*legs, *others], policy, followers=followers)
    own = {leg.key for leg in legs}
    return ([Edit(hit.rule, hit.leg_key, hit.message, hit.citation)
             for hit in integrity_edits(facts, cfg) if hit.leg_key in own], cfg.hold)
