"""The Standard Trip Log: append-only events, corrections, completion rules, driver scoping."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from nemt.domain.actors import Actor
from nemt.services.platform.errors import Conflict, Forbidden, InvalidInput
from nemt.services.trips import (
    LogEvent,
    fold_log,
    leg_log,
    legs_for_actor,
    record_event,
)
from nemt.store.models import TripLogEvent
from tests.claims_db.conftest import at, complete


def test_fold_is_pure_and_corrections_supersede_fields():
    utc = dt.UTC
    events = [
        LogEvent(3, "dropped-off", dt.datetime(2026, 3, 2, 15, 40, tzinfo=utc),
                 {"loaded_miles": 12, "trip_confirmed_by": "member"}),
        LogEvent(1, "arrived", dt.datetime(2026, 3, 2, 15, 0, tzinfo=utc), {}),
        LogEvent(2, "picked-up", dt.datetime(2026, 3, 2, 15, 5, tzinfo=utc), {"identity_verified": True}),
        LogEvent(4, "correction", dt.datetime(2026, 3, 2, 16, 0, tzinfo=utc),
                 {"supersedes": 3, "fields": {"loaded_miles": 9}, "reason": "odometer"}),
        LogEvent(5, "correction", dt.datetime(2026, 3, 2, 16, 1, tzinfo=utc),
                 {"supersedes": 2, "fields": {"at": "2026-03-02T15:07:00+00:00"}}),
    ]
    log = fold_log(events)
    assert log.status == "completed"
    assert log.loaded_miles == 9
    assert log.picked_up_at == dt.datetime(2026, 3, 2, 15, 7, tzinfo=utc)
    assert log.corrections == 2 and log.events == 5
    assert fold_log(events[:3]).loaded_miles == 12  # the events themselves are unchanged
    assert fold_log(reversed(events)) == log  # order of the input does not matter, ids do


def test_driver_records_a_leg_and_status_follows(world):
    key = world.make_leg()
    complete(world, key, miles=14, pickup={"escorts": [{"name": "Pat Example", "role": "parent"}]})
    assert world.leg_status(key) == "completed"
    with world.uow() as uow:
        view = leg_log(uow, world.actor("driver"), key)
    assert view.log.status == "completed" and view.log.loaded_miles == 14
    assert [e["kind"] for e in view.events] == ["arrived", "picked-up", "dropped-off"]
    assert view.missing == ()


def test_no_show_and_cancelled_set_the_leg_status(world):
    a, b = world.make_leg(0), world.make_leg(1)
    driver = world.actor("driver")
    with world.uow() as uow:
        record_event(uow, driver, a, "arrived", {}, at(8))
    with world.uow() as uow:
        record_event(uow, driver, a, "no-show", {"wait_minutes": 10}, at(8, 15))
    with world.uow() as uow:
        record_event(uow, driver, b, "cancelled", {"wait_minutes": 5, "reason": "member cancelled at door"}, at(9))
    assert world.leg_status(a) == "no-show" and world.leg_status(b) == "cancelled"
    with world.uow() as uow, pytest.raises(Conflict) as exc:
        record_event(uow, driver, a, "picked-up", {"identity_verified": True}, at(8, 20))
    assert "correction" in exc.value.message


def test_events_are_append_only_in_the_database(world, db):
    key = world.make_leg()
    complete(world, key)
    for statement in (update(TripLogEvent).values(kind="arrived"), delete(TripLogEvent)):
        with pytest.raises(DatabaseError, match="append-only"), db.begin() as conn:
            conn.execute(statement)
    with world.uow() as uow:
        assert uow.session.scalar(select(text("count(*)")).select_from(TripLogEvent)) == 3


def test_correction_is_a_new_event(world):
    key = world.make_leg()
    complete(world, key, miles=30)
    driver = world.actor("driver")
    with world.uow() as uow:
        dropped = uow.session.scalar(select(TripLogEvent.id).where(TripLogEvent.kind == "dropped-off"))
    with world.uow() as uow:
        view = record_event(uow, driver, key, "correction",
                            {"supersedes": dropped, "fields": {"loaded_miles": 13}, "reason": "wrong odometer"})
    assert view.log.loaded_miles == 13 and view.log.corrections == 1
    with world.uow() as uow:
        rows = [(r.kind, r.data) for r in uow.session.scalars(select(TripLogEvent).order_by(TripLogEvent.id))]
    assert [kind for kind, _ in rows] == ["arrived", "picked-up", "dropped-off", "correction"]
    assert rows[2][1]["loaded_miles"] == 30  # the original is untouched


def test_correction_cannot_take_a_required_field_away(world):
    key = world.make_leg()
    complete(world, key, pickup={"escorts": [{"name": "Pat Example", "role": "parent"}]})
    with world.uow() as uow:
        picked = uow.session.scalar(select(TripLogEvent.id).where(TripLogEvent.kind == "picked-up"))
    with world.uow() as uow, pytest.raises(InvalidInput) as exc:
        record_event(uow, world.actor("driver"), key, "correction",
                     {"supersedes": picked, "fields": {"escorts": [{"name": "", "role": "parent"}]}})
    assert exc.value.field == "escorts[0].name"


CASES = [  # (what is left out, the field the error must name)
    ("pickup", "pickup_time"),
    ("identity_verified", "identity_verified"),
    ("identity_not_verified", "identity_verified"),
    ("loaded_miles", "loaded_miles"),
    ("trip_confirmed_by", "trip_confirmed_by"),
    ("passenger_name", "additional_passengers[0].name"),
]


def test_completing_without_a_required_field_names_it(world):
    driver = world.actor("driver")
    for member, (omit, field) in enumerate(CASES):
        key = world.make_leg(member)
        pickup = {"identity_verified": True, "additional_passengers": [
            {"name": "" if omit == "passenger_name" else "Kid Example", "age": 6, "relation": "member-child"}]}
        if omit == "identity_verified":
            del pickup["identity_verified"]
        if omit == "identity_not_verified":
            pickup["identity_verified"] = False
        if omit != "pickup":
            with world.uow() as uow:
                record_event(uow, driver, key, "picked-up", pickup, at(8, 5))
        dropoff = {"loaded_miles": 8, "trip_confirmed_by": "escort"}
        dropoff.pop(omit, None)
        with world.uow() as uow, pytest.raises(InvalidInput) as exc:
            record_event(uow, driver, key, "dropped-off", dropoff, at(8, 40))
        assert exc.value.field == field, omit
        assert field in exc.value.message and "Health First Colorado NEMT Billing Manual" in exc.value.rule
        assert world.leg_status(key) == "assigned"
    with world.uow() as uow:  # nothing was stored
        assert uow.session.scalar(select(text("count(*)")).select_from(TripLogEvent).where(
            TripLogEvent.kind == "dropped-off")) == 0


def test_completing_without_an_assigned_vehicle_driver_names_it(world):
    key = world.make_leg(driver="none")
    with pytest.raises(InvalidInput) as exc:
        complete(world, key, actor=Actor.system("test"))
    assert exc.value.field == "driver"


def test_bad_event_data_names_the_field(world):
    key = world.make_leg()
    with world.uow() as uow, pytest.raises(InvalidInput) as exc:
        record_event(uow, world.actor("driver"), key, "dropped-off", {"trip_confirmed_by": "neighbour"}, at(9))
    assert exc.value.field == "data.trip_confirmed_by"
    with world.uow() as uow, pytest.raises(InvalidInput) as exc:
        record_event(uow, world.actor("driver"), key, "picked-up", {"odometer": 5}, at(9))
    assert exc.value.field == "data.odometer"


def test_driver_scoping(world):
    mine, theirs = world.make_leg(0), world.make_leg(1, driver="other")
    driver = world.actor("driver")
    with world.uow() as uow, pytest.raises(Forbidden) as exc:
        record_event(uow, driver, theirs, "arrived", {}, at(8))
    assert exc.value.rule.startswith("a driver records")
    with world.uow() as uow, pytest.raises(Forbidden):
        leg_log(uow, driver, theirs)
    with world.uow() as uow:
        assert [v.leg_key for v in legs_for_actor(uow, driver)] == [mine]
    # Provider admins see the organization's logs but do not record them; auditors read.
    with world.uow() as uow:
        assert {v.leg_key for v in legs_for_actor(uow, world.actor("provider"))} == {mine, theirs}
    with world.uow() as uow, pytest.raises(Forbidden):
        record_event(uow, world.actor("provider"), mine, "arrived", {}, at(8))
    with world.uow() as uow:
        assert leg_log(uow, world.actor("auditor"), theirs).leg_key == theirs
    with world.uow() as uow, pytest.raises(Forbidden):
        leg_log(uow, world.actor("facility"), mine)
