"""Dispatch: schedule a day, reassign a leg, manifests (JSON and PDF)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel

from nemt import clock
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.services import dispatch
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(prefix="/api/v1", tags=["dispatch"])


class ScheduleBody(BaseModel):
    program: str = "CO"
    date: dt.date
    time_limit: float = 5.0


class AssignBody(BaseModel):
    vehicle: str
    driver: str | None = None
    expected_version: int | None = None


@router.post("/dispatch/schedule", summary="Optimize a day's runs. " + roles_text([Action.DISPATCH]))
def schedule(body: ScheduleBody, actor: Actor = allowed(Action.DISPATCH), uow=Depends(get_uow)) -> dict:
    result = dispatch.schedule_day(uow, actor, body.program.upper(), body.date, time_limit=min(body.time_limit, 60))
    return result.__dict__


@router.post("/legs/{key}/assign", summary="Put a leg on a vehicle. " + roles_text([Action.DISPATCH]))
def assign(key: str, body: AssignBody, actor: Actor = allowed(Action.DISPATCH), uow=Depends(get_uow)) -> dict:
    leg = dispatch.assign_leg(uow, actor, key, body.vehicle, driver_key=body.driver,
                              expected_version=body.expected_version)
    return {"leg": leg.key, "status": leg.status}


@router.get("/vehicles/{key}/manifest",
            summary="A vehicle's manifest for a day. " + roles_text([Action.MANIFEST_READ]))
def manifest_json(key: str, date: dt.date, actor: Actor = allowed(Action.MANIFEST_READ),
                  uow=Depends(get_uow)) -> dict:
    return dispatch.manifest(uow, actor, key, date).as_dict()


@router.get("/vehicles/{key}/manifest.pdf", summary="The manifest as PDF. " + roles_text([Action.MANIFEST_READ]),
            response_class=Response)
def manifest_pdf(key: str, date: dt.date, actor: Actor = allowed(Action.MANIFEST_READ), uow=Depends(get_uow)):
    from nemt.api.manifest_pdf import manifest_pdf as render

    m = dispatch.manifest(uow, actor, key, date)
    return Response(render(m), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="manifest-{m.vehicle}-{date}.pdf"'})


@router.post("/legs/{key}/insert-urgent",
             summary="Insert an urgent leg into the live runs at its cheapest feasible place. "
                     + roles_text([Action.DISPATCH]))
def insert_urgent(key: str, actor: Actor = allowed(Action.DISPATCH), uow=Depends(get_uow)) -> dict:
    leg = dispatch.insert_urgent(uow, actor, key, now=clock.now())
    return {"leg": leg.key, "status": leg.status, "planned_pickup": leg.planned_pickup,
            "planned_dropoff": leg.planned_dropoff}
