"""Eligibility with the payer (docs/eligibility.md): send a 270, record the payer's 271, import an 834."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel, Field

from nemt.api.problems import signed_in
from nemt.api.schemas import ImportOut
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.http.uploads import read_upload
from nemt.services.members import eligibility_edi
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter()


class InquiryIn(BaseModel):
    member: str = Field(max_length=64, description="the member's key")
    date_of_service: dt.date


class InquiryOut(BaseModel):
    trace: str
    date_of_service: dt.date
    location: str = Field(description="where the transport put the 270 (the file drop's path)")
    x12: str = Field(description="the 270 interchange")


class ResponseOut(BaseModel):
    trace: str
    member: str
    date_of_service: dt.date
    status: str = Field(description="answered; rejected (the payer could not answer); incomplete (active coverage "
                                    "in no named plan: booking does not use it)")
    active: bool | None = Field(description="a plan covering NEMT on the date (Member Eligibility)")
    plans: list[str]
    reasons: list[str]


def _text(file: UploadFile) -> str:
    return read_upload(file).decode("ascii", errors="replace")


@router.post("/api/v1/eligibility/inquiries", tags=["eligibility"], response_model=InquiryOut, status_code=201,
             responses=signed_in(400, 404, 422),
             summary="Send a 270 for a member and date of service (a file drop). " +
                     roles_text([Action.ELIGIBILITY_CHECK]))
def send_inquiry(body: InquiryIn, actor: Actor = allowed(Action.ELIGIBILITY_CHECK),
                 uow=Depends(get_uow)) -> InquiryOut:
    result = eligibility_edi.inquiry(uow, actor, body.member, body.date_of_service)
    return InquiryOut(trace=result.trace, date_of_service=result.date_of_service, location=result.location,
                      x12=result.text)


@router.post("/api/v1/eligibility/responses", tags=["eligibility"], response_model=list[ResponseOut],
             responses=signed_in(400, 413, 422),
             summary="Record the payer's 271 (all answers or none). " + roles_text([Action.ELIGIBILITY_CHECK]))
def read_response(file: UploadFile = File(...), actor: Actor = allowed(Action.ELIGIBILITY_CHECK),
                  uow=Depends(get_uow)) -> list[ResponseOut]:
    results = eligibility_edi.read_271(uow, actor, _text(file))
    return [ResponseOut(trace=r.trace, member=r.member, date_of_service=r.date_of_service, status=r.status,
                        active=r.active, plans=list(r.plans), reasons=list(r.reasons)) for r in results]


@router.post("/api/v1/members/import-834", tags=["members"], response_model=ImportOut,
             responses=signed_in(400, 404, 413, 422),
             summary="Import an 834 enrollment file (all members or none). " + roles_text([Action.MEMBER_IMPORT]))
def import_834(file: UploadFile = File(...), program: str = Form(...),
               actor: Actor = allowed(Action.MEMBER_IMPORT), uow=Depends(get_uow)) -> ImportOut:
    result = eligibility_edi.import_834(uow, actor, _text(file), program.upper(), file.filename or "upload.834")
    return ImportOut(**result.__dict__)
