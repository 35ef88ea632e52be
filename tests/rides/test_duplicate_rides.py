"""One trip per member, appointment and destination: a second booking of the same ride — each agent with its own
``Idempotency-Key``, or one with a key and one without — answers with the ride booked first (``created=False``,
HTTP 200), as an idempotent replay does; the database's unique index on the trip's content key decides races."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from nemt import clock
from nemt.services import rides
from nemt.services.platform.errors import Conflict
from nemt.store.models import Trip
from tests.conftest import actor_for
from tests.rides.conftest import local, ride

THREADS = 20


def _request(world, days=7, hour=10, provider="Denver"):
    return rides.RideRequestIn(member=world.members["plain"], requested_mode="mobility-ambulatory",
                                 destination={"provider": world.providers[provider], "service": "primary-care"},
                                 appointment_at=local(days, hour))


def _trips(world) -> int:
    with world.uow() as uow:
        return uow.session.scalar(select(func.count(Trip.id)))


def _race(world, keys: list[str | None]) -> tuple[list, list]:
    agent = actor_for(world.uow, "agent")
    now = clock.now()
    barrier = threading.Barrier(len(keys))
    results, errors = [], []

    def book(key):
        try:
            barrier.wait(timeout=20)
            with world.uow() as uow:
                r = rides.book_ride(uow, agent, _request(world), now, idempotency_key=key)
                results.append((r.created, r.trip.key))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=book, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def _postgres_only(world):
    with world.uow() as uow:
        if uow.dialect != "postgresql":
            pytest.skip("a race of many writers: PostgreSQL (SQLite serializes writers; sequential test below)")


def test_agents_each_with_their_own_key_make_one_trip(world):
    _postgres_only(world)
    results, errors = _race(world, [f"agent-call-{n}" for n in range(THREADS)])
    assert not errors, errors
    assert sorted(created for created, _ in results) == [False] * (THREADS - 1) + [True]
    assert len({key for _, key in results}) == 1
    assert _trips(world) == 1


def test_agents_with_and_without_a_key_make_one_trip(world):
    _postgres_only(world)
    results, errors = _race(world, [f"call-{n}" if n % 2 else None for n in range(THREADS)])
    assert not errors, errors
    assert len({key for _, key in results}) == 1 and len(results) == THREADS
    assert _trips(world) == 1


def test_a_second_key_for_the_same_ride_answers_with_the_first(world):
    agent = actor_for(world.uow, "agent")
    now = clock.now()
    with world.uow() as uow:
        first = rides.book_ride(uow, agent, _request(world), now, idempotency_key="call-1")
    with world.uow() as uow:
        second = rides.book_ride(uow, agent, _request(world), now, idempotency_key="call-2")
    with world.uow() as uow:
        third = rides.book_ride(uow, agent, _request(world), now)
    assert first.created and not second.created and not third.created
    assert first.trip.key == second.trip.key == third.trip.key
    # Legitimately different rides stay new rides: another time, another destination.
    with world.uow() as uow:
        later = rides.book_ride(uow, agent, _request(world, hour=14), now, idempotency_key="call-3")
    with world.uow() as uow:
        elsewhere = rides.book_ride(uow, agent, _request(world, provider="Colorado Springs"), now,
                                    idempotency_key="call-4")
    assert later.created and elsewhere.created
    assert _trips(world) == 3


def test_a_cancelled_ride_may_be_booked_again_under_a_new_key(world):
    agent = actor_for(world.uow, "agent")
    now = clock.now()
    with world.uow() as uow:
        first = rides.book_ride(uow, agent, _request(world), now, idempotency_key="call-1")
    with world.uow() as uow:
        rides.cancel_ride(uow, agent, first.trip.key, now)
    with world.uow() as uow:
        again = rides.book_ride(uow, agent, _request(world), now, idempotency_key="call-2")
    assert again.created and again.trip.key != first.trip.key


def test_changing_a_ride_onto_another_booked_ride_is_refused(world):
    agent = actor_for(world.uow, "agent")
    now = clock.now()
    with world.uow() as uow:
        rides.book_ride(uow, agent, _request(world), now, idempotency_key="call-1")
    with world.uow() as uow:
        other = rides.book_ride(uow, agent, _request(world, hour=14), now, idempotency_key="call-2")
    with world.uow() as uow, pytest.raises(Conflict) as caught:
        rides.change_ride(uow, agent, other.trip.key, rides.RideChange(appointment_at=local(7, 10)), now)
    assert caught.value.rule == "one trip per member, appointment and destination"


def test_api_second_key_for_the_same_ride_is_a_replay(client, token_for, world):
    body = ride(world.members["plain"], world.providers["Denver"])
    first = client.post("/api/v1/rides", json=body, headers={**token_for("agent"), "Idempotency-Key": "a-1"})
    second = client.post("/api/v1/rides", json=body, headers={**token_for("agent"), "Idempotency-Key": "a-2"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["key"] == first.json()["key"] and second.json()["created"] is False
