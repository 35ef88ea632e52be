"""Dispatcher pages: the day's runs per vehicle on a timeline and a map of the stops (both server-rendered SVG),
late and unassigned legs, scheduling what remains of the day with the optimizer, urgent insertion and reassignment
(both through ``services.dispatch``, each checked before it is saved; a refusal says why in words), the vehicles that
can take each leg, will-call returns, and manifests to print.

The board keeps itself current: a static script (``/static/board.js``; the content-security policy allows no inline
script) asks ``/dispatch/stamp`` every ``NEMT_BOARD_POLL_SECONDS`` whether the day changed — a stamp that reads no
member data, so a poll writes no audit record — and only then fetches the board's live part (``/dispatch/live``).
It pauses while the tab is hidden, and stops once the dispatcher has not touched the page for the session's idle
time, so an unattended board still signs out (automatic logoff, 45 CFR 164.312(a)(2)(iii)). Scheduling the day runs
in the background as a plan-day job of ``nemt.jobs`` (in this process without a broker) and the page shows its
progress (``/dispatch/jobs/{key}``)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form
from fastapi.responses import PlainTextResponse

from nemt import clock, jobs
from nemt.services import dispatch
from nemt.services.platform.errors import Conflict, ServiceError
from nemt.services.platform.inputs import day_input
from nemt.services.platform.permissions import Action
from nemt.settings import get_settings
from nemt.web import charts, maps
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def parse_day(page: Page, day: str | None) -> dt.date:
    return day_input(day, page.today(), "dispatch board")


def board(page: Page, day: dt.date) -> dict:
    """What the dispatch board shows for ``day`` (``services.dispatch.day_board``), with its timeline and map drawn,
    each leg's estimated times (a late leg says by how much and when) and the vehicles that can take it
    (``services.dispatch.live_view``)."""
    now = clock.now()
    view = dispatch.live_view(page.uow, page.actor, page.program, day, now=now)
    b = dispatch.day_board(page.uow, page.actor, page.program, day, now=now, etas=view.etas)
    lanes = [(lane.label, [charts.Segment(s.start, s.end, s.label, s.kind) for s in lane.segments])
             for lane in b.lanes]
    timeline = charts.timeline(lanes, f"Runs on {day.isoformat()}", now_minute=b.now_minute)
    day_map = dispatch.day_map(page.uow, page.actor, page.program, b, view)
    live_map = maps.live_map(day_map, f"Vehicles and stops on {day.isoformat()}", lambda t: page.local(t, "%H:%M"))
    settings = get_settings()
    returns = [leg for leg in b.legs if dispatch.awaits_will_call(leg)]  # the member may call when ready
    return dict(legs=b.legs, fleet=b.fleet, vehicles=b.vehicles, drivers=b.drivers, unassigned=b.unassigned,
                late=b.late, lanes=lanes, timeline=timeline, other_modes=b.other_modes, used=b.used,
                live_map=live_map, day_map=day_map,
                choices=view.choices, etas=view.etas, calls=view.calls, returns=returns,
                stamp=dispatch.day_stamp(page.uow, page.actor, page.program, day),
                poll_seconds=settings.board_poll_seconds, idle_seconds=settings.session_idle_minutes * 60)


@router.get("/dispatch")
def dispatch_board(page: Page = Depends(page_for(Action.DISPATCH)), day: str | None = None, job: str | None = None):
    d = parse_day(page, day)
    result, error, running = None, None, None
    if job:
        status = jobs.status_for(page.request.app.state.uow_factory, page.actor, job)
        if status.state == jobs.JobState.DONE and status.result is not None:
            result = jobs.schedule_result(status.result)
        elif status.state == jobs.JobState.FAILED:
            error = Conflict(status.error or "scheduling failed", rule=status.rule)
        else:
            running = status
    return page.render("dispatch/board.html", day=d, result=result, error=error, job=running, **board(page, d))


@router.get("/dispatch/live")
def live_part(page: Page = Depends(page_for(Action.DISPATCH)), day: str | None = None):
    """The board's live part alone, for the board's script to swap in when the day changed."""
    d = parse_day(page, day)
    return page.render("dispatch/_live.html", day=d, **board(page, d))


@router.get("/dispatch/map")
def map_page(page: Page = Depends(page_for(Action.DISPATCH)), day: str | None = None):
    """The map and the late legs as a plain page (no script needed): reload it to see it current."""
    d = parse_day(page, day)
    return page.render("dispatch/map.html", day=d, **board(page, d))


@router.get("/dispatch/stamp")
def stamp(page: Page = Depends(page_for(Action.DISPATCH)), day: str | None = None):
    """The day's stamp (changes whenever the board would); no member data, no audit record."""
    d = parse_day(page, day)
    return PlainTextResponse(dispatch.day_stamp(page.uow, page.actor, page.program, d),
                             headers={"Cache-Control": "no-store"})


