"""Dispatch: a demo day scheduled into verified vehicle runs, credentials respected, manifests, reassignment."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from nemt.domain.actors import Actor
from nemt.services import dispatch
from nemt.services.platform.auth import actor_of
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.store.models import Leg, MedicalProvider, Member, Trip, Vehicle

from .conftest import DAY, _dispatcher, _trip, race_assignments


def test_schedule_day_assigns_every_leg_with_a_verified_plan(day_with_trips):
    with day_with_trips() as uow:
        result = dispatch.schedule_day(uow, _dispatcher(uow), "CO", DAY, time_limit=2)
    assert result.verified and result.unassigned == [] and result.assigned == 16
    with day_with_trips() as uow:
        legs = list(uow.session.scalars(select(Leg)))
        assert all(leg.status == "assigned" and leg.vehicle_id and leg.driver_id for leg in legs)
        for leg in legs:
            vehicle = uow.session.get(Vehicle, leg.vehicle_id)
            if leg.trip.mode == "wheelchair-van":
                assert vehicle.wheelchair_positions >= 1  # a wheelchair user only where a position is free
            if leg.dropoff_latest:
                assert leg.planned_dropoff <= leg.dropoff_latest  # arrives by the appointment
            assert leg.planned_pickup < leg.planned_dropoff
            # The vehicle with the lapsed inspection (demo) is never used.
            assert vehicle.credentials and all(c.expires_on is None or c.expires_on >= DAY
                                               for c in vehicle.credentials)


def test_manifest_lists_ordered_stops(day_with_trips):
    with day_with_trips() as uow:
        dispatch.schedule_day(uow, _dispatcher(uow), "CO", DAY, time_limit=2)
    with day_with_trips() as uow:
        leg = uow.session.scalar(select(Leg).where(Leg.vehicle_id.is_not(None)))
        vehicle = uow.session.get(Vehicle, leg.vehicle_id)
        m = dispatch.manifest(uow, _dispatcher(uow), vehicle.key, DAY)
    assert m.stops and [s.at for s in m.stops] == sorted(s.at for s in m.stops)
    kinds = {}
    for s in m.stops:
        kinds.setdefault(s.leg_key, []).append(s.kind)
    assert all(k == ["pickup", "dropoff"] for k in kinds.values())
    assert m.time_zone == "America/Denver"
    assert m.as_dict()["stops"][0]["at"].endswith("-07:00")


def test_reassignment_respects_credentials(day_with_trips):
    with day_with_trips() as uow:
        dispatch.schedule_day(uow, _dispatcher(uow), "CO", DAY, time_limit=2)
    with day_with_trips() as uow:
        wc_leg = uow.session.scalar(select(Leg).join(Trip).where(Trip.mode == "wheelchair-van"))
        if wc_leg is None:
            pytest.skip("the demo slice has no wheelchair user")
        sedan = uow.session.scalar(select(Vehicle).where(Vehicle.vehicle_type == "sedan"))
        with pytest.raises(InvalidInput) as err:
            dispatch.assign_leg(uow, _dispatcher(uow), wc_leg.key, sedan.key)
        assert err.value.field == "vehicle.vehicle type"


def test_lapsed_inspection_blocks_manual_assignment(day_with_trips):
    from nemt.store.models import CredentialRecord

    with day_with_trips() as uow:
        lapsed = uow.session.scalar(select(CredentialRecord).where(CredentialRecord.kind == "inspection",
                                                                   CredentialRecord.expires_on < DAY))
        vehicle = uow.session.get(Vehicle, lapsed.owner_id)
        leg = uow.session.scalar(select(Leg).join(Trip).where(Trip.mode == "mobility-ambulatory"))
        with pytest.raises(InvalidInput) as err:
            dispatch.assign_leg(uow, _dispatcher(uow), leg.key, vehicle.key)
        assert err.value.field == "vehicle.inspection" and "expired" in err.value.message
        assert err.value.rule.endswith("Eligible Providers")


def test_stale_run_version_is_a_conflict(day_with_trips):
    with day_with_trips() as uow:
        dispatch.schedule_day(uow, _dispatcher(uow), "CO", DAY, time_limit=2)
    with day_with_trips() as uow:
        leg = uow.session.scalar(select(Leg).join(Trip).where(Trip.mode == "mobility-ambulatory",
                                                              Leg.vehicle_id.is_not(None)))
        with pytest.raises(Conflict):
            dispatch.assign_leg(uow, _dispatcher(uow), leg.key, uow.session.get(Vehicle, leg.vehicle_id).key,
                                expected_version=-1)


def test_only_dispatchers_schedule(day_with_trips):
    from nemt.services.platform.errors import Forbidden

    with day_with_trips() as uow:
        with pytest.raises(Forbidden):
            dispatch.schedule_day(uow, actor_of(uow.users.by_username("agent")), "CO", DAY)
        with pytest.raises(Forbidden):
            dispatch.schedule_day(uow, Actor(1, "x", "driver", None, None, "CO"), "CO", DAY)


def test_dispatch_api_and_manifest_pdf(day_with_trips, db):
    import io

    from fastapi.testclient import TestClient
    from pypdf import PdfReader

    from nemt.http.app import create_app
    from nemt.services.demo import DEMO_LOGINS

    pw = {d.username: d.password for d in DEMO_LOGINS}
    with TestClient(create_app(db, secret_key="t")) as client:
        def headers(user):
            token = client.post("/api/v1/auth/token", json={"username": user, "password": pw[user]}).json()["token"]
            return {"Authorization": f"Bearer {token}"}

        r = client.post("/api/v1/dispatch/schedule", json={"program": "CO", "date": DAY.isoformat(), "time_limit": 2},
                        headers=headers("dispatcher"))
        assert r.status_code == 200 and r.json()["assigned"] == 16
        assert client.post("/api/v1/dispatch/schedule", json={"date": DAY.isoformat()},
                           headers=headers("agent")).status_code == 403
        with day_with_trips() as uow:
            leg = uow.session.scalar(select(Leg).where(Leg.vehicle_id.is_not(None)))
            vehicle_key = uow.session.get(Vehicle, leg.vehicle_id).key
        m = client.get(f"/api/v1/vehicles/{vehicle_key}/manifest", params={"date": DAY.isoformat()},
                       headers=headers("dispatcher"))
        assert m.status_code == 200 and m.json()["stops"]
        pdf = client.get(f"/api/v1/vehicles/{vehicle_key}/manifest.pdf", params={"date": DAY.isoformat()},
                         headers=headers("dispatcher"))
        assert pdf.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Manifest" in text and m.json()["stops"][0]["member_name"] in text


def test_reassignment_refuses_a_full_vehicle(day_with_trips):
    """A leg whose time the vehicle cannot make (already busy) is refused, not double-booked."""
    with day_with_trips() as uow:
        dispatch.schedule_day(uow, _dispatcher(uow), "CO", DAY, time_limit=2)
    with day_with_trips() as uow:
        legs = list(uow.session.scalars(select(Leg).join(Trip).where(Trip.mode == "mobility-ambulatory")
                                        .order_by(Leg.id)))
        # A sedan with 4 seats; put legs on it until it is refused or all fit — the run must stay consistent.
        sedan = uow.session.scalar(select(Vehicle).where(Vehicle.vehicle_type == "mobility-ambulatory",
                                                         Vehicle.base_zip.is_not(None)).order_by(Vehicle.id))
        refused = 0
        for leg in legs:
            try:
                dispatch.assign_leg(uow, _dispatcher(uow), leg.key, sedan.key)
            except InvalidInput as err:
                assert err.value if False else err.field in ("vehicle", "vehicle.permit", "vehicle.inspection")
                refused += 1
    with day_with_trips() as uow:
        _assert_runs_consistent(uow)


def _assert_runs_consistent(uow):
    """Every leg on a vehicle is in that vehicle's run plan and nowhere else, and the plan is checker-verified."""
    from nemt.store.models import VehicleRun

    for run in uow.session.scalars(select(VehicleRun)):
        planned = {s["leg"] for s in run.plan.get("stops", [])}
        on_vehicle = {leg.key for leg in uow.session.scalars(select(Leg).where(Leg.vehicle_id == run.vehicle_id,
                                                                               Leg.service_date == run.service_date))}
        assert planned == on_vehicle


