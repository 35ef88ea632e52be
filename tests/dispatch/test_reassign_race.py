"""The reassignment race: two dispatchers move legs onto the same vehicle at the same moment, many times over. The
loser always gets a conflict (409), never an error the version check raised during an autoflush (a 500)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nemt.services import dispatch
from nemt.store.models import Leg, Trip, Vehicle

from .conftest import DAY, _dispatcher, race_assignments

ROUNDS = 13  # two writers each round: 26 racing assignments


def test_the_loser_of_a_reassignment_race_always_gets_a_conflict(day_with_trips, db):
    if db.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers with its file lock; the race is PostgreSQL's")
    from nemt.store.uow import uow_factory

    with day_with_trips() as uow:
        dispatch.schedule_day(uow, _dispatcher(uow), "CO", DAY, time_limit=2)
        legs = list(uow.session.scalars(select(Leg).join(Trip).where(Trip.mode == "mobility-ambulatory")
                                        .order_by(Leg.id)))
        vans = list(uow.session.scalars(select(Vehicle).where(Vehicle.vehicle_type == "wheelchair-van")
                                        .order_by(Vehicle.id)))[:2]
        keys = [legs[0].key, legs[-1].key]
        vehicle_keys = [v.key for v in vans]
    make = uow_factory(db)
    outcomes: list[str] = []
    for n in range(ROUNDS):
        outcomes += race_assignments(make, keys, vehicle_keys[n % len(vehicle_keys)])
    assert len(outcomes) == 2 * ROUNDS
    unexpected = [o for o in outcomes if o not in ("ok", "conflict", "refused")]
    print(f"races: {len(outcomes)}; " + ", ".join(f"{o}: {outcomes.count(o)}" for o in sorted(set(outcomes))))
    assert unexpected == []
