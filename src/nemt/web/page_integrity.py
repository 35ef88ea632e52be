"""The auditors' integrity pages (issue 15): the provider analytics (sortable scores, a chart, CSV, the legs behind
each score, "open a case" on a provider's row) and the review cases (open, hold the provider's claims, note,
release, deny). Thin: parse the form, call :mod:`nemt.services.integrity`, render."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form

from nemt.services import integrity
from nemt.services.integrity import analytics
from nemt.services.platform.errors import NotFound, ServiceError
from nemt.services.platform.inputs import optional_date_input
from nemt.services.platform.permissions import Action
from nemt.services.reports.export import csv_text
from nemt.web import charts
from nemt.web.common import Page, PageRoute, csv_response, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)
DEFAULT_DAYS_BACK, DEFAULT_DAYS_AHEAD = 28, 7
_STEPS = {"hold": integrity.hold_case, "release": integrity.release_case, "deny": integrity.deny_case}


def _period(page: Page, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    today = page.today()
    s = optional_date_input(start, "start", analytics.RULE, label="the start of the period")
    e = optional_date_input(end, "end", analytics.RULE, label="the end of the period")
    return (s or today - dt.timedelta(days=DEFAULT_DAYS_BACK), e or today + dt.timedelta(days=DEFAULT_DAYS_AHEAD))


@router.get("/integrity")
def scores(page: Page = Depends(page_for(Action.INTEGRITY_READ)), start: str | None = None, end: str | None = None,
           sort: str = "total"):
    s, e = _period(page, start, end)
    result = analytics.provider_analytics(page.uow, page.actor, s, e, sort=sort)
    chart = charts.bar_chart(result.chart_items(), f"Providers by {analytics.WORDS[sort]}")
    return page.render("integrity/scores.html", result=result, chart=chart, words=analytics.WORDS,
                       components=analytics.COMPONENTS, start=s, end=e)


@router.get("/integrity.csv")
def scores_csv(page: Page = Depends(page_for(Action.INTEGRITY_READ)), start: str | None = None,
               end: str | None = None, sort: str = "total"):
    s, e = _period(page, start, end)
    result = analytics.provider_analytics(page.uow, page.actor, s, e, sort=sort)
    return csv_response(csv_text(analytics.CSV_COLUMNS, result.csv_rows()),
                        f"provider-scores-{s.isoformat()}-{e.isoformat()}.csv")


@router.get("/integrity/providers/{npi}/legs")
def legs(npi: str, page: Page = Depends(page_for(Action.INTEGRITY_READ)), score: str = "total",
         start: str | None = None, end: str | None = None):
    s, e = _period(page, start, end)
    found = analytics.legs_behind(page.uow, page.actor, npi, score, s, e)
    return page.render("integrity/legs.html", found=found, words=analytics.WORDS, start=s, end=e)


@router.get("/integrity/cases")
def cases(page: Page = Depends(page_for(Action.CASE_REVIEW)), status: str | None = None):
    return page.render("integrity/cases.html", cases=integrity.list_cases(page.uow, page.actor, status=status or None),
                       status=status or "")


@router.get("/integrity/cases/new")
def new_case(page: Page = Depends(page_for(Action.CASE_REVIEW)), provider: str = "", reason: str = ""):
    return page.render("integrity/new_case.html", provider=provider, reason=reason, error=None)


@router.post("/integrity/cases")
def open_case(page: Page = Depends(page_for(Action.CASE_REVIEW)), csrf_token: str = Form(""),
              provider: str = Form(""), reason: str = Form("")):
    check_csrf(page.request, csrf_token)
    try:
        case = integrity.open_case(page.uow, page.actor, provider, reason)
    except ServiceError as exc:
        page.uow.rollback()
        return page.render("integrity/new_case.html", provider=provider, reason=reason, error=exc,
                           status_code=exc.status)
    return redirect(f"/integrity/cases/{case.number}")


@router.get("/integrity/cases/{number}")
def case(number: str, page: Page = Depends(page_for(Action.CASE_REVIEW))):
    return page.render("integrity/case.html", case=integrity.read_case(page.uow, page.actor, number), error=None)


@router.post("/integrity/cases/{number}/{step}")
def step(number: str, step: str, page: Page = Depends(page_for(Action.CASE_REVIEW)), csrf_token: str = Form(""),
         reason: str = Form(""), text: str = Form("")):
    """hold, release, deny (with the reason) or note (with the text); the case page again, with what happened."""
    check_csrf(page.request, csrf_token)
    try:
        if step == "note":
            view = integrity.note_case(page.uow, page.actor, number, text)
        elif step in _STEPS:
            view = _STEPS[step](page.uow, page.actor, number, reason)
        else:
            raise NotFound("no such step", field="step", rule="review case steps")
    except ServiceError as exc:
        page.uow.rollback()
        return page.render("integrity/case.html", case=integrity.read_case(page.uow, page.actor, number), error=exc,
                           status_code=exc.status)
    page.request.session["flash"] = _said(step, view)
    return redirect(f"/integrity/cases/{view.number}")


def _said(step: str, view: integrity.CaseView) -> str:
    if step == "note":
        return "The finding is noted."
    said = f"Review case {view.number} is {view.status_words}."
    if step == "hold":
        said += f" {view.held_claims} claims of {view.provider_name} are held from export ({view.rule})."
    if step == "deny":
        said += f" {view.denied_claims} held claims are denied ({view.rule})."
    return said