def test_two_dispatchers_at_once_never_double_book(day_with_trips, db):
    """Two dispatchers put different legs on the same vehicle at the same moment (separate sessions, threads):
    each write either lands on the current plan or gets a conflict; the run never loses a leg."""
    from nemt.store.uow import uow_factory

    with day_with_trips() as uow:
        dispatch.schedule_day(uow, _dispatcher(uow), "CO", DAY, time_limit=2)
        legs = list(uow.session.scalars(select(Leg).join(Trip).where(Trip.mode == "mobility-ambulatory")
                                        .order_by(Leg.id)))
        target = uow.session.scalar(select(Vehicle).where(Vehicle.vehicle_type == "wheelchair-van")
                                    .order_by(Vehicle.id))
        keys = [legs[0].key, legs[-1].key]
        vehicle_key = target.key
    make = uow_factory(db)
    # SQLite may say "database is locked": also a refused write, nothing half-done.
    outcomes = race_assignments(make, keys, vehicle_key)
    assert len(outcomes) == 2
    with make() as uow:
        _assert_runs_consistent(uow)


def test_insertion_benchmark_runs_and_verifies_every_plan():
    """The benchmark's machinery on a small day (its figures are measured by `nemt bench insertion`, not here)."""
    from benchmarks.insertion import run

    figures = run(trips=60, urgent=5, plan_seconds=0.5, baseline_runs=1, baseline_seconds=0.3, seed=3)
    assert figures.insertions == 5 and figures.inserted >= 1
    assert figures.verified == figures.inserted
    assert figures.baseline_runs == 1 and figures.max_ms >= figures.p50_ms


def test_urgent_leg_is_inserted_into_the_live_runs(day_with_trips):
    with day_with_trips() as uow:
        dispatch.schedule_day(uow, _dispatcher(uow), "CO", DAY, time_limit=2)
        before = {leg.key: leg.vehicle_id for leg in uow.session.scalars(select(Leg))}
        member = uow.session.scalar(select(Member).where(Member.county == "Denver").order_by(Member.id.desc()))
        dest = uow.session.scalar(select(MedicalProvider).where(MedicalProvider.zip == "80204"))
        trip = _trip(uow, member, dest, 13, 0, "mobility-ambulatory", 99, round_trip=False)
        uow.commit()
        urgent_key = trip.legs[0].key
    with day_with_trips() as uow:
        leg = dispatch.insert_urgent(uow, _dispatcher(uow), urgent_key)
        assert leg.status == "assigned" and leg.vehicle_id and leg.planned_dropoff <= leg.dropoff_latest
    with day_with_trips() as uow:
        after = {leg.key: leg.vehicle_id for leg in uow.session.scalars(select(Leg))}
        assert all(after[k] == v for k, v in before.items())  # nobody else changed vehicle
        _assert_runs_consistent(uow)
        with pytest.raises(InvalidInput):  # already assigned now
            dispatch.insert_urgent(uow, _dispatcher(uow), urgent_key)
