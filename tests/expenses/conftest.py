"""Fixtures of the meals and lodging tests: the claims tests' world (the demo provider, its driver and vehicle) and a
two-day trip of it, completed, with an escort."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nemt.services import claims
from nemt.store.models import Member, Trip
from tests.claims_db.conftest import BILLING_PROFILE, DAY, at, fast_complete, world  # noqa: F401 - fixture

PDF = b"%PDF-1.4\n% a receipt\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NEXT_DAY = DAY + dt.timedelta(days=1)
NOW = at(20, day=NEXT_DAY)  # the evening of the trip's second day
TODAY = DAY + dt.timedelta(days=5)


def set_trip(w, trip_key: str, **values) -> None:
    with w.uow() as uow:
        trip = uow.session.scalar(select(Trip).where(Trip.key == trip_key))
        for name, value in values.items():
            setattr(trip, name, value)
        uow.commit()


def set_member(w, member: int, **values) -> None:
    with w.uow() as uow:
        row = uow.session.get(Member, w.member_ids[member])
        for name, value in values.items():
            setattr(row, name, value)
        uow.commit()


@pytest.fixture
def trip(world):  # noqa: F811 - the claims tests' world fixture
    """A completed two-day trip of member 0 (out and back the next day) with one escort, and the provider's billing
    profile; returns the world with ``trip_key`` and ``leg_keys``."""
    out = world.make_leg(0, day=DAY)
    trip_key = world.trip_of(out)
    back = world.make_leg(0, day=NEXT_DAY, sequence=2, trip=trip_key)
    fast_complete(world, [out, back])
    set_trip(world, trip_key, escorts=1)
    with world.uow() as uow:
        claims.set_billing_profile(uow, world.actor("provider"), None, **BILLING_PROFILE)
    world.trip_key, world.leg_keys = trip_key, [out, back]
    return world
