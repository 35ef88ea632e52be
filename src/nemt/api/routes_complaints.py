"""Complaints and grievances: record one (linked to a ride by its confirmation number, trip key or leg key), list and
read them, add investigation notes, start the investigation, resolve with a finding (the member gets a notice), and
the complaints report (per 1,000 completed trips, by provider and category).

Thin: the bodies are ``nemt.services.complaints``' inputs; complaints, rides and members are addressed by opaque keys.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from nemt import clock
from nemt.api.problems import SIGNED_IN, responses
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.services import complaints
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(prefix="/api/v1", tags=["complaints"], responses=SIGNED_IN)


class NoteOut(BaseModel):
    text: str
    author: str
    at: dt.datetime


class NoticeOut(BaseModel):
    key: str
    text: str
    created_at: dt.datetime


class ComplaintOut(BaseModel):
    key: str
    reference: str
    program: str
    category: str
    status: str
    description: str
    reported_by: str
    received_at: dt.datetime
    received_on: dt.date
    due_on: dt.date
    overdue: bool
    trip: str | None
    confirmation: str | None
    member: str | None
    provider: str | None
    finding: str | None
    resolution: str | None
    resolved_at: dt.datetime | None
    notes: list[NoteOut]
    notices: list[NoticeOut]


class ReportOut(BaseModel):
    title: str
    description: str
    citation: str
    start: dt.date
    end: dt.date
    columns: list[str]
    rows: list[list[Any]]


def _one(uow, actor: Actor, key: str) -> dict:
    return complaints.describe(complaints.get_complaint(uow, actor, key, clock.now()))


@router.post("/complaints", response_model=ComplaintOut, status_code=201,
             responses=responses(400, 404, 409, 422),
             summary="Record a complaint or grievance, linked to a ride when there is one; due by the program's "
                     "policy. " + roles_text([Action.COMPLAINT_RECORD]))
def record(body: complaints.ComplaintIn, actor: Actor = allowed(Action.COMPLAINT_RECORD),
           uow=Depends(get_uow)) -> dict:
    complaint = complaints.record_complaint(uow, actor, body, clock.now())
    return complaints.describe(complaints.view(uow, complaint, clock.now()))


@router.get("/complaints", response_model=list[ComplaintOut], responses=responses(404, 422),
            summary="The complaints the caller may see, newest first (status: open, investigating, resolved; member: "
                    "one member's). " + roles_text([Action.COMPLAINT_READ]))
def listed(status: Literal["open", "investigating", "resolved"] | None = None, member: str | None = None,
           actor: Actor = allowed(Action.COMPLAINT_READ), uow=Depends(get_uow)) -> list[dict]:
    return [complaints.describe(v) for v in complaints.list_complaints(uow, actor, clock.now(), status=status,
                                                                        member_key=member)]


@router.get("/complaints-report", response_model=ReportOut, responses=responses(422),
            summary="Complaints per 1,000 completed one-way trips by transportation provider and category, and the "
                    "percent of trips. " + roles_text([Action.COMPLAINT_REPORT]))
def report(start: dt.date, end: dt.date, actor: Actor = allowed(Action.COMPLAINT_REPORT),
           uow=Depends(get_uow)) -> dict:
    r = complaints.complaints_report(uow, actor, start, end)
    return {"title": r.title, "description": r.description, "citation": r.citation, "start": start, "end": end,
            "columns": list(r.columns), "rows": [list(row) for row in r.rows]}


@router.get("/complaints/{key}", response_model=ComplaintOut, responses=responses(404),
            summary="One complaint with its notes and the member's notice. " + roles_text([Action.COMPLAINT_READ]))
def read(key: str, actor: Actor = allowed(Action.COMPLAINT_READ), uow=Depends(get_uow)) -> dict:
    return _one(uow, actor, key)


@router.post("/complaints/{key}/notes", response_model=ComplaintOut, status_code=201,
             responses=responses(400, 404, 409, 422),
             summary="Add an investigation note (an open complaint is then under investigation). "
                     + roles_text([Action.COMPLAINT_INVESTIGATE]))
def note(key: str, body: complaints.NoteIn, actor: Actor = allowed(Action.COMPLAINT_INVESTIGATE),
         uow=Depends(get_uow)) -> dict:
    complaints.add_note(uow, actor, key, body, clock.now())
    return complaints.describe(complaints.view(uow, complaints.visible_complaint(uow, actor, key), clock.now()))


@router.post("/complaints/{key}/investigation", response_model=ComplaintOut, responses=responses(404, 409),
             summary="Start the investigation of an open complaint. " + roles_text([Action.COMPLAINT_INVESTIGATE]))
def investigate(key: str, actor: Actor = allowed(Action.COMPLAINT_INVESTIGATE), uow=Depends(get_uow)) -> dict:
    return complaints.describe(complaints.view(uow, complaints.start_investigation(uow, actor, key, clock.now()),
                                               clock.now()))


@router.post("/complaints/{key}/resolution", response_model=ComplaintOut,
             responses=responses(400, 404, 409, 422),
             summary="Resolve a complaint under investigation with its finding (substantiated or not) and "
                     "resolution; the member gets a notice. " + roles_text([Action.COMPLAINT_INVESTIGATE]))
def resolve(key: str, body: complaints.ResolutionIn, actor: Actor = allowed(Action.COMPLAINT_INVESTIGATE),
            uow=Depends(get_uow)) -> dict:
    return complaints.describe(complaints.view(uow, complaints.resolve(uow, actor, key, body, clock.now()),
                                               clock.now()))
