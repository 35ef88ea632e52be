"""Fixtures of the dispatch tests: a demo day with eight members' rides to one clinic in the Denver metro."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from nemt.services import dispatch
from nemt.services.platform.auth import actor_of
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.store.models import Leg, MedicalProvider, Member, Trip

DAY = dt.date(2026, 11, 24)
DENVER = dt.timezone(dt.timedelta(hours=-7))


def _trip(uow, member, dest, hour, minute, mode, n, round_trip=True):
    appt = dt.datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=DENVER)
    trip = Trip(confirmation=f"T-{n}", idempotency_key=f"idem-{n}", program="CO", member_id=member.id,
                requested_by="member", requested_at=appt - dt.timedelta(days=3), appointment_at=appt,
                service_date=DAY, purpose="medical", pickup_address=member.address_line, pickup_zip=member.zip,
                destination_name=dest.name, destination_address=dest.address_line, destination_zip=dest.zip,
                destination_county=dest.county, destination_state="CO", requested_mode=mode, mode=mode,
                outcome="approved", arranged_by="sde", round_trip=round_trip,
                space="wheelchair" if mode == "wheelchair-van" else "seat")
    trip.legs.append(Leg(sequence=1, service_date=DAY, origin_address=member.address_line, origin_zip=member.zip,
                         destination_address=dest.address_line, destination_zip=dest.zip, dropoff_latest=appt))
    if round_trip:
        trip.legs.append(Leg(sequence=2, service_date=DAY, origin_address=dest.address_line, origin_zip=dest.zip,
                             destination_address=member.address_line, destination_zip=member.zip,
                             pickup_earliest=appt + dt.timedelta(hours=1)))
    uow.session.add(trip)
    return trip


def seed_day(demo, members: int):
    """``members`` Denver-metro members' round trips to one clinic on ``DAY`` (two legs each); returns ``demo``."""
    with demo() as uow:
        chosen = list(uow.session.scalars(select(Member).where(
            Member.program == "CO", Member.county.in_(["Denver", "Adams", "Arapahoe", "Jefferson"]))
            .order_by(Member.id)))[:members]
        dest = uow.session.scalar(select(MedicalProvider).where(MedicalProvider.zip == "80204"))
        for n, m in enumerate(chosen):
            mode = "wheelchair-van" if "wheelchair-confined" in m.documented_needs else "mobility-ambulatory"
            _trip(uow, m, dest, 8 + n % 4, 15 * (n % 4), mode, n)
        uow.commit()
    return demo


@pytest.fixture
def day_with_trips(demo):
    return seed_day(demo, 8)


def _dispatcher(uow):
    return actor_of(uow.users.by_username("dispatcher"))


def race_assignments(make, leg_keys: list[str], vehicle_key: str) -> list[str]:
    """Each leg put on ``vehicle_key`` by its own dispatcher, in its own thread, at the same moment: the outcome of
    each write ("ok", "conflict", "refused", or the class name of anything else — what a user would see as a 500)."""
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