@router.post("/dispatch/schedule-job")
def schedule_job(page: Page = Depends(page_for(Action.DISPATCH)), csrf_token: str = Form(""), day: str = Form(...),
                 seconds: float = Form(3.0), regions: int = Form(1)):
    """Schedule the day in the background (``regions`` > 1: split into regions solved on the workers at once, then
    stitched and checked whole); the board shows the job's progress and then its result."""
    check_csrf(page.request, csrf_token)
    d = parse_day(page, day)
    try:
        job = jobs.plan_day_for(page.request.app.state.uow_factory, page.actor, page.program, d, time_limit=seconds,
                                regions=regions)
    except ServiceError as exc:
        return page.render("dispatch/board.html", day=d, result=None, error=exc, job=None, status_code=exc.status,
                           **board(page, d))
    return redirect(f"/dispatch?day={d.isoformat()}&job={quote(job.key, safe='')}")


@router.get("/dispatch/jobs/{key}")
def job_progress(key: str, page: Page = Depends(page_for(Action.DISPATCH))):
    """A job's progress bar alone, for the board's script to poll."""
    status = jobs.status_for(page.request.app.state.uow_factory, page.actor, key)
    return page.render("dispatch/_job.html", job=status, day=status.params.get("date", ""))


@router.post("/dispatch/will-call")
def will_call(page: Page = Depends(page_for(Action.DISPATCH)), csrf_token: str = Form(""), leg: str = Form(...),
              day: str = Form(...)):
    """The member of a return leg called: ready now. Inserted as urgent within the policy's pick-up promise."""
    check_csrf(page.request, csrf_token)
    d = parse_day(page, day)
    try:
        done = dispatch.will_call_ready(page.uow, page.actor, leg, now=clock.now())
    except ServiceError as exc:
        page.uow.rollback()
        return page.render("dispatch/board.html", day=d, result=None, error=exc, job=None, status_code=exc.status,
                           **board(page, d))
    trip = f"{done.leg.trip.confirmation}/{done.leg.sequence}"
    page.request.session["flash"] = (f"Will-call {trip}: the member is promised a pick-up by "
                                     f"{page.local(done.promised_by, '%H:%M')}; {done.vehicle} will be there at "
                                     f"{page.local(done.planned_pickup, '%H:%M')}.")
    return redirect(f"/dispatch?day={d.isoformat()}")


@router.post("/dispatch/schedule")
def schedule(page: Page = Depends(page_for(Action.DISPATCH)), csrf_token: str = Form(""), day: str = Form(...),
             seconds: float = Form(3.0)):
    check_csrf(page.request, csrf_token)
    d = parse_day(page, day)
    try:
        result = dispatch.schedule_day(page.uow, page.actor, page.program, d, time_limit=seconds, now=clock.now())
        error = None
    except ServiceError as exc:
        page.uow.rollback()
        result, error = None, exc
    return page.render("dispatch/board.html", day=d, result=result, error=error, job=None,
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
            dispatch.assign_leg(page.uow, page.actor, leg, vehicle, now=clock.now())
    except ServiceError as exc:
        page.uow.rollback()
        return page.render("dispatch/board.html", day=d, result=None, error=exc, job=None, status_code=exc.status,
                           **board(page, d))
    return redirect(f"/dispatch?day={d.isoformat()}")


@router.get("/manifests/{vehicle_key}")
def manifest(vehicle_key: str, page: Page = Depends(page_for(Action.MANIFEST_READ)), day: str | None = None):
    d = parse_day(page, day)
    m = dispatch.manifest(page.uow, page.actor, vehicle_key, d)
    return page.render("dispatch/manifest.html", manifest=m, day=d, vehicle_key=vehicle_key)
