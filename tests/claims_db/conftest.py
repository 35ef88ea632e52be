"""Fixtures of the trip-log and claims database tests: the demo world plus trips and legs made directly with the
models (booking is built elsewhere)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from nemt.domain.actors import Actor
from nemt.services import claims
from nemt.services.platform import auth
from nemt.store.models import (
    Driver,
    Leg,
    Member,
    TransportProvider,
    Trip,
    User,
    Vehicle,
)

DAY = dt.date(2026, 3, 2)  # a Monday; inside the fee schedule's open period
HOME = "1200 Example Ave, Denver, CO 80205"
CLINIC = "300 Sample St, Denver, CO 80218"
DENVER = dt.timezone(dt.timedelta(hours=-7))  # MST, the program's local time on DAY


def at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=DENVER)


@dataclass
class World:
    uow: Any
    provider_id: int
    provider_npi: str
    driver_id: int
    other_driver_id: int
    vehicle_id: int
    member_ids: list[int]

    def actor(self, username: str) -> Actor:
        with self.uow() as uow:
            return auth.actor_of(uow.users.by_username(username))

    def make_leg(self, member: int = 0, *, day: dt.date = DAY, sequence: int = 1, mode: str = "wheelchair-van",
                 driver: str = "mine", trip: str | None = None, origin: str = HOME, destination: str = CLINIC,
                 request: dict | None = None) -> str:
        """A trip (or the given trip's next leg) assigned to the demo provider; returns the leg key."""
        with self.uow() as uow:
            if trip is None:
                token = secrets.token_hex(6)
                t = Trip(confirmation=f"T{token}", idempotency_key=token, program="CO",
                         member_id=self.member_ids[member], requested_by="member",
                         requested_at=dt.datetime(2026, 2, 20, 12, tzinfo=dt.UTC),
                         appointment_at=at(9, day=day), service_date=day, purpose="dialysis", pickup_address=origin,
                         pickup_zip="80205", destination_name="Example Dialysis", destination_address=destination,
                         destination_zip="80218", destination_county="Denver", destination_state="CO",
                         requested_mode=mode, mode=mode, outcome="approved", arranged_by="broker",
                         request=request or {})
                uow.session.add(t)
                uow.session.flush()
            else:
                t = uow.session.scalar(select(Trip).where(Trip.key == trip))
            driver_id = {"mine": self.driver_id, "other": self.other_driver_id, "none": None}[driver]
            leg = Leg(trip_id=t.id, sequence=sequence, service_date=day, origin_address=origin, origin_zip="80205",
                      destination_address=destination, destination_zip="80218", status="assigned",
                      provider_id=self.provider_id, vehicle_id=self.vehicle_id, driver_id=driver_id)
            uow.session.add(leg)
            uow.commit()
            return leg.key

    def trip_of(self, leg_key: str) -> str:
        with self.uow() as uow:
            return uow.session.scalar(select(Trip.key).join(Leg, Leg.trip_id == Trip.id).where(Leg.key == leg_key))

    def leg_status(self, leg_key: str) -> str:
        with self.uow() as uow:
            return uow.session.scalar(select(Leg.status).where(Leg.key == leg_key))


@pytest.fixture
def world(demo) -> World:
    with demo() as uow:
        driver = uow.session.scalar(select(Driver).join(User, User.id == Driver.user_id)
                                    .where(User.username == "driver"))
        provider = uow.session.get(TransportProvider, driver.provider_id)
        other = uow.session.scalar(select(Driver).where(Driver.provider_id == provider.id, Driver.id != driver.id))
        vehicle = uow.session.scalar(select(Vehicle).where(Vehicle.provider_id == provider.id,
                                                           Vehicle.vehicle_type == "wheelchair-van"))
        members = list(uow.session.scalars(select(Member.id).where(Member.program == "CO").order_by(Member.id)))
        # An adult member (no escort coverage surprises) first, then the rest.
        return World(demo, provider.id, provider.npi, driver.id, other.id, vehicle.id, members)


def complete(world: World, leg_key: str, *, miles: int = 10, start: int = 8, actor: Actor | None = None,
             pickup: dict | None = None, dropoff: dict | None = None, day: dt.date = DAY) -> None:
    """Arrive, pick up and drop off a leg as its driver."""
    from nemt.services.trips import record_event

    actor = actor or world.actor("driver")
    with world.uow() as uow:
        record_event(uow, actor, leg_key, "arrived", {}, at(start, 0, day))
    with world.uow() as uow:
        record_event(uow, actor, leg_key, "picked-up",
                     {"identity_verified": True, **(pickup or {})}, at(start, 5, day))
    with world.uow() as uow:
        record_event(uow, actor, leg_key, "dropped-off",
                     {"loaded_miles": miles, "trip_confirmed_by": "member", **(dropoff or {})}, at(start, 40, day))


BILLING_PROFILE = dict(address_line="100 Main St", city="Denver", state="CO", zip="80202", tax_id="123456789",
                       submitter_id="TP1234567", submitter_name="EXAMPLE NEMT BROKER", contact_name="BILLING DESK",
                       phone="3035550100")


def fast_complete(world: World, keys: list[str], *, miles: int = 10, start_hour: int = 8) -> None:
    """Complete many legs at once by inserting their events directly (for the race tests: speed, not rules)."""
    from nemt.store.models import TripLogEvent

    with world.uow() as uow:
        for n, key in enumerate(keys):
            leg = uow.session.scalar(select(Leg).where(Leg.key == key))
            # One after another (31 minutes apart): legs of one vehicle aboard at once beyond its places would be
            # held for review by the capacity rule (nemt.domain.plausibility).
            base = at(start_hour, day=leg.service_date) + dt.timedelta(minutes=31 * n)
            uow.session.add_all([
                TripLogEvent(leg_id=leg.id, kind="picked-up", at=base, data={"identity_verified": True}),
                TripLogEvent(leg_id=leg.id, kind="dropped-off", at=base + dt.timedelta(minutes=30),
                             data={"loaded_miles": miles, "trip_confirmed_by": "member"}),
            ])
            leg.status = "completed"
        uow.commit()


def make_835(claims: list[tuple], *, trace: str = "EFT0001") -> str:
    """A small 835 for our claims, valid under pyx12: ``(claim_number, status_code, charge, paid, payer_number,
    cas)`` per claim, where ``cas`` is a CAS segment body or None."""
    isa = "ISA*00*          *00*          *ZZ*COMEDASSISTPROG*ZZ*TP1234567      *260301*1200*^*00501*000000101*0*T*:~"
    total = sum(float(c[3]) for c in claims)
    body = [
        "GS*HP*COMEDASSISTPROG*TP1234567*20260301*1200*101*X*005010X221A1",
        "ST*835*0001",
        f"BPR*I*{total:.2f}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260320",
        f"TRN*1*{trace}*1512345678",
        "N1*PR*COLORADO MEDICAL ASSISTANCE PROGRAM",
        "N3*1570 GRANT ST",
        "N4*DENVER*CO*80203",
        "PER*BL*EDI SUPPORT*TE*3035550100",
        "N1*PE*EXAMPLE*XX*1234567893",
        "LX*1",
    ]
    for number, status, charge, paid, payer_number, cas in claims:
        body.append(f"CLP*{number}*{status}*{charge}*{paid}*0*MC*{payer_number}*41*1")
        if cas:
            body.append(f"CAS*{cas}")
        body.append("NM1*QC*1*MEMBER*TEST****MI*Z000001")  # loop 2100's patient name (pyx12: required)
    st = body.index("ST*835*0001")
    body.append(f"SE*{len(body) - st + 1}*0001")
    body += ["GE*1*101", "IEA*1*000000101"]
    return isa + "\n" + "".join(s + "~\n" for s in body)


TODAY = DAY + dt.timedelta(days=5)  # the claims are built five days after the trips


@pytest.fixture
def billed(world):
    """Two completed, billed legs (two claims) of the demo provider, with its billing profile set."""
    keys = [world.make_leg(0), world.make_leg(1)]
    fast_complete(world, keys)
    admin = world.actor("provider")
    with world.uow() as uow:
        claims.set_billing_profile(uow, admin, None, **BILLING_PROFILE)
    with world.uow() as uow:
        result = claims.build_claims_for_provider(uow, admin, None, (DAY, DAY), today=TODAY)
    world.keys = keys
    world.claim_numbers = [c["claim_number"] for c in result.claims]
    return world
