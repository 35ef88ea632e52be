"""Dispatch: schedule a day (at once, or as a job with progress), reassign a leg, a will-call return, manifests (JSON
and PDF)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from nemt import clock, jobs
from nemt.api.problems import SIGNED_IN, responses
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.jobs.tasks import MAX_REGIONS
from nemt.services import dispatch
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(prefix="/api/v1", tags=["dispatch"], responses=SIGNED_IN)


class ScheduleBody(BaseModel):
    program: str = Field(default="CO", max_length=2)
    date: dt.date
    time_limit: float = Field(default=5.0, allow_inf_nan=False,
                              description="seconds the optimizer may search: more than 0, at most 60 when the "
                                          "answer is waited for (/dispatch/schedule), at most 900 for a job "
                                          "(services.dispatch.schedule: MAX_WAITED_TIME_LIMIT, MAX_TIME_LIMIT)")


class AssignBody(BaseModel):
    vehicle: str
    driver: str | None = None
    expected_version: int | None = None


@router.post("/dispatch/schedule", responses=responses(400, 404, 409, 422),
             summary="Optimize a day's runs. " + roles_text([Action.DISPATCH]))
def schedule(body: ScheduleBody, actor: Actor = allowed(Action.DISPATCH), uow=Depends(get_uow)) -> dict:
    result = dispatch.schedule_day(uow, actor, body.program.upper(), body.date, time_limit=body.time_limit,
                                   waited=True)
    return result.__dict__


@router.post("/legs/{key}/assign", responses=responses(400, 404, 409, 422),
             summary="Put a leg on a vehicle. " + roles_text([Action.DISPATCH]))
def assign(key: str, body: AssignBody, actor: Actor = allowed(Action.DISPATCH), uow=Depends(get_uow)) -> dict:
    leg = dispatch.assign_leg(uow, actor, key, body.vehicle, driver_key=body.driver,
                              expected_version=body.expected_version)
    return {"leg": leg.key, "status": leg.status}


@router.get("/vehicles/{key}/manifest",
            responses=responses(404, 422),
            summary="A vehicle's manifest for a day. " + roles_text([Action.MANIFEST_READ]))
def manifest_json(key: str, date: dt.date, actor: Actor = allowed(Action.MANIFEST_READ),
                  uow=Depends(get_uow)) -> dict:
    return dispatch.manifest(uow, actor, key, date).as_dict()


@router.get("/vehicles/{key}/manifest.pdf", summary="The manifest as PDF. " + roles_text([Action.MANIFEST_READ]),
            response_class=Response,
            responses={200: {"description": "The manifest (PDF).", "content": {"application/pdf": {}}},
                       **responses(404, 422)})
def manifest_pdf(key: str, date: dt.date, actor: Actor = allowed(Action.MANIFEST_READ), uow=Depends(get_uow)):
    from nemt.api.manifest_pdf import manifest_pdf as render

    m = dispatch.manifest(uow, actor, key, date)
    return Response(render(m), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="manifest-{m.vehicle}-{date}.pdf"'})


@router.post("/legs/{key}/insert-urgent",
             responses=responses(404, 409, 422),
             summary="Insert an urgent leg into the live runs at its cheapest feasible place. "
                     + roles_text([Action.DISPATCH]))
def insert_urgent(key: str, actor: Actor = allowed(Action.DISPATCH), uow=Depends(get_uow)) -> dict:
    leg = dispatch.insert_urgent(uow, actor, key, now=clock.now())
    return {"leg": leg.key, "status": leg.status, "planned_pickup": leg.planned_pickup,
            "planned_dropoff": leg.planned_dropoff}


@router.post("/legs/{key}/will-call", responses=responses(404, 409, 422),
             summary="The member of a return leg called, ready: insert the leg within the policy's pick-up promise. "
                     + roles_text([Action.DISPATCH]))
def will_call(key: str, actor: Actor = allowed(Action.DISPATCH), uow=Depends(get_uow)) -> dict:
    done = dispatch.will_call_ready(uow, actor, key, now=clock.now())
    return {"leg": done.leg.key, "called_at": done.called_at, "promised_by": done.promised_by,
            "vehicle": done.vehicle, "planned_pickup": done.planned_pickup}


class ScheduleJobBody(ScheduleBody):
    regions: int = Field(default=1, ge=1, le=MAX_REGIONS,
                         description="more than 1: the day is solved in that many regions, one job each, on the "
                                     "workers of the queue (each searching time_limit seconds), stitched, verified "
                                     "and written as one plan")


@router.post("/dispatch/schedule-jobs", status_code=202, responses=responses(400, 404, 422),
             summary="Schedule a day in the background (a plan-day job: re-plans a planned day, joins a plan still "
                     "running); poll the job for its progress. " + roles_text([Action.DISPATCH]))
def schedule_job(body: ScheduleJobBody, request: Request, actor: Actor = allowed(Action.DISPATCH)) -> dict:
    job = jobs.plan_day_for(request.app.state.uow_factory, actor, body.program.upper(), body.date,
                            time_limit=body.time_limit, regions=body.regions)
    return {"job": job.key, "status": f"/api/v1/dispatch/jobs/{quote(job.key, safe='')}"}


@router.get("/dispatch/jobs/{key}", responses=responses(404),
            summary="How far a dispatch job is: state, percent, what it is doing, and its result. "
                    + roles_text([Action.DISPATCH]))
def job(key: str, request: Request, actor: Actor = allowed(Action.DISPATCH)) -> dict:
    status = jobs.status_for(request.app.state.uow_factory, actor, key)
    return {"job": status.key, "kind": status.kind, "date": status.params.get("date"), "state": status.state,
            "percent": status.progress, "message": status.message, "result": status.result, "error": status.error,
            "rule": status.rule or None}
