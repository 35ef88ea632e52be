"""Plausibility of a leg's trip log at entry: could the ride have happened as logged? Pure: plain values in, a list of
named findings out.

NEMT fraud is mostly trips that never happened or were padded (GAO-22-105447; Colorado's 2023 Pueblo–Denver
scheme): a log whose times, miles and people cannot be true must never be billed silently. Each rule has a name;
the program's policy (``[plausibility]``, values the manual does not state, ``source = "operational"``) gives the
thresholds and which rules *refuse* the event outright (``refuse``) — the others *hold the leg for review*: the
event is stored, the leg is completed, but the claims build skips it and says why.

The rules (names are stable: they are the ``rule`` of errors and of build results):

- ``event-order`` — arrived ≤ picked up ≤ dropped off.
- ``early-pickup`` — the pick-up is not long before the pick-up window opens.
- ``loaded-minutes`` — the loaded minutes are at least a share of the road minutes of the route.
- ``loaded-miles`` — the loaded miles are within a tolerance of the shortest-route miles ("Mileage shall be paid
  for the shortest trip length in miles as determined by an internet-based map, trip planner, or other GPS").
- ``odometer-miles`` — the loaded miles are not more than the odometer difference (plus a tolerance), and the
  odometer does not run backwards.
- ``gps-miles`` / ``gps-place`` — the loaded miles are not more than the straight line between the pick-up and
  drop-off positions allows; each position is near the stop it was recorded at.
- ``driver-overlap`` / ``vehicle-overlap`` — a driver is not on two vehicles at once; a vehicle is not driven by
  two drivers at once (legs of one vehicle and one driver at once are a shared ride: see ``capacity``).
- ``capacity`` — never more people aboard than the vehicle has places (members, escorts, additional passengers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from nemt.domain.trip_log import LegLog
from nemt.geo.points import Point, great_circle_miles
from nemt.policy import Policy

__all__ = ["RULES", "Finding", "LegFacts", "Neighbour", "Position", "check", "people_aboard"]

RULES = ("event-order", "early-pickup", "loaded-minutes", "loaded-miles", "odometer-miles", "gps-miles",
         "gps-place", "driver-overlap", "vehicle-overlap", "capacity")


@dataclass(frozen=True)
class Finding:
    """One failed rule: its name, the reason in plain words, the citation, and whether it refuses the event (else the
    leg is held for review)."""

    rule: str
    message: str
    cite: str
    refuses: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "message": self.message, "cite": self.cite,
                "action": "refused" if self.refuses else "held for review"}


@dataclass(frozen=True)
class Position:
    """A phone's position at an event (degrees; accuracy in meters, unknown = None)."""

    latitude: float
    longitude: float
    accuracy_m: float | None = None


@dataclass(frozen=True)
class Neighbour:
    """Another leg driven on the same day by the same driver or in the same vehicle: its loaded interval and the
    people it carried."""

    leg_key: str
    start: dt.datetime
    end: dt.datetime
    driver_id: int | None
    vehicle_id: int | None
    people: int


@dataclass(frozen=True)
class LegFacts:
    """What the rules look at for one leg (after the event being recorded)."""

    leg_key: str
    log: LegLog
    window_opens: dt.datetime | None = None  # the pick-up window's start (requested earliest, else planned - window)
    route_miles: float | None = None  # shortest-route miles of the leg (None or 0: unknown)
    route_minutes: float | None = None  # road minutes of the route (None: unknown)
    odometer: dict[str, float] = field(default_factory=dict)  # event kind -> reading
    positions: dict[str, Position] = field(default_factory=dict)  # event kind -> the phone's position
    stops: dict[str, Point] = field(default_factory=dict)  # event kind -> where the stop is (ZIP point)
    driver_id: int | None = None
    vehicle_id: int | None = None
    places: int | None = None  # seats + wheelchair + stretcher positions of the vehicle (None: no vehicle)
    neighbours: tuple[Neighbour, ...] = ()


def people_aboard(log: LegLog) -> int:
    """The people a leg carries while loaded: the member (unless not in the vehicle), escorts, additional
    passengers."""
    return int(log.member_in_vehicle) + len(log.escorts) + len(log.additional_passengers)


