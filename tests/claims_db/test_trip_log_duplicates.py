"""One event of each kind per leg (a correction may repeat), held by the database: a phone retrying on a bad
connection stores one event; the same event again answers with the stored one, a different one is a Conflict naming
the rule. And an event time must be a plausible instant (not year 0001, not next year)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from nemt import clock
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.services.trips import record_event
from nemt.store.models import TripLogEvent
from tests.claims_db.conftest import DAY, at

THREADS = 20
RULE = "one event of each kind per leg"


def _events(world, kind: str | None = None) -> int:
    with world.uow() as uow:
        query = select(func.count(TripLogEvent.id))
        if kind is not None:
            query = query.where(TripLogEvent.kind == kind)
        return uow.session.scalar(query)


def test_concurrent_arrivals_store_one_event(world):
    with world.uow() as uow:
        if uow.dialect != "postgresql":
            pytest.skip("a race of many writers: PostgreSQL (SQLite serializes writers; sequential tests below)")
    key = world.make_leg()
    driver = world.actor("driver")
    barrier = threading.Barrier(THREADS)
    answers, errors = [], []

    def post():
        try:
            barrier.wait(timeout=20)
            with world.uow() as uow:
                view = record_event(uow, driver, key, "arrived", {}, at(8))
                answers.append([e["id"] for e in view.events])
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert _events(world, "arrived") == 1
    assert not errors, errors
    assert len(answers) == THREADS and len({tuple(a) for a in answers}) == 1  # every caller sees the one event


def test_the_same_event_again_is_idempotent(world):
    key = world.make_leg()
    driver = world.actor("driver")
    with world.uow() as uow:
        first = record_event(uow, driver, key, "arrived", {}, at(8))
    with world.uow() as uow:
        again = record_event(uow, driver, key, "arrived", {}, at(8))
    assert [e["id"] for e in again.events] == [e["id"] for e in first.events]
    with world.uow() as uow:
        record_event(uow, driver, key, "picked-up", {"identity_verified": True}, at(8, 5))
    with world.uow() as uow:  # a retry without a time: the stored event
        record_event(uow, driver, key, "picked-up", {"identity_verified": True})
    with world.uow() as uow:
        record_event(uow, driver, key, "dropped-off", {"loaded_miles": 9, "trip_confirmed_by": "member"}, at(8, 40))
    with world.uow() as uow:  # the retry of the closing event answers too
        done = record_event(uow, driver, key, "dropped-off", {"loaded_miles": 9, "trip_confirmed_by": "member"},
                            at(8, 40))
    assert [e["kind"] for e in done.events] == ["arrived", "picked-up", "dropped-off"]
    assert _events(world) == 3


def test_a_different_event_of_the_same_kind_is_a_conflict(world):
    key = world.make_leg()
    driver = world.actor("driver")
    with world.uow() as uow:
        record_event(uow, driver, key, "arrived", {}, at(8))
    with world.uow() as uow, pytest.raises(Conflict) as caught:
        record_event(uow, driver, key, "arrived", {}, at(8, 3))
    assert caught.value.rule == RULE and caught.value.field == "kind"
    with world.uow() as uow:
        record_event(uow, driver, key, "picked-up", {"identity_verified": True}, at(8, 5))
    with world.uow() as uow, pytest.raises(Conflict) as caught:
        record_event(uow, driver, key, "picked-up", {"identity_verified": False}, at(8, 5))
    assert caught.value.rule == RULE
    assert _events(world) == 2


def test_corrections_may_repeat(world):
    key = world.make_leg()
    driver = world.actor("driver")
    with world.uow() as uow:
        view = record_event(uow, driver, key, "picked-up", {"identity_verified": False}, at(8, 5))
    target = view.events[0]["id"]
    for _ in range(2):
        with world.uow() as uow:
            record_event(uow, driver, key, "correction",
                         {"supersedes": target, "fields": {"identity_verified": True}, "reason": "checked"})
    assert _events(world, "correction") == 2


def test_the_database_refuses_a_second_event_of_a_kind(world):
    key = world.make_leg()
    with world.uow() as uow:
        record_event(uow, world.actor("driver"), key, "arrived", {}, at(8))
    with world.uow() as uow:
        leg_id = uow.session.scalar(select(TripLogEvent.leg_id))
        uow.session.add(TripLogEvent(leg_id=leg_id, kind="arrived", at=at(8, 1), data={}))
        with pytest.raises(IntegrityError):
            uow.session.flush()


@pytest.mark.parametrize("when", [
    dt.datetime(1, 1, 1, tzinfo=dt.UTC),  # year 0001
    dt.datetime.combine(DAY - dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC),  # days before the service date
    "future",
])
def test_implausible_event_times_are_refused(world, when):
    key = world.make_leg()
    if when == "future":
        when = clock.now() + dt.timedelta(hours=2)
    with world.uow() as uow, pytest.raises(InvalidInput) as caught:
        record_event(uow, world.actor("driver"), key, "arrived", {}, when)
    assert caught.value.field == "at"
    assert _events(world) == 0


def test_a_correction_to_an_implausible_time_is_refused(world):
    key = world.make_leg()
    driver = world.actor("driver")
    with world.uow() as uow:
        view = record_event(uow, driver, key, "arrived", {}, at(8))
    with world.uow() as uow, pytest.raises(InvalidInput) as caught:
        record_event(uow, driver, key, "correction", {"supersedes": view.events[0]["id"],
                                                      "fields": {"at": "0001-01-01T00:00:00+00:00"},
                                                      "reason": "typo"})
    assert caught.value.field == "data.fields.at"


def test_event_time_rule_is_pure_and_reads_the_policy():
    from nemt.domain.trip_log import TripLogError, check_event_time
    from nemt.policy import load_policy

    policy = load_policy("CO")
    now = dt.datetime(2026, 3, 2, 20, tzinfo=dt.UTC)
    ok = {"service_date": DAY, "now": now, "policy": policy}
    check_event_time(at(0, 0, DAY - dt.timedelta(days=1)), **ok)  # from the day before the date of service
    check_event_time(now + dt.timedelta(minutes=policy.get("trip_log.future_tolerance_minutes")), **ok)
    for bad in (at(23, 59, DAY - dt.timedelta(days=2)), now + dt.timedelta(minutes=30)):
        with pytest.raises(TripLogError) as caught:
            check_event_time(bad, **ok)
        assert caught.value.field == "at" and "Standard Forms Required" in caught.value.rule
