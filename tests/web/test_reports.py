"""The report queries (services.reports) on a small scripted day, and the SVG charts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from nemt import clock
from nemt.policy import load_policy
from nemt.services import dispatch, reports, rides, trips
from nemt.services.platform import auth
from nemt.services.platform.errors import Forbidden, InvalidInput
from nemt.store.models import Leg, MedicalProvider, Member, Vehicle
from nemt.web import charts

ZONE = load_policy("CO").time_zone
WINDOW = load_policy("CO").get("operations.pickup_window_minutes")


def _actor(uow_factory, username):
    with uow_factory() as uow:
        return auth.actor_of(uow.users.by_username(username))


def _ride(uow_factory, medicaid_id: str, mode: str, hours: float = 3,
          direction: str = "to-appointment") -> tuple[str, dt.date]:
    """Book a one-way ride for ``hours`` from now and put it on the first vehicle; returns (leg key, day)."""
    now = clock.now()
    with uow_factory() as uow:
        member = uow.session.scalar(select(Member).where(Member.medicaid_id == medicaid_id))
        mp = uow.session.scalar(select(MedicalProvider).where(MedicalProvider.name.like("Denver Example%")))
        request = rides.parse_input(rides.RideRequestIn, {
            "member": member.key, "destination": {"provider": mp.key, "service": "primary-care"},
            "requested_mode": mode, "appointment_at": (now + dt.timedelta(hours=hours)).isoformat(),
            "direction": direction})
        result = rides.book_ride(uow, _actor(uow_factory, "agent"), request, now)
        leg = result.trip.legs[0]
        key, day, outcome = leg.key, leg.service_date, result.trip.outcome
    if outcome == "approved":
        with uow_factory() as uow:
            vehicle = uow.session.scalar(select(Vehicle).order_by(Vehicle.id))
            dispatch.assign_leg(uow, _actor(uow_factory, "dispatcher"), key, vehicle.key)
    return key, day


def _run(uow_factory, username, name, day):
    with uow_factory() as uow:
        return reports.run(uow, _actor(uow_factory, username), name, day, day)


def _counts(uow_factory, day):
    """The day's counts before the test books (the demo seeds a week of rides)."""
    by_day = _run(uow_factory, "auditor", "trips-by-day", day).rows[0]
    no_shows = {r[0]: r for r in _run(uow_factory, "auditor", "no-shows", day).rows}.get(day, (day, 0, 0, 0))
    return (by_day, no_shows, dict(_run(uow_factory, "auditor", "trips-by-mode", day).rows),
            dict(_run(uow_factory, "auditor", "trips-by-county", day).rows))


def test_on_time_ride_time_no_shows_and_counts(demo, monkeypatch):
    day0 = (clock.now().astimezone(ZONE) + dt.timedelta(hours=3)).date()
    by_day0, no_shows0, modes0, counties0 = _counts(demo, day0)
    # Home from the appointment: the promise is the planned pick-up, else the requested one.
    key, day = _ride(demo, "D100044", "taxi", direction="from-appointment")
    with demo() as uow:
        leg = uow.session.scalar(select(Leg).where(Leg.key == key))
        promised = trips.utc(leg.planned_pickup or leg.pickup_earliest)
    driver = _actor(demo, "driver")
    ahead = promised + dt.timedelta(hours=1) - clock.now()  # logged after the ride: event times are not in the future
    monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + ahead)
    with demo() as uow:
        trips.record_event(uow, driver, key, "arrived", {}, at=promised)
        trips.record_event(uow, driver, key, "picked-up", {"identity_verified": True},
                              at=promised + dt.timedelta(minutes=WINDOW - 5))
        trips.record_event(uow, driver, key, "dropped-off", {"loaded_miles": 9, "trip_confirmed_by": "member"},
                              at=promised + dt.timedelta(minutes=WINDOW + 25))
    monkeypatch.undo()
    on_time = _run(demo, "auditor", "on-time", day)
    assert on_time.rows[0][1:] == (1, 1, 0, 0, 100.0)  # the demo's seeded rides have no trip logs
    ride = _run(demo, "auditor", "ride-time", day)
    assert ride.rows[0] == ("taxi", 1, 30.0)

    # A correction moves the pick-up past the window: the leg becomes late (the log is folded, not the raw events).
    monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + ahead)
    with demo() as uow:
        view = trips.leg_log(uow, _actor(demo, "provider"), key)
        picked = next(e for e in view.events if e["kind"] == "picked-up")
        trips.record_event(uow, driver, key, "correction", {
            "supersedes": picked["id"], "reason": "clock was wrong",
            "fields": {"at": (promised + dt.timedelta(minutes=WINDOW + 10)).isoformat()}})
    monkeypatch.undo()
    on_time = _run(demo, "auditor", "on-time", day)
    assert on_time.rows[0][1:] == (1, 0, 0, 1, 0.0)
    assert _run(demo, "auditor", "ride-time", day).rows[0] == ("taxi", 1, 15.0)

    # A no-show on a second ride, and a pending request (no certification) that is then cancelled.
    key2, _ = _ride(demo, "D100018", "taxi")
    with demo() as uow:
        trips.record_event(uow, driver, key2, "arrived", {})
        trips.record_event(uow, driver, key2, "no-show", {"wait_minutes": 10, "reason": "no answer"})
    _ride(demo, "D100001", "taxi")
    assert day == day0
    by_day, no_shows, modes, counties = _counts(demo, day)
    assert (no_shows[1] - no_shows0[1], no_shows[2] - no_shows0[2]) == (3, 1)
    assert tuple(a - b for a, b in zip(by_day[1:4], by_day0[1:4], strict=True)) == (3, 2, 1)
    assert modes["taxi"] - modes0.get("taxi", 0) == 3
    assert {c: counties[c] - counties0.get(c, 0) for c in counties if counties[c] != counties0.get(c, 0)} == \
        {"Jefferson": 2, "Denver": 1}