def _minutes(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 60


class _Checker:
    def __init__(self, facts: LegFacts, policy: Policy):
        self.facts, self.policy, self.log = facts, policy, facts.log
        self.refusing = set(policy.get("plausibility.refuse"))
        self.findings: list[Finding] = []

    def value(self, name: str) -> float:
        return float(self.policy.get(f"plausibility.{name}"))

    def fail(self, rule: str, message: str, *, mileage: bool = False) -> None:
        """A failed rule, citing the program's mileage rule (``plausibility.mileage_cite``, where its source states
        one) for the loaded-miles rules, else the (operational) ``[plausibility]`` table."""
        section = "plausibility"
        if mileage and self.policy.has("plausibility.mileage_cite"):
            section = str(self.policy.get("plausibility.mileage_cite"))
        self.findings.append(Finding(rule, message, self.policy.cite(section), rule in self.refusing))

    def order(self) -> None:
        times = [(name, t) for name, t in (("arrival", self.log.arrived_at), ("pick-up", self.log.picked_up_at),
                                           ("drop-off", self.log.dropped_off_at)) if t is not None]
        for (first, a), (then, b) in zip(times, times[1:], strict=False):
            if b < a:
                self.fail("event-order", f"the {then} is logged before the {first}")

    def early_pickup(self) -> None:
        opens, picked = self.facts.window_opens, self.log.picked_up_at
        if opens is None or picked is None:
            return
        early = _minutes(picked, opens)
        if early > self.value("early_pickup_minutes"):
            self.fail("early-pickup", f"the pick-up is logged {early:.0f} minutes before the pick-up window opens "
                                      f"(at most {self.value('early_pickup_minutes'):.0f} allowed)")

    def loaded_minutes(self) -> None:
        picked, dropped, road = self.log.picked_up_at, self.log.dropped_off_at, self.facts.route_minutes
        if picked is None or dropped is None or not road:
            return
        loaded, needed = _minutes(picked, dropped), self.value("min_loaded_share") * road
        if loaded < needed:
            self.fail("loaded-minutes", f"the member was aboard {loaded:.0f} minutes; the route takes about "
                                        f"{road:.0f} minutes by road, so at least {needed:.0f} are needed")

    def loaded_miles(self) -> None:
        miles, route = self.log.loaded_miles, self.facts.route_miles
        if miles is None or not route:
            return
        allowed = route * (1 + self.value("miles_tolerance_share")) + self.value("miles_tolerance_miles")
        if miles > allowed:
            self.fail("loaded-miles", f"{miles} loaded miles logged; the shortest route is {route:.1f} miles "
                                      f"(at most {allowed:.1f} accepted)", mileage=True)

    def odometer(self) -> None:
        start, end = self.facts.odometer.get("picked-up"), self.facts.odometer.get("dropped-off")
        if start is None or end is None:
            return
        if end < start:
            self.fail("odometer-miles", "the odometer at drop-off is below the reading at pick-up")
            return
        allowed = end - start + self.value("odometer_tolerance_miles")
        if self.log.loaded_miles is not None and self.log.loaded_miles > allowed:
            self.fail("odometer-miles", f"{self.log.loaded_miles} loaded miles logged; the odometer moved "
                                        f"{end - start:.1f} miles", mileage=True)

    def gps(self) -> None:
        positions = self.facts.positions
        for kind, where in positions.items():
            stop = self.facts.stops.get(kind)
            if stop is None:
                continue
            off = great_circle_miles(Point(where.latitude, where.longitude), stop)
            if off > self.value("gps_place_miles"):
                self.fail("gps-place", f"the phone's position at the {kind} event is {off:.1f} miles from the stop")
        start, end = positions.get("picked-up"), positions.get("dropped-off")
        if start is None or end is None or self.log.loaded_miles is None:
            return
        line = great_circle_miles(Point(start.latitude, start.longitude), Point(end.latitude, end.longitude))
        allowed = line * self.value("gps_circuity_max") + self.value("miles_tolerance_miles")
        if self.log.loaded_miles > allowed:
            self.fail("gps-miles", f"{self.log.loaded_miles} loaded miles logged; the pick-up and drop-off "
                                   f"positions are {line:.1f} miles apart (at most {allowed:.1f} accepted)",
                      mileage=True)

    def interval(self) -> tuple[dt.datetime, dt.datetime] | None:
        start = self.log.picked_up_at or self.log.arrived_at
        end = self.log.dropped_off_at
        return (start, end) if start is not None and end is not None and start <= end else None

    def overlaps(self) -> None:
        mine = self.interval()
        if mine is None:
            return
        start, end = mine
        facts = self.facts
        aboard: list[tuple[dt.datetime, dt.datetime, int]] = [(start, end, people_aboard(self.log))]
        for n in facts.neighbours:
            if not (n.start < end and start < n.end):
                continue
            same_vehicle = facts.vehicle_id is not None and n.vehicle_id == facts.vehicle_id
            same_driver = facts.driver_id is not None and n.driver_id == facts.driver_id
            if same_driver and not same_vehicle:
                self.fail("driver-overlap", "the driver has another leg on another vehicle at the same time")
            elif same_vehicle and not same_driver and facts.driver_id is not None and n.driver_id is not None:
                self.fail("vehicle-overlap", "the vehicle has another leg with another driver at the same time")
            elif same_vehicle:
                aboard.append((max(start, n.start), min(end, n.end), n.people))
        self.capacity(aboard)

    def capacity(self, aboard: Sequence[tuple[dt.datetime, dt.datetime, int]]) -> None:
        if self.facts.places is None:
            return
        most = max(sum(p for s, e, p in aboard if s <= t < e or s == t) for t, _, _ in aboard)
        if most > self.facts.places:
            self.fail("capacity", f"{most} people would be aboard at once; the vehicle has {self.facts.places} "
                                  "places")


def check(facts: LegFacts, policy: Policy) -> list[Finding]:
    """Every rule the leg's log fails, in the order of :data:`RULES` (a rule whose facts are unknown passes)."""
    checker = _Checker(facts, policy)
    checker.order()
    checker.early_pickup()
    checker.loaded_minutes()
    checker.loaded_miles()
    checker.odometer()
    checker.gps()
    checker.overlaps()
    first: dict[str, Finding] = {}
    for finding in checker.findings:  # one finding per rule (many overlapping legs say the same thing)
        first.setdefault(finding.rule, finding)
    return list(first.values())
