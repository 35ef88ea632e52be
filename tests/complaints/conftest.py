"""Fixtures of the complaint tests: the demo world with two booked Colorado rides, each leg given to a transportation
provider (Mile High Mobility's and Peak Wheelchair Vans'), the second ride booked by the demo facility."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nemt import clock
from nemt.services import rides
from nemt.services.platform.auth import actor_of
from nemt.store.models import Organization, TransportProvider, Trip
from tests.rides.conftest import local, ride, world  # noqa: F401 - the booking tests' world fixture

MILE_HIGH, PEAK = "Mile High Mobility (demo)", "Peak Wheelchair Vans (demo)"
FACILITY = "Denver Example Medical Center (demo)"


def actor(uow, username: str):
    return actor_of(uow.users.by_username(username))


@pytest.fixture
def booked(world):  # noqa: F811 - the fixture above
    """Two rides of the member 'plain': the first driven by Mile High Mobility, the second by Peak Wheelchair Vans
    and booked by the demo facility. Returns the world with ``trips`` (keys) and ``confirmations``."""
    trips, confirmations = [], []
    with world.uow() as uow:
        agent = actor(uow, "agent")
        for days_ahead in (3, 4):
            body = ride(world.members["plain"], world.providers["Denver"],
                        appointment_at=local(days_ahead, 10).isoformat())
            result = rides.book_ride(uow, agent, rides.parse_input(rides.RideRequestIn, body), clock.now())
            trips.append(result.trip.key)
            confirmations.append(result.trip.confirmation)
    with world.uow() as uow:
        providers = dict(uow.session.execute(select(Organization.name, TransportProvider.id).join(
            TransportProvider, TransportProvider.organization_id == Organization.id)).all())
        facility = uow.session.scalar(select(Organization.id).where(Organization.name == FACILITY))
        for key, provider in zip(trips, (MILE_HIGH, PEAK), strict=True):
            trip = uow.session.scalar(select(Trip).where(Trip.key == key))
            for leg in trip.legs:
                leg.provider_id = providers[provider]
            if provider == PEAK:
                trip.booked_by_org_id = facility
        uow.commit()
    world.trips, world.confirmations, world.provider_ids = trips, confirmations, providers
    return world
