"""The reviewer's decision on claims suspended for review (issue 15): list them with the edits that hold them,
release one (ready, exportable) or deny it (denied, with the rule). Thin: parse, call
:mod:`nemt.services.claims.review`, answer. Claims by number; member data never goes in a URL.

Registered before the claims routes: ``/api/v1/claims/review`` is not a claim number."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from nemt.api.problems import SIGNED_IN, responses
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.services.claims import review
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(responses=SIGNED_IN)
_REVIEW = roles_text([Action.CASE_REVIEW])


class DecisionIn(BaseModel):
    reason: str = Field(description="why the claim is released or denied (recorded with who and when)")


@router.get("/api/v1/claims/review", tags=["claims"], responses=responses(422),
            summary="The claims suspended for review, oldest first, each with the edits that hold it. " + _REVIEW)
def in_review(program: str | None = Query(None, description="CO or CT (default: all the reviewer may see)"),
              actor: Actor = allowed(Action.CASE_REVIEW), uow=Depends(get_uow)) -> list[dict]:
    return [c.as_dict() for c in review.claims_in_review(uow, actor, program)]


@router.post("/api/v1/claims/{claim_number}/release", tags=["claims"], responses=responses(400, 404, 409, 422),
             summary="Release a claim in review: it becomes ready (exportable), with the reviewer's reason. "
                     + _REVIEW)
def release(claim_number: str, body: DecisionIn, actor: Actor = allowed(Action.CASE_REVIEW),
            uow=Depends(get_uow)) -> dict:
    return review.release_claim(uow, actor, claim_number, body.reason).as_dict()


@router.post("/api/v1/claims/{claim_number}/deny-on-review", tags=["claims"],
             responses=responses(400, 404, 409, 422),
             summary="Deny a claim in review: it becomes denied with the edit denied-on-review. " + _REVIEW)
def deny(claim_number: str, body: DecisionIn, actor: Actor = allowed(Action.CASE_REVIEW),
         uow=Depends(get_uow)) -> dict:
    return review.deny_claim(uow, actor, claim_number, body.reason).as_dict()
