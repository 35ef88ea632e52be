"""The dispatch board built by the service, who may read which manifest, and the dispatch repository's visibility."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from nemt.domain.punctuality import LegTimes, plan_lateness
from nemt.policy import load_policy
from nemt.services import dispatch
from nemt.services.platform.auth import actor_of
from nemt.services.platform.errors import Forbidden, NotFound
from nemt.store.models import Driver, Leg, Vehicle, VehicleRun

from .conftest import DAY, DENVER, _dispatcher


def _scheduled(day_with_trips) -> None:
    with day_with_trips() as uow:
        dispatch.schedule_day(uow, _dispatcher(uow), "CO", DAY, time_limit=2)


def test_board_shows_the_days_legs_lanes_and_stops(day_with_trips):
    _scheduled(day_with_trips)
    noon = dt.datetime.combine(DAY, dt.time(12, 0), tzinfo=DENVER)
    with day_with_trips() as uow:
        board = dispatch.day_board(uow, _dispatcher(uow), "CO", DAY, now=noon)
        assert len(board.legs) == 16 and board.unassigned == [] and board.other_modes == []
        assert {v.id for v in board.used} == {leg.vehicle_id for leg in board.legs}
        assert board.now_minute == 12 * 60
        assert [lane.label.split(" ")[0] for lane in board.lanes] == [v.external_id for v in board.used]
        segments = [s for lane in board.lanes for s in lane.segments]
        assert len(segments) == 16 and all(s.end >= s.start + 10 for s in segments)
        first = board.legs[0]
        local = first.planned_pickup.astimezone(DENVER)
        label = f"{first.trip.confirmation}/{first.sequence} {local:%H:%M}"
        assert any(s.label == label and s.start == local.hour * 60 + local.minute for s in segments)
        assert {p.kind for p in board.stops} == {"pickup", "dropoff"} and len(board.stops) == 32
        assert set(board.drivers) == {leg.driver_id for leg in board.legs}
        # The day after, "now" is not on the timeline.
        assert dispatch.day_board(uow, _dispatcher(uow), "CO", DAY, now=noon + dt.timedelta(days=1)).now_minute is None


def test_board_lateness_is_the_punctuality_rule(day_with_trips):
    _scheduled(day_with_trips)
    evening = dt.datetime.combine(DAY, dt.time(22, 0), tzinfo=DENVER)
    with day_with_trips() as uow:
        leg = uow.session.scalar(select(Leg).where(Leg.dropoff_latest.is_not(None)).order_by(Leg.id))
        leg.planned_dropoff = leg.dropoff_latest + dt.timedelta(minutes=5)
        uow.flush()
        board = dispatch.day_board(uow, _dispatcher(uow), "CO", DAY, now=evening)
        late = dict((lg.key, why) for lg, why in board.late)
        window = dt.timedelta(minutes=int(load_policy("CO").get("operations.pickup_window_minutes")))
        for lg in board.legs:
            times = LegTimes(pickup_earliest=lg.pickup_earliest, dropoff_latest=lg.dropoff_latest,
                             planned_pickup=lg.planned_pickup, planned_dropoff=lg.planned_dropoff)
            assert late.get(lg.key, "") == "; ".join(plan_lateness(times, window, now=evening, open_leg=True))
        assert "arrives after the appointment" in late[leg.key] and "not picked up yet" in late[leg.key]
        assert {s.kind for lane in board.lanes for s in lane.segments} == {"late"}


def test_only_dispatchers_see_the_board(day_with_trips):
    with day_with_trips() as uow:
        with pytest.raises(Forbidden):
            dispatch.day_board(uow, actor_of(uow.users.by_username("agent")), "CO", DAY,
                               now=dt.datetime.combine(DAY, dt.time(9), tzinfo=DENVER))


def test_a_driver_reads_only_the_manifests_of_their_own_runs(day_with_trips):
    _scheduled(day_with_trips)
    with day_with_trips() as uow:
        driver_user = uow.users.by_username("driver")
        actor = actor_of(driver_user)
        runs = [r for r in uow.session.scalars(select(VehicleRun).where(VehicleRun.service_date == DAY))
                if r.plan.get("stops")]
        own = [r for r in runs if r.driver_id and uow.session.get(Driver, r.driver_id).user_id == driver_user.id]
        others = [r for r in runs if r not in own]
        assert others
        for run in others:
            vehicle = uow.session.get(Vehicle, run.vehicle_id)
            with pytest.raises(NotFound):
                dispatch.manifest(uow, actor, vehicle.key, DAY)
        for run in own:
            m = dispatch.manifest(uow, actor, uow.session.get(Vehicle, run.vehicle_id).key, DAY)
            assert {s.leg_key for s in m.stops} == {s["leg"] for s in run.plan["stops"]}


def test_a_provider_reads_the_manifests_of_its_own_vehicles_only(day_with_trips):
    _scheduled(day_with_trips)
    with day_with_trips() as uow:
        actor = actor_of(uow.users.by_username("provider"))
        runs = [r for r in uow.session.scalars(select(VehicleRun).where(VehicleRun.service_date == DAY))
                if r.plan.get("stops")]
        seen = 0
        for run in runs:
            vehicle = uow.session.get(Vehicle, run.vehicle_id)
            if vehicle.provider.organization_id == actor.organization_id:
                assert dispatch.manifest(uow, actor, vehicle.key, DAY).stops
                seen += 1
            else:
                with pytest.raises(NotFound) as err:
                    dispatch.manifest(uow, actor, vehicle.key, DAY)
                assert err.value.rule == "organization-based access"
        with pytest.raises(NotFound) as err:
            dispatch.manifest(uow, actor, "no-such-vehicle", DAY)
        assert err.value.rule == "vehicle look-up"


def test_repository_scopes_legs_and_keeps_one_run_per_vehicle_day(day_with_trips):
    with day_with_trips() as uow:
        leg = uow.session.scalar(select(Leg).order_by(Leg.id))
        assert uow.dispatch.leg(_dispatcher(uow), leg.key) is leg
        assert uow.dispatch.leg(actor_of(uow.users.by_username("ct-agent")), leg.key) is None  # another program
        assert uow.dispatch.leg(_dispatcher(uow), "") is None
        vehicle = uow.dispatch.fleet("CO")[0]
        assert uow.dispatch.run_of(vehicle.id, DAY) is None
        run = uow.dispatch.run_for(vehicle.id, DAY)
        uow.flush()
        assert uow.dispatch.run_for(vehicle.id, DAY) is run and run.plan == {"stops": []}
        assert set(uow.dispatch.fleet("CO")) <= set(uow.dispatch.fleet("CO", enrolled_only=False))
        assert not uow.dispatch.fleet("CT") or not set(uow.dispatch.fleet("CT")) & set(uow.dispatch.fleet("CO"))
        opened = uow.dispatch.open_legs("CO", DAY, dispatch.VEHICLE_MODES)
        assert len(opened) == 16 and all(lg.status in dispatch.OPEN_STATUSES for lg in opened)
