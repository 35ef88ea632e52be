"""The reviewers' page of claims suspended for review (issue 15): each claim with the edits that hold it, and a
reason field with Release / Deny buttons. Thin: parse the form, call :mod:`nemt.services.claims.review`, render."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form

from nemt.services.claims import review
from nemt.services.platform.errors import NotFound, ServiceError
from nemt.services.platform.permissions import Action
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)
_DECISIONS = {"release": (review.release_claim, "released: it is ready to export"),
              "deny": (review.deny_claim, "denied on review")}


def _listing(page: Page, error: ServiceError | None = None, status_code: int = 200):
    return page.render("integrity/claims_in_review.html", claims=review.claims_in_review(page.uow, page.actor),
                       rule=review.RULE, error=error, status_code=status_code)


@router.get("/integrity/claims")
def in_review(page: Page = Depends(page_for(Action.CASE_REVIEW))):
    return _listing(page)


@router.post("/integrity/claims/{claim_number}/{decision}")
def decide(claim_number: str, decision: str, page: Page = Depends(page_for(Action.CASE_REVIEW)),
           csrf_token: str = Form(""), reason: str = Form("")):
    """release or deny (with the reason); the list again, with what happened."""
    check_csrf(page.request, csrf_token)
    try:
        if decision not in _DECISIONS:
            raise NotFound("no such decision", field="decision", rule=review.RULE)
        action, words = _DECISIONS[decision]
        view = action(page.uow, page.actor, claim_number, reason)
    except ServiceError as exc:
        page.uow.rollback()
        return _listing(page, exc, exc.status)
    page.request.session["flash"] = f"Claim {view.claim_number} is {words}."
    return redirect("/integrity/claims")
