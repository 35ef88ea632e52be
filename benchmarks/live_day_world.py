"""The world of the live-day benchmark (:mod:`benchmarks.live_day`): the demo's Colorado world with 20 more Denver
vans, and a day of round trips of the metro members to the metro clinics, written as the booking service leaves an
approved ride."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select

from nemt.policy import load_policy

DAY = dt.date(2026, 12, 1)  # a Tuesday; the clock is moved to each event's time, so any date will do
METRO = ("Denver", "Adams", "Arapahoe", "Jefferson", "Douglas", "Boulder", "Broomfield")
#: The extra Denver vans: (vehicle type, count, seats, wheelchair positions, stretcher positions).
EXTRA_FLEET = [("mobility-ambulatory", 10, 6, 0, 0), ("wheelchair-van", 8, 3, 2, 0), ("stretcher-van", 2, 2, 0, 1)]


def local(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=load_policy("CO").time_zone)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else (value if value.tzinfo else value.replace(tzinfo=dt.UTC))


def make_world(url: str):
    """A migrated database at ``url`` with the benchmark's world (:func:`prepare`); its unit of work."""
    from nemt.store.database import make_engine
    from nemt.store.migrate import upgrade
    from nemt.store.uow import uow_factory

    engine = make_engine(url)
    upgrade(engine)
    factory = uow_factory(engine)
    prepare(factory)
    return factory


def prepare(factory) -> None:
    """The demo world (no rides) and the extra Denver vans, in the empty database of ``factory``."""
    from nemt.services.demo import seed
    from nemt.services.demo.network import _fleet
    from nemt.store.models import TransportProvider, Vehicle

    seed(factory, DAY, rides=False)
    with factory() as uow:
        denver = uow.session.scalar(select(Vehicle).where(Vehicle.base_zip.like("802%")).order_by(Vehicle.id))
        provider = uow.session.get(TransportProvider, denver.provider_id)
        _fleet(uow, random.Random(5), provider, 7, "Benchmark Vans", denver.base_zip, EXTRA_FLEET, DAY)
        uow.commit()


def book_day(factory, legs: int, rng: random.Random) -> int:
    """Round trips of the metro members to the metro clinics, ``legs`` legs in all (written as the booking service
    leaves an approved ride); returns how many trips."""
    from nemt.store.models import MedicalProvider, Member

    with factory() as uow:
        members = list(uow.session.scalars(select(Member).where(Member.program == "CO", Member.county.in_(METRO))
                                           .order_by(Member.id)))
        clinics = list(uow.session.scalars(select(MedicalProvider).where(MedicalProvider.program == "CO",
                                                                         MedicalProvider.county.in_(METRO))))
        n = 0
        while 2 * n < legs:
            member, clinic = rng.choice(members), rng.choice(clinics)
            appointment = local(7) + dt.timedelta(minutes=15 * rng.randrange(0, 37))
            add_trip(uow, n, member, clinic, appointment, round_trip=True)
            n += 1
        uow.commit()
    return n


def add_trip(uow, n: int, member, clinic, when: dt.datetime, *, round_trip: bool = False,
             urgent: bool = False) -> Any:
    """An approved ride of ``member``: to ``clinic`` by ``when`` (and home an hour later), or — ``urgent`` — a
    discharge from ``clinic`` home, picked up from ``when``."""
    from nemt.store.models import Leg, Trip

    mode = "wheelchair-van" if "wheelchair-confined" in (member.documented_needs or []) else "mobility-ambulatory"
    trip = Trip(confirmation=f"B-{n}", idempotency_key=f"bench-{n}", program="CO", member_id=member.id,
                requested_by="facility" if urgent else "member", requested_at=when - dt.timedelta(days=0 if urgent
                                                                                                  else 3),
                appointment_at=when, service_date=DAY, purpose="medical", pickup_address=member.address_line,
                pickup_zip=member.zip, destination_name=clinic.name, destination_address=clinic.address_line,
                destination_zip=clinic.zip, destination_county=clinic.county, destination_state="CO",
                requested_mode=mode, mode=mode, outcome="approved", arranged_by="sde", round_trip=round_trip,
                urgent=urgent, space="wheelchair" if mode == "wheelchair-van" else "seat")
    home = (member.address_line, member.zip)
    there = (clinic.address_line, clinic.zip)
    if urgent:
        trip.legs.append(Leg(sequence=1, service_date=DAY, origin_address=there[0], origin_zip=there[1],
                             destination_address=home[0], destination_zip=home[1], pickup_earliest=when))
    else:
        trip.legs.append(Leg(sequence=1, service_date=DAY, origin_address=home[0], origin_zip=home[1],
                             destination_address=there[0], destination_zip=there[1], dropoff_latest=when))
    if round_trip:
        trip.legs.append(Leg(sequence=2, service_date=DAY, origin_address=there[0], origin_zip=there[1],
                             destination_address=home[0], destination_zip=home[1],
                             pickup_earliest=when + dt.timedelta(minutes=60)))
    uow.session.add(trip)
    return trip
