"""Certifications and the pending worklist: record a medical professional's written certification for a member (the
member's pending rides are decided again), and list the rides of the caller's program still waiting.

Thin: the body is ``nemt.services.rides.CertificationIn``; members are addressed by their opaque key only.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from nemt import clock
from nemt.api.problems import SIGNED_IN, responses
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.services import rides
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(prefix="/api/v1", tags=["rides"], responses=SIGNED_IN)


class DecidedAgainOut(BaseModel):
    ride: str
    confirmation: str
    before: str
    outcome: str
    mode: str | None
    notice: str | None


class CertificationOut(BaseModel):
    member: str
    statements: list[str]
    released: int
    rides: list[DecidedAgainOut]


class PendingOut(BaseModel):
    ride: str
    confirmation: str
    program: str
    member: str
    appointment_at: dt.datetime
    requested_mode: str
    mode: str | None
    standing_order: str | None
    reason_codes: list[str]
    waiting_for: list[str]


@router.post("/members/{key}/certifications", response_model=CertificationOut, status_code=201,
             responses=responses(400, 404, 409, 422),
             summary="Record a medical professional's written certification (statements, who signed, signature "
                     "date); the member's pending rides are decided again and the member notified. "
                     + roles_text([Action.CERTIFICATION_RECORD]))
def record_certification(key: str, body: rides.CertificationIn, actor: Actor = allowed(Action.CERTIFICATION_RECORD),
                         uow=Depends(get_uow)) -> dict:
    return rides.describe_certification(rides.record_certification(uow, actor, key, body, clock.now()))


@router.get("/pending-rides", response_model=list[PendingOut],
            summary="The rides of the caller's program waiting for a certification or a prior authorization, with "
                    "what each waits for. " + roles_text([Action.PENDING_READ]))
def pending_rides(actor: Actor = allowed(Action.PENDING_READ), uow=Depends(get_uow)) -> list[dict]:
    return rides.describe_pending(uow, rides.pending_rides(uow, actor, clock.now()))
