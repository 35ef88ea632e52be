"""Dispatcher pages: the day's runs per vehicle on a timeline and a map of the stops (both server-rendered SVG),
late and unassigned legs, scheduling the day with the optimizer, urgent insertion and reassignment (both through
``services.dispatch``), and manifests to print."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form
from sqlalchemy import select

from nemt import clock, geo
from nemt.policy import load_policy
from nemt.services import booking, dispatch
from nemt.services.platform.errors import InvalidInput, ServiceError
from nemt.services.platform.permissions import Action
from nemt.store.models import Driver, Leg, Organization, TransportProvider, Vehicle
from nemt.web import charts
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def parse_day(page: Page, day: str | None) -> dt.date:
    if not day:
        return page.today()
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        raise InvalidInput("a day is written YYYY-MM-DD", field="day", rule="dispatch board") from None


def _minute_of(page: Page, value: dt.datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(load_policy(page.program).time_zone)
    return local.hour * 60 + local.minute


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def board(page: Page, day: dt.date) -> dict:
    """What the dispatch board shows for ``day``: the program's legs, vehicles, lateness; read-only."""
    uow = page.uow
    window = dt.timedelta(minutes=int(load_policy(page.program).get("operations.pickup_window_minutes")))
    # The day's rides through the booking service (scoped to the actor, and each read is in the audit trail).
    trips = booking.rides_of_day(uow, page.actor, day, program=page.program)
    legs = [leg for trip in trips if trip.status == "active" and trip.outcome == "approved" for leg in trip.legs
            if leg.service_date == day and leg.status != "cancelled"]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    legs.sort(key=lambda lg: (_aware(lg.planned_pickup or lg.pickup_earliest or lg.dropoff_latest) or far, lg.id))
    # Public transit and mileage reimbursement are not carried by a vehicle: not on the board.
    other_modes = [leg for leg in legs if leg.trip.mode not in dispatch.VEHICLE_MODES]
    legs = [leg for leg in legs if leg.trip.mode in dispatch.VEHICLE_MODES]
    fleet = list(uow.session.scalars(
        select(Vehicle).join(TransportProvider).join(Organization)
        .where(Organization.program == page.program, Vehicle.active.is_(True)).order_by(Vehicle.id)))
    now = clock.now()
    by_vehicle: dict[int, list[Leg]] = {}
    unassigned, late = [], []
    for leg in legs:
        if leg.vehicle_id is None:
            if leg.status in dispatch.OPEN_STATUSES:
                unassigned.append(leg)
            continue
        by_vehicle.setdefault(leg.vehicle_id, []).append(leg)
        planned = _aware(leg.planned_pickup)
        earliest, arrival, appointment = (_aware(leg.pickup_earliest), _aware(leg.planned_dropoff),
                                          _aware(leg.dropoff_latest))
        reasons = []
        if planned and earliest and planned > earliest + window:
            reasons.append("planned pick-up after the window")
        if arrival and appointment and arrival > appointment:
            reasons.append("arrives after the appointment")
        if planned and leg.status in dispatch.OPEN_STATUSES and now > planned + window:
            reasons.append("not picked up yet")
        if reasons:
            late.append((leg, "; ".join(reasons)))
    late_ids = {leg.id for leg, _ in late}
    lanes = []
    for v in fleet:
        segs = []
        for leg in sorted(by_vehicle.get(v.id, []), key=lambda lg: lg.planned_pickup or lg.dropoff_latest or now):
            start = _minute_of(page, leg.planned_pickup or leg.pickup_earliest or leg.dropoff_latest)
            end = _minute_of(page, leg.planned_dropoff or leg.dropoff_latest) or (start or 0) + 30
            if start is None:
                continue
            kind = "late" if leg.id in late_ids else ("done" if leg.status not in dispatch.OPEN_STATUSES
                                                       else "scheduled")
            segs.append(charts.Segment(start, max(end, start + 10),
                                       f"{leg.trip.confirmation}/{leg.sequence} "
                                       f"{page.local(leg.planned_pickup, '%H:%M')}", kind))
        if segs:
            lanes.append((f"{v.external_id} {v.vehicle_type}", segs))
    now_local = _minute_of(page, now) if day == page.today() else None
    timeline = charts.timeline(lanes, f"Runs on {day.isoformat()}", now_minute=now_local)
    points = []
    for leg in legs:
        for zip_code, kind, what in ((leg.origin_zip, "pickup", "pick-up"), (leg.destination_zip, "dropoff",
                                                                              "drop-off")):
            try:
                p = geo.point_of_zip(zip_code)
            except geo.GeoError:
                continue
            points.append(charts.MapPoint(p.lat, p.lon, f"{leg.trip.confirmation}/{leg.sequence} {what} {zip_code[:5]}",
                                          "unassigned" if leg.vehicle_id is None and kind == "pickup" else kind))
    stop_map = charts.scatter_map(points, f"Stops on {day.isoformat()}")
    vehicles = {v.id: v for v in fleet}
    drivers = {d.id: d for d in uow.session.scalars(select(Driver).where(
        Driver.id.in_({leg.driver_id for leg in legs if leg.driver_id})))}
    return dict(legs=legs, fleet=fleet, vehicles=vehicles, drivers=drivers, unassigned=unassigned, late=late,
                lanes=lanes, timeline=timeline, stop_map=stop_map, other_modes=other_modes,
                used=[v for v in fleet if v.id in by_vehicle])


@router.get("/dispatch")
def dispatch_board(page: Page = Depends(page_for(Action.DISPATCH)), day: str | None = None):
    d = parse_day(page, day)
    return page.render("dispatch/board.html", day=d, result=None, error=None, **board(page, d))


@router.post("/dispatch/schedule")
def schedule(page: Page = Depends(page_for(Action.DISPATCH)), csrf_token: str = Form(""), day: str = Form(...),
             seconds: float = Form(3.0)):
    check_csrf(page.request, csrf_token)
    d = parse_day(page, day)
    try:
        result = dispatch.schedule_day(page.uow, page.actor, page.program, d, time_limit=max(0.5, min(seconds, 20)))
        error = None
    except ServiceError as exc:
        page.uow.rollback()
        result, error = None, exc
    return page.render("dispatch/board.html", day=d, result=result, error=error,
                       status_code=error.status if error else 200, **board(page, d))


@router.post("/dispatch/assign")
def assign(page: Page = Depends(page_for(Action.DISPATCH)), csrf_token: str = Form(""), leg: str = Form(...),
           vehicle: str = Form(...), day: str = Form(...)):
    """Reassignment and urgent insertion by hand: put one leg on the chosen vehicle (credentials checked)."""
    check_csrf(page.request, csrf_token)
    d = parse_day(page, day)
    try:
        if vehicle == "best":  # real-time insertion into the live runs (an unassigned leg)
            dispatch.insert_urgent(page.uow, page.actor, leg, now=clock.now())
        else:
            dispatch.assign_leg(page.uow, page.actor, leg, vehicle)
    except ServiceError as exc:
        page.uow.rollback()
        return page.render("dispatch/board.html", day=d, result=None, error=exc, status_code=exc.status,
                           **board(page, d))
    return redirect(f"/dispatch?day={d.isoformat()}")


@router.get("/manifests/{vehicle_key}")
def manifest(vehicle_key: str, page: Page = Depends(page_for(Action.MANIFEST_READ)), day: str | None = None):
    d = parse_day(page, day)
    m = dispatch.manifest(page.uow, page.actor, vehicle_key, d)
    return page.render("dispatch/manifest.html", manifest=m, day=d, vehicle_key=vehicle_key)
