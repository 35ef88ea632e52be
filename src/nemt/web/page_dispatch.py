"""Dispatcher pages: the day's runs per vehicle on a timeline and a map of the stops (both server-rendered SVG),
late and unassigned legs, scheduling the day with the optimizer, urgent insertion and reassignment (both through
``services.dispatch``), and manifests to print."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form

from nemt import clock
from nemt.services import dispatch
from nemt.services.platform.errors import ServiceError
from nemt.services.platform.inputs import day_input
from nemt.services.platform.permissions import Action
from nemt.web import charts
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def parse_day(page: Page, day: str | None) -> dt.date:
    return day_input(day, page.today(), "dispatch board")


def board(page: Page, day: dt.date) -> dict:
    """What the dispatch board shows for ``day`` (``services.dispatch.day_board``), with its timeline and map drawn."""
    b = dispatch.day_board(page.uow, page.actor, page.program, day, now=clock.now())
    lanes = [(lane.label, [charts.Segment(s.start, s.end, s.label, s.kind) for s in lane.segments])
             for lane in b.lanes]
    timeline = charts.timeline(lanes, f"Runs on {day.isoformat()}", now_minute=b.now_minute)
    points = [charts.MapPoint(p.lat, p.lon, p.label, p.kind) for p in b.stops]
    stop_map = charts.scatter_map(points, f"Stops on {day.isoformat()}")
    return dict(legs=b.legs, fleet=b.fleet, vehicles=b.vehicles, drivers=b.drivers, unassigned=b.unassigned,
                late=b.late, lanes=lanes, timeline=timeline, stop_map=stop_map, other_modes=b.other_modes, used=b.used)


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
