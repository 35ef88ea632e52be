"""The synthetic world of ``python -m benchmarks integrity``: a seeded month of billed NEMT legs in a Colorado-sized
region (counties with their own trip lengths, providers with their vehicles and drivers, members, destinations),
the history weeks before it, and known schemes injected at known rates. Each leg carries its label: ``clean`` or
the scheme it belongs to.

What clean data looks like (the detector may be wrong on any of it): miles billed within 10 % of the shortest route;
5 % of legs without position/attestation evidence (a phone off); GPS tracks within a few percent of the billed
miles; shared rides done right (to one destination: the mileage billed once; to several: riders boarding and
alighting at different times, each billing their own miles); long trips (over 52 miles) in rural counties;
providers whose weekly volume drifts by ±10 % and one legitimate provider growing by 30 %.

The schemes (what a real scheme leaves in the data, not what the detector looks for):

- ``packed`` — 3 to 5 members carried together on a long trip (60–130 miles), each billed the full mileage; half to
  one clinic, half to neighbouring clinics. The first rider's billing is legitimate (labelled clean); the others
  are the scheme.
- ``padded`` — loaded miles billed 25–150 % above the route (at least 3 extra miles: padding a few tenths of a mile
  earns cents); the GPS track, when present, shows the real miles.
- ``phantom`` — a trip that never happened: no evidence, and times that cannot be true (logged within a minute,
  or the miles at 90–200 mph).
- ``overlap`` — a driver billed on a spare vehicle while driving another vehicle's leg at the same time.
- ``burst`` — a provider with no trips in the history weeks billing like a typical provider in the month.
- ``noshow`` — a member who did not show, billed as a trip: no attestation; pick-up and drop-off logged at once, or
  logged apart while the GPS positions of the two events are the same place.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal

from nemt.domain.integrity.facts import LegFact

MOUNTAIN = dt.timezone(dt.timedelta(hours=-7))
SCHEMES = ("packed", "padded", "phantom", "overlap", "burst", "noshow")
# Share of the month's legs each scheme adds (burst: one provider of typical size, about 1/providers).
RATES = {"packed": 0.02, "padded": 0.02, "phantom": 0.01, "overlap": 0.005, "noshow": 0.01}


@dataclass
class World:
    legs: list[LegFact]  # the month and the history weeks before it
    label: dict[str, str]  # leg key -> "clean" or a scheme
    period: tuple[dt.date, dt.date]
    history_weeks: int
    providers: int

    def month(self) -> list[LegFact]:
        first, last = self.period
        return [leg for leg in self.legs if first <= leg.day <= last]


@dataclass
class _Provider:
    name: str
    counties: list[str]
    vehicles: int
    growth: float  # weekly volume in the month / history
    dormant: bool = False


@dataclass
class _Gen:
    rnd: random.Random
    counties: dict[str, float]  # county -> median route miles
    destinations: dict[str, list[str]]
    legs: list[LegFact] = field(default_factory=list)
    label: dict[str, str] = field(default_factory=dict)
    n: int = 0
    member_n: int = 0

    def key(self) -> str:
        self.n += 1
        return f"L{self.n:07d}"

    def member(self, county: str) -> str:
        self.member_n += 1  # one leg per member-slot: members never overlap in clean data
        return f"{county}-M{self.member_n % 400_000:06d}"

    def route(self, county: str) -> float:
        return max(1.0, self.rnd.lognormvariate(math.log(self.counties[county]), 0.6))

    def add(self, leg: LegFact, label: str) -> LegFact:
        self.legs.append(leg)
        self.label[leg.leg_key] = label
        return leg


def _miles(x: float) -> Decimal:
    return Decimal(f"{x:.1f}")


def _leg(g: _Gen, p: _Provider, county: str, vehicle: int, day: dt.date, pickup: dt.datetime, route: float,
         speed: float, **kw: object) -> LegFact:
    minutes = route / speed * 60 + 3
    loaded = route * g.rnd.uniform(0.99, 1.10)
    verified = g.rnd.random() >= 0.05
    base = LegFact(
        leg_key=g.key(), claim_key=None, provider=p.name, driver=f"{p.name}-D{vehicle}",
        vehicle=f"{p.name}-V{vehicle}", member=g.member(county), day=day, pickup_at=pickup,
        dropoff_at=pickup + dt.timedelta(minutes=minutes), loaded_miles=_miles(loaded), route_miles=_miles(route),
        riders_together=1, verified=verified, destination_enrolled=True, county=county,
        destination=g.rnd.choice(g.destinations[county]),
        tracked_miles=_miles(loaded * g.rnd.uniform(0.97, 1.06)) if verified else None,
        mileage_units=math.ceil(loaded))
    return replace(base, **kw)  # type: ignore[arg-type]


def _shared(g: _Gen, p: _Provider, county: str, v: int, day: dt.date, t: dt.datetime, speed: float) -> dt.datetime:
    """A shared ride done right: to one destination billed once, or staggered riders billing their own miles."""
    route = g.route(county)
    k = g.rnd.choice((2, 2, 3))
    if g.rnd.random() < 0.5:
        lead = g.add(_leg(g, p, county, v, day, t, route, speed, riders_together=k), "clean")
        for i in range(1, k):
            g.add(_leg(g, p, county, v, day, t + dt.timedelta(minutes=2 * i), route, speed, riders_together=k,
                       destination=lead.destination, mileage_units=0), "clean")
        return lead.dropoff_at or t
    end = t
    for i, destination in enumerate(g.rnd.sample(g.destinations[county], k)):
        leg = g.add(_leg(g, p, county, v, day, t + dt.timedelta(minutes=15 * i + g.rnd.uniform(0, 5)),
                         route * (1 + 0.6 * i), speed, riders_together=k, destination=destination), "clean")
        end = max(end, leg.dropoff_at or end)
    return end


def _packed(g: _Gen, p: _Provider, county: str, v: int, day: dt.date, t: dt.datetime) -> dt.datetime:
    route, k = g.rnd.uniform(60, 130), g.rnd.randint(3, 5)
    same = g.rnd.random() < 0.5
    lead = g.add(_leg(g, p, county, v, day, t, route, 55.0, riders_together=k), "clean")
    for _ in range(1, k):
        shift = dt.timedelta(minutes=g.rnd.uniform(0, 6))
        g.add(_leg(g, p, county, v, day, t + shift, route, 55.0, riders_together=k,
                   destination=lead.destination if same else g.rnd.choice(g.destinations[county])), "packed")
    return (lead.dropoff_at or t) + dt.timedelta(minutes=10)


def _vehicle_day(g: _Gen, p: _Provider, v: int, day: dt.date, scheme: bool) -> None:
    """One vehicle's day: legs one after another from 06:00 to 18:00, some shared, and (when ``scheme``) the
    packed rides and padded, no-show legs at their rates."""
    t = dt.datetime.combine(day, dt.time(6), MOUNTAIN) + dt.timedelta(minutes=g.rnd.uniform(0, 60))
    end = dt.datetime.combine(day, dt.time(18), MOUNTAIN)
    county = p.counties[v % len(p.counties)]
    speed = 35.0 if g.counties[county] > 12 else 24.0
    while t < end:
        r = g.rnd.random()
        if scheme and r < RATES["packed"] / 3:
            t = _packed(g, p, county, v, day, t)
        elif r < 0.03:
            t = _shared(g, p, county, v, day, t, speed)
        else:
            route = g.route(county)
            leg = _leg(g, p, county, v, day, t, route, speed)
            r2 = g.rnd.random()
            if scheme and r2 < RATES["padded"]:
                leg = _pad(g, leg, route)
            elif scheme and r2 < RATES["padded"] + RATES["noshow"]:
                leg = _noshow(g, leg)
            g.add(leg, g.label.get(leg.leg_key, "clean"))
            t = leg.dropoff_at or t
        t += dt.timedelta(minutes=g.rnd.uniform(8, 35))


def _pad(g: _Gen, leg: LegFact, route: float) -> LegFact:
    billed = max(route * g.rnd.uniform(1.25, 2.5), route + 3 + g.rnd.uniform(0, 5))
    g.label[leg.leg_key] = "padded"
    return replace(leg, loaded_miles=_miles(billed), mileage_units=math.ceil(billed))


def _noshow(g: _Gen, leg: LegFact) -> LegFact:
    g.label[leg.leg_key] = "noshow"
    assert leg.pickup_at is not None
    if g.rnd.random() < 0.5:  # pick-up and drop-off tapped at once
        return replace(leg, verified=False, tracked_miles=None,
                       dropoff_at=leg.pickup_at + dt.timedelta(seconds=g.rnd.uniform(5, 50)))
    return replace(leg, verified=False, tracked_miles=_miles(g.rnd.uniform(0, 0.4)))


def _phantom(g: _Gen, p: _Provider, vehicles: int, day: dt.date) -> None:
    county = g.rnd.choice(p.counties)
    v = g.rnd.randrange(vehicles)
    route = g.route(county)
    pickup = dt.datetime.combine(day, dt.time(7), MOUNTAIN) + dt.timedelta(minutes=g.rnd.uniform(0, 600))
    leg = _leg(g, p, county, v, day, pickup, route, 30.0, verified=False, tracked_miles=None)
    assert leg.pickup_at is not None
    if g.rnd.random() < 0.5:
        dropoff = leg.pickup_at + dt.timedelta(seconds=g.rnd.uniform(0, 60))
    else:
        dropoff = leg.pickup_at + dt.timedelta(hours=float(leg.loaded_miles) / g.rnd.uniform(90, 200))
    g.add(replace(leg, dropoff_at=dropoff), "phantom")


def _overlap(g: _Gen, p: _Provider, real: LegFact) -> None:
    """The driver of ``real`` billed on the provider's spare vehicle at the same time."""
    assert real.pickup_at is not None and real.driver is not None
    county = real.county
    assert real.dropoff_at is not None
    pickup = real.pickup_at + (real.dropoff_at - real.pickup_at) * g.rnd.uniform(0, 0.7)  # while driving it
    leg = _leg(g, p, county, 0, real.day, pickup, g.route(county), 30.0)
    g.add(replace(leg, driver=real.driver, vehicle=f"{p.name}-S"), "overlap")


