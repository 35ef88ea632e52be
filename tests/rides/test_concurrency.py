"""The same booking sent twice at the same moment makes one trip; both callers get the same confirmation."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from nemt import clock
from nemt.services import rides
from nemt.services.platform.auth import actor_of
from nemt.store.models import Leg, Trip
from nemt.store.repositories import RideRepository
from tests.rides.conftest import local


def _actor(uow_factory, username):
    with uow_factory() as uow:
        return actor_of(uow.users.by_username(username))


def _request(world, days=7, **extra):
    return rides.RideRequestIn(member=world.members["plain"], requested_mode="mobility-ambulatory",
                                 destination={"provider": world.providers["Denver"], "service": "primary-care"},
                                 appointment_at=local(days, 10), round_trip=True,
                                 return_pickup_at=local(days, 12), **extra)


def test_two_agents_booking_at_once_make_one_trip(world):
    agents = [_actor(world.uow, "agent"), _actor(world.uow, "dispatcher")]
    now = clock.now()
    for round_ in range(3):  # several rounds: each a fresh race on a new appointment
        request = _request(world, days=7 + round_)
        barrier = threading.Barrier(2)
        results, errors = [], []

        def book(actor, barrier=barrier, request=request, results=results, errors=errors):
            try:
                barrier.wait(timeout=10)
                with world.uow() as uow:  # each caller its own session and connection
                    r = rides.book_ride(uow, actor, request, now)
                    results.append((r.created, r.trip.confirmation, r.trip.key))
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=book, args=(a,)) for a in agents]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not errors, errors
        assert sorted(created for created, _, _ in results) == [False, True]
        assert len({(c, k) for _, c, k in results}) == 1  # the same confirmation and trip for both callers
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count(Trip.id))) == 3
        assert uow.session.scalar(select(func.count(Leg.id))) == 6


def test_the_loser_of_a_race_answers_with_the_winners_trip(world, monkeypatch):
    """Force the race: the second booking does not see the first before writing, hits the unique idempotency key,
    rolls back everything it wrote (trip, legs, audit; on SQLite its confirmation number too) and returns the first
    trip."""
    agent = _actor(world.uow, "agent")
    now = clock.now()
    with world.uow() as uow:
        first = rides.book_ride(uow, agent, _request(world), now)
    real = RideRepository.trip_booked_as
    calls = {"n": 0}

    def blind_once(repository, key, content):  # neither under its key nor as the same ride under its content key
        calls["n"] += 1
        return None if calls["n"] == 1 else real(repository, key, content)

    monkeypatch.setattr(RideRepository, "trip_booked_as", blind_once)
    with world.uow() as uow:
        second = rides.book_ride(uow, agent, _request(world), now)
    assert calls["n"] == 2  # the unique index caught it, then the winner was read
    assert second.created is False and second.trip.confirmation == first.trip.confirmation
    with world.uow() as uow:
        assert uow.session.scalar(select(func.count(Trip.id))) == 1
        assert uow.session.scalar(select(func.count(Leg.id))) == 2
    # The next booking takes a new confirmation number: on SQLite the next one (the loser's counter update was rolled
    # back with it); on PostgreSQL the sequence never hands a number out twice, so the loser's is skipped (migration
    # 0024_load_indexes: gaps allowed, repeats never).
    monkeypatch.setattr(RideRepository, "trip_booked_as", real)
    with world.uow() as uow:
        third = rides.book_ride(uow, agent, _request(world, days=9), now)
        sequence = uow.session.get_bind().dialect.name == "postgresql"
    gap = int(third.trip.confirmation[3:]) - int(first.trip.confirmation[3:])
    assert gap == 2 if sequence else gap == 1
