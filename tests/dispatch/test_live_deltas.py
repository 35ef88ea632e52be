"""The live day's event path works on what changed (SQLite and PostgreSQL): a checked save writes only the runs and
legs it changes (an unchanged run keeps its version); a vehicle that must already be on its way to its next stop is
re-timed from that stop, not from where it was last seen at now; and the live routes' kept schedules give the same
vehicle choices as routes built afresh after every change."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from nemt.scheduling import StopKind, check_solution
from nemt.scheduling.checker import ViolationKind
from nemt.scheduling.live import LiveRoutes
from nemt.services import dispatch, rides
from nemt.services.dispatch.live import load_live_day
from nemt.services.platform.auth import actor_of
from nemt.store.claim_models import TripLogEvent
from nemt.store.models import Leg, VehicleRun

from .conftest import DAY, _dispatcher
from .test_live_day import _at, _live_plan_is_verified, _schedule


def _versions(uow) -> dict[int, int]:
    return {run.vehicle_id: run.version for run in uow.session.scalars(select(VehicleRun)
                                                                      .where(VehicleRun.service_date == DAY))}


def _leg_versions(uow) -> dict[str, int]:
    return {leg.key: leg.version for leg in uow.session.scalars(select(Leg).where(Leg.service_date == DAY))}


def test_a_repair_that_changes_nothing_writes_nothing_and_a_cancellation_writes_its_run_only(day_with_trips):
    _schedule(day_with_trips, _at(5))
    with day_with_trips() as uow:
        runs, legs = _versions(uow), _leg_versions(uow)
        assert dispatch.repair_runs(uow, _dispatcher(uow), "CO", DAY, _at(5), why="test") == 0
    with day_with_trips() as uow:
        assert _versions(uow) == runs and _leg_versions(uow) == legs  # nothing changed: no row written
        leg = uow.session.scalar(select(Leg).where(Leg.vehicle_id.is_not(None)).order_by(Leg.planned_pickup))
        vehicle_id, key, trip_key, sequence = leg.vehicle_id, leg.key, leg.trip.key, leg.sequence
        rides.cancel_ride(uow, actor_of(uow.users.by_username("agent")), trip_key, _at(5), leg=sequence)
    with day_with_trips() as uow:
        after = _versions(uow)
        assert after[vehicle_id] > runs[vehicle_id]  # the cancelled leg's run was rewritten (and version-checked)
        assert {v for v in runs if after[v] != runs[v]} == {vehicle_id}  # and no other run
        run = uow.session.scalar(select(VehicleRun).where(VehicleRun.vehicle_id == vehicle_id))
        assert key not in {s["leg"] for s in run.plan["stops"]}
        _live_plan_is_verified(uow, _at(5))


def test_a_vehicle_on_its_way_to_its_next_stop_is_timed_from_there(day_with_trips):
    _schedule(day_with_trips, _at(5))
    with day_with_trips() as uow:
        legs = {leg.key: leg for leg in uow.session.scalars(select(Leg))}

        def place(stop):
            leg = legs[stop["leg"]]
            return leg.origin_zip if stop["kind"] == "pickup" else leg.destination_zip

        # a run whose first pick-up and next stop are at different places
        run = next(run for run in uow.session.scalars(select(VehicleRun).order_by(VehicleRun.vehicle_id))
                   if len(stops := run.plan.get("stops", [])) >= 2 and place(stops[0])[:5] != place(stops[1])[:5])
        first, second = run.plan["stops"][0], run.plan["stops"][1]
        assert first["kind"] == "pickup"
        uow.session.add(TripLogEvent(leg_id=legs[first["leg"]].id, kind="picked-up",
                                     at=dt.datetime.fromisoformat(first["at"]), data={}))
        uow.commit()
        planned_next = dt.datetime.fromisoformat(second["at"])
        now = planned_next - dt.timedelta(minutes=1)  # the vehicle must have left the pick-up by now
        live = load_live_day(uow, "CO", DAY, now)
        k = live.vehicle_index(run.vehicle_id)
        nxt = live.request_of(legs[second["leg"]])
        there = live.model.instance.requests[nxt]
        location = there.pickup_location if second["kind"] == "pickup" else there.dropoff_location
        assert k in live.state.en_route and live.state.en_route[k][0] == location
        routes = LiveRoutes(live.model.instance, live.order, live.model.miles)
        # this run keeps every leg (other runs, not logged since 05:00, may be too late by now for some of theirs)
        assert not set(routes.dropped) & {r for r, _kind in live.order[k]}
        stop = next(s for route in routes.solution().routes if route.vehicle == k for s in route.stops
                    if s.request == nxt and s.kind is StopKind(second["kind"]))
        # driven on from the pick-up, not from the pick-up at now: no later than planned (or now)
        assert live.model.at(stop.service_start) <= max(planned_next, now) + dt.timedelta(seconds=1)
        report = check_solution(live.model.instance, routes.solution(), not_before=live.state.now)
        assert report.only(ViolationKind.UNSERVED), report.messages


def test_the_kept_schedules_give_the_choices_of_routes_built_afresh(day_with_trips):
    _schedule(day_with_trips, _at(5))
    with day_with_trips() as uow:
        live = load_live_day(uow, "CO", DAY, _at(6))
    routes = LiveRoutes(live.model.instance, live.order, live.model.miles)
    requests = sorted(routes.served())
    for r in requests[:3]:  # take some out and put them back elsewhere: each change refreshes only its route
        routes.remove(r)
        assert routes.vehicle_of(r) is None
        routes.insert(r)
    for r in requests:
        assert routes.vehicle_of(r) is not None
        fresh = LiveRoutes(live.model.instance, {route.vehicle: [(s.request, s.kind) for s in route.stops
                                                                 if s.request >= 0]
                                                 for route in routes.solution().routes}, live.model.miles)
        assert routes.options(r) == fresh.options(r)
        assert fresh.vehicle_of(r) == routes.vehicle_of(r)