COUNTIES = {"Denver": 6.0, "Arapahoe": 7.0, "Jefferson": 8.0, "Adams": 8.0, "El Paso": 8.0, "Boulder": 8.0,
            "Larimer": 10.0, "Pueblo": 10.0, "Weld": 12.0, "Mesa": 12.0, "Fremont": 18.0, "Otero": 20.0,
            "Montrose": 20.0, "Alamosa": 22.0, "Logan": 25.0}


def _providers(rnd: random.Random, n: int) -> list[_Provider]:
    names = list(COUNTIES)
    out = []
    for i in range(n):
        home = names[i % len(names)]
        counties = [home] + ([rnd.choice(names)] if rnd.random() < 0.3 else [])
        growth = 1.3 if i == n - 2 else rnd.uniform(0.9, 1.1)
        out.append(_Provider(f"P{i + 1:02d}", counties, rnd.randint(1, 5), growth, dormant=i == n - 1))
    return out


def generate(seed: int = 7, providers: int = 40, days: int = 30, history_weeks: int = 8,
             first: dt.date = dt.date(2026, 3, 2)) -> World:
    """The world: ``history_weeks`` of clean history, then ``days`` with the schemes injected."""
    rnd = random.Random(seed)
    g = _Gen(rnd, COUNTIES, {c: [f"{c}-clinic-{j:02d}" for j in range(30)] for c in COUNTIES})
    plist = _providers(rnd, providers)
    start = first - dt.timedelta(weeks=history_weeks)
    for offset in range((first - start).days + days):
        day = start + dt.timedelta(days=offset)
        month = day >= first
        for p in plist:
            if p.dormant and not month:
                continue
            for v in range(p.vehicles):
                if not month and rnd.random() > 1 / p.growth:
                    continue
                before = len(g.legs)
                _vehicle_day(g, p, v, day, scheme=month and not p.dormant)
                if month:
                    _inject(g, p, v, day, before)
    return World(g.legs, g.label, (first, first + dt.timedelta(days=days - 1)), history_weeks, providers)


def _inject(g: _Gen, p: _Provider, v: int, day: dt.date, before: int) -> None:
    """The phantom and overlapping legs of one vehicle-day (at their rates of the day's legs), and the burst
    provider's labels."""
    added = g.legs[before:]
    if p.dormant:
        for leg in added:
            g.label[leg.leg_key] = "burst"
        return
    for _ in range(len(added)):
        if g.rnd.random() < RATES["phantom"]:
            _phantom(g, p, p.vehicles, day)
        if g.rnd.random() < RATES["overlap"]:
            real = g.rnd.choice(added)
            if g.label[real.leg_key] == "clean" and real.riders_together == 1:
                _overlap(g, p, real)
