"""The reassignment race: two dispatchers move legs onto the same vehicle at the same moment, many times over. The
loser always gets a conflict (409), never an error the version check raised during an autoflush (a 500)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from nemt.services import dispatch
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.store.models import Leg, Trip, Vehicle

from .conftest import DAY, _dispatcher

ROUNDS = 13  # two writers each round: 26 racing assignments


def _race(make, leg_keys: list[str], vehicle_key: str) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(len(leg_keys), timeout=30)

    def worker(leg_key: str) -> None:
        with make() as uow:
            actor = _dispatcher(uow)
            barrier.wait()
            try:
                dispatch.assign_leg(uow, actor, leg_key, vehicle_key)
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
            except InvalidInput:
                outcomes.append("refused")
            except Exception as exc:  # noqa: BLE001 - anything else is what a user would see as a 500
                outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=worker, args=(k,)) for k in leg_keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


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
        outcomes += _race(make, keys, vehicle_keys[n % len(vehicle_keys)])
    assert len(outcomes) == 2 * ROUNDS
    unexpected = [o for o in outcomes if o not in ("ok", "conflict", "refused")]
    print(f"races: {len(outcomes)}; " + ", ".join(f"{o}: {outcomes.count(o)}" for o in sorted(set(outcomes))))
    assert unexpected == []