def test_reports_are_scoped_and_checked(demo):
    _, day = _ride(demo, "D100044", "taxi")
    # The Connecticut auditor does not see Colorado's trips.
    assert all(r[1] == 0 for r in _run(demo, "ct-auditor", "trips-by-day", day).rows)
    with pytest.raises(Forbidden):
        _run(demo, "driver", "trips-by-day", day)
    with pytest.raises(Forbidden):
        _run(demo, "agent", "cost", day)
    with demo() as uow, pytest.raises(InvalidInput):
        reports.run(uow, _actor(demo, "auditor"), "trips-by-day", day, day - dt.timedelta(days=1))
    # Every report exports a CSV whose header is its columns; reading one is in the audit trail.
    for name in reports.REPORTS:
        report = _run(demo, "auditor", name, day)
        rows = list(csv.reader(io.StringIO(report.csv())))
        assert tuple(rows[0]) == report.columns
        assert len(rows) == len(report.rows) + 1
    with demo() as uow:
        assert any(e.entity == "report" for e in uow.audit.recent(50))


def test_credentials_report_buckets(demo):
    today = clock.today(ZONE)  # the demo sets credential expiries relative to the day it is seeded
    with demo() as uow:
        report = reports.run(uow, _actor(demo, "auditor"), "credentials", today, today, today=today)
    assert report.rows and {r[0] for r in report.rows} == {"30", "60", "90"}
    assert all(0 <= r[5] <= 90 for r in report.rows)
    buckets = dict(report.chart_items())
    assert sum(buckets.values()) == len(report.rows)


# --- charts ------------------------------------------------------------------------------------------------------


def test_bar_chart_is_labelled_and_escaped():
    svg = str(charts.bar_chart([("<script>x</script>", 3), ("b", 1)], "Trips & modes"))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "Trips &amp; modes" in svg
    assert svg.count("<rect") == 2
    assert "No data" in str(charts.bar_chart([], "Empty"))


def test_column_timeline_and_map():
    cols = str(charts.column_chart([(f"2026-11-{d:02d}", d % 3) for d in range(1, 31)], "Per day"))
    assert cols.count("<rect") == 30
    line = str(charts.timeline([("MI-01 sedan", [charts.Segment(360, 400, "CO-000001/1 06:00", "late")])],
                               "Runs", now_minute=380))
    assert "#a40000" in line and "CO-000001/1" in line and "now" in line
    points = [charts.MapPoint(39.7, -104.9, "CO-1/1 pick-up", "pickup"),
              charts.MapPoint(39.6, -105.1, "CO-1/1 drop-off", "dropoff")]
    svg = str(charts.scatter_map(points, "Stops"))
    assert "<circle" in svg and "CO-1/1" in svg and "2 stops" in svg


# --- the report builders on a fake unit of work ----------------------------------------------------------------------


class _FakeReports:
    """``uow.reports`` with fixed rows: what the builders ask the store for."""

    def __init__(self, legs, events):
        self._legs, self._events = legs, events

    def legs(self, actor, start, end):
        return self._legs

    def log_events(self, leg_ids):
        return {leg_id: self._events.get(leg_id, []) for leg_id in leg_ids}

    def trips(self, actor, start, end):
        return [(trip, "Denver") for _leg, trip in self._legs]


class _FakeUow:
    def __init__(self, reports_repository):
        self.reports = reports_repository


def test_on_time_and_no_shows_from_folded_logs():
    """The on-time rule is the domain's (``punctuality.verdict``, as the by-provider report's): within the window
    after the planned pick-up; a leg with no pick-up time is on time when it arrives by the appointment."""
    from nemt.domain.actors import Actor
    from nemt.store.models import Leg, Trip, TripLogEvent

    day = dt.date(2026, 11, 20)
    at = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)
    window = dt.timedelta(minutes=WINDOW)
    trip = Trip(id=1, service_date=day, status="active", outcome="approved", mode="taxi")
    legs = [(Leg(id=1, trip_id=1, service_date=day, planned_pickup=at), trip),
            (Leg(id=2, trip_id=1, service_date=day, planned_pickup=at), trip),
            (Leg(id=3, trip_id=1, service_date=day, dropoff_latest=at), trip),
            (Leg(id=4, trip_id=1, service_date=day, planned_pickup=at), trip)]
    events = {1: [TripLogEvent(id=1, leg_id=1, kind="picked-up", at=at + window, data={})],
              2: [TripLogEvent(id=2, leg_id=2, kind="picked-up", at=at + window + dt.timedelta(minutes=1), data={})],
              3: [TripLogEvent(id=3, leg_id=3, kind="dropped-off", at=at.replace(tzinfo=None), data={})],
              4: [TripLogEvent(id=4, leg_id=4, kind="no-show", at=at, data={})]}
    uow, actor, policy = _FakeUow(_FakeReports(legs, events)), Actor.system("test"), load_policy("CO")
    report = reports.on_time(uow, actor, day, day, policy)
    assert report.rows == [(day, 3, 2, 0, 1, 66.7), ("all days", 3, 2, 0, 1, 66.7)]
    assert reports.no_shows(uow, actor, day, day, policy).rows == [(day, 4, 1, 0)]
