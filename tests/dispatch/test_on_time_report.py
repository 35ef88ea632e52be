"""On-time performance by provider and day (SQLite and PostgreSQL), from the trip log, by the one rule the board uses
(``nemt.domain.punctuality``): within the window either side of the promised pick-up, and by the appointment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nemt.domain.punctuality import LegTimes, expected_lateness, minutes_past, verdict
from nemt.policy import load_policy
from nemt.services import reports
from nemt.services.platform.auth import actor_of
from nemt.store.claim_models import TripLogEvent
from nemt.store.models import Leg, TransportProvider

from .conftest import DAY
from .test_live_day import _at, _local, _schedule

WINDOW = dt.timedelta(minutes=int(load_policy("CO").get("operations.pickup_window_minutes")))
T0 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def test_the_rule_grades_early_on_time_and_late_and_says_the_minutes():
    def grade(picked: int, dropped: int | None = None, appointment: int | None = None) -> str | None:
        return verdict(LegTimes(planned_pickup=T0, picked_up_at=T0 + dt.timedelta(minutes=picked),
                                dropoff_latest=None if appointment is None else T0 + dt.timedelta(minutes=appointment),
                                dropped_off_at=None if dropped is None else T0 + dt.timedelta(minutes=dropped)), WINDOW)

    graded = [grade(-16), grade(-15), grade(0), grade(15), grade(16)]
    assert graded == ["early", "on time", "on time", "on time", "late"]
    assert grade(0, dropped=41, appointment=40) == "late" and grade(0, dropped=40, appointment=40) == "on time"
    assert verdict(LegTimes(planned_pickup=T0), WINDOW) is None
    assert minutes_past(T0, T0 + dt.timedelta(seconds=30)) == 1 and minutes_past(T0, T0) == 0
    words = expected_lateness(LegTimes(planned_pickup=T0, dropoff_latest=T0 + dt.timedelta(minutes=30)), WINDOW,
                              eta_pickup=T0 + dt.timedelta(minutes=40), eta_dropoff=T0 + dt.timedelta(minutes=62),
                              hhmm=lambda t: t.strftime("%H:%M"))
    assert words == ["will miss its pick-up window by 25 min (ETA 09:40)",
                     "will arrive 32 min after the appointment (ETA 10:02)"]


def test_on_time_by_provider_and_day_from_the_trip_log(day_with_trips):
    _schedule(day_with_trips, _at(5))
    offsets = [0, 20, -20, 10]  # on time, late, early, on time
    with day_with_trips() as uow:
        legs = list(uow.session.scalars(select(Leg).where(Leg.planned_pickup.is_not(None), Leg.sequence == 1)
                                        .order_by(Leg.planned_pickup)))[:len(offsets)]
        expected: dict[str, list[int]] = {}
        for leg, offset in zip(legs, offsets, strict=True):
            at = _local(leg.planned_pickup) + dt.timedelta(minutes=offset)
            uow.session.add(TripLogEvent(leg_id=leg.id, kind="picked-up", at=at, data={}))
            name = uow.session.get(TransportProvider, leg.provider_id).organization.name
            counts = expected.setdefault(name, [0, 0, 0])
            counts[{0: 0, 10: 0, -20: 1, 20: 2}[offset]] += 1
        uow.commit()
        auditor = actor_of(uow.users.by_username("auditor"))
        report = reports.run(uow, auditor, "on-time-by-provider", DAY, DAY)
    by_day = {row[1]: row for row in report.rows if row[0] == DAY}
    assert set(by_day) == set(expected)
    for name, (good, early, late) in expected.items():
        measured = good + early + late
        assert by_day[name][2:6] == (measured, good, early, late)
        assert by_day[name][6] == round(100.0 * good / measured, 1)
    assert {row[1] for row in report.rows if row[0] == "all days"} == set(expected)
    assert "provider" in report.csv().splitlines()[0]
