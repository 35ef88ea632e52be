"""Program integrity for the Department's auditors (issue 15): the provider analytics (scores and the legs behind
them) and review cases (open, hold the provider's claims — a payment suspension —, note, release, deny). Thin: parse,
call :mod:`nemt.services.integrity`, answer. Providers by NPI, cases by number; member data never goes in a URL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from nemt.api.problems import SIGNED_IN, responses
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.services import integrity
from nemt.services.integrity import analytics
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(responses=SIGNED_IN)
_CASE = roles_text([Action.CASE_REVIEW])
_READ = roles_text([Action.INTEGRITY_READ])
Score = Literal["total", "burst", "miles_per_trip", "riders_per_vehicle_trip", "repeated_long_trips",
                "unverified_share", "overlaps", "impossible"]


class OpenIn(BaseModel):
    provider_npi: str = Field(description="the transportation provider's NPI")
    reason: str = Field(description="why the case is opened")


class StepIn(BaseModel):
    reason: str = Field(description="why (hold: why the payments are suspended; release, deny: why the case closes)")


class NoteIn(BaseModel):
    text: str = Field(description="the finding (append-only)")


def _score_row(row: analytics.ProviderRow) -> dict[str, Any]:
    s = row.score
    return {"provider_npi": row.npi, "provider": row.name, "case": row.case_number, "case_status": row.case_status,
            "trips": s.trips, "weekly_trips": s.weekly_trips, "history_weekly_trips": s.history_weekly_trips,
            **{c: getattr(s, c) for c in analytics.COMPONENTS}, "total": s.total,
            "legs_behind": {c: len(s.behind.get(c, ())) for c in analytics.COMPONENTS}}


@router.get("/api/v1/integrity/providers", tags=["integrity"], responses=responses(422),
            summary="Per provider, the scores of the period (highest first by `sort`). " + _READ)
def providers(start: dt.date, end: dt.date, sort: Score = "total", program: str | None = None,
              actor: Actor = allowed(Action.INTEGRITY_READ), uow=Depends(get_uow)) -> dict:
    result = analytics.provider_analytics(uow, actor, start, end, sort=sort, program=program)
    return {"program": result.program, "start": start, "end": end, "sort": sort,
            "providers": [_score_row(r) for r in result.rows]}


@router.get("/api/v1/integrity/providers/{npi}/legs", tags=["integrity"], responses=responses(404, 422),
            summary="The legs behind one provider's score (`score=total`: all its legs of the period). " + _READ)
def legs(npi: str, start: dt.date, end: dt.date, score: Score = "total", program: str | None = None,
         actor: Actor = allowed(Action.INTEGRITY_READ), uow=Depends(get_uow)) -> dict:
    found = analytics.legs_behind(uow, actor, npi, score, start, end, program=program)
    return {"provider_npi": found.npi, "provider": found.name, "score": score,
            "legs": [{k: v for k, v in dataclasses.asdict(f).items()} for f in found.legs]}


@router.get("/api/v1/integrity/cases", tags=["integrity"], responses=responses(404, 422),
            summary="The review cases of the program, newest first. " + _CASE)
def cases(status: str | None = Query(None, description="open, held, released or denied"),
          provider_npi: str | None = None, actor: Actor = allowed(Action.CASE_REVIEW),
          uow=Depends(get_uow)) -> list[dict]:
    return [c.as_dict() for c in integrity.list_cases(uow, actor, status=status, provider_npi=provider_npi)]


@router.post("/api/v1/integrity/cases", tags=["integrity"], status_code=201, responses=responses(400, 404, 409, 422),
             summary="Open a review case on a provider (one active case per provider). " + _CASE)
def open_case(body: OpenIn, actor: Actor = allowed(Action.CASE_REVIEW), uow=Depends(get_uow)) -> dict:
    return integrity.open_case(uow, actor, body.provider_npi, body.reason).as_dict()


@router.get("/api/v1/integrity/cases/{number}", tags=["integrity"], responses=responses(404),
            summary="A review case with its findings. " + _CASE)
def case(number: str, actor: Actor = allowed(Action.CASE_REVIEW), uow=Depends(get_uow)) -> dict:
    return integrity.read_case(uow, actor, number).as_dict()


@router.post("/api/v1/integrity/cases/{number}/hold", tags=["integrity"], responses=responses(400, 404, 409, 422),
             summary="Hold the provider's claims from export: a payment suspension (42 CFR 455.23; Colorado "
                     "HB24-1146), recorded with who, when and why. " + _CASE)
def hold(number: str, body: StepIn, actor: Actor = allowed(Action.CASE_REVIEW), uow=Depends(get_uow)) -> dict:
    return integrity.hold_case(uow, actor, number, body.reason).as_dict()


@router.post("/api/v1/integrity/cases/{number}/notes", tags=["integrity"], status_code=201,
             responses=responses(400, 404, 409, 422), summary="Note a finding (append-only). " + _CASE)
def note(number: str, body: NoteIn, actor: Actor = allowed(Action.CASE_REVIEW), uow=Depends(get_uow)) -> dict:
    return integrity.note_case(uow, actor, number, body.text).as_dict()


@router.post("/api/v1/integrity/cases/{number}/release", tags=["integrity"], responses=responses(400, 404, 409, 422),
             summary="Close the case; the provider's claims are exportable again. " + _CASE)
def release(number: str, body: StepIn, actor: Actor = allowed(Action.CASE_REVIEW), uow=Depends(get_uow)) -> dict:
    return integrity.release_case(uow, actor, number, body.reason).as_dict()


@router.post("/api/v1/integrity/cases/{number}/deny", tags=["integrity"], responses=responses(400, 404, 409, 422),
             summary="Close the case denying the held claims, each with the rule. " + _CASE)
def deny(number: str, body: StepIn, actor: Actor = allowed(Action.CASE_REVIEW), uow=Depends(get_uow)) -> dict:
    return integrity.deny_case(uow, actor, number, body.reason).as_dict()
