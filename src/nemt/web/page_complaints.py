"""Complaint pages: the list (overdue ones marked), the intake form (from a ride's confirmation number, or a member's
page), one complaint with its notes, the investigation and resolution forms and the member's notice, a member's
complaints, and the complaints report (chart, table, CSV). Thin: forms in, ``nemt.services.complaints`` out."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form

from nemt import clock
from nemt.domain.statuses import ComplaintCategory, ComplaintFinding, ComplaintReporter, ComplaintStatus
from nemt.services import complaints
from nemt.services.complaints.intake import REPORTERS
from nemt.services.platform.errors import ServiceError
from nemt.services.platform.inputs import optional_date_input
from nemt.services.platform.permissions import Action
from nemt.services.rides import parse_input
from nemt.web import charts
from nemt.web.common import Page, PageRoute, csv_response, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)
DAYS_BACK = 90
CATEGORY_WORDS = {"late": "Late", "driver-no-show": "No-show by the driver", "driver-conduct": "Driver conduct",
                  "vehicle-condition": "Vehicle condition", "safety": "Safety", "billing": "Billing", "other": "Other"}
REPORTER_WORDS = {"member": "the member (you record the member's call)", "call-center": "the call center",
                  "facility": "the medical facility", "transportation-provider": "the transportation provider",
                  "department": "the Department"}


def _period(page: Page, start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    s = optional_date_input(start, "start", "report period", label="the start of the period")
    e = optional_date_input(end, "end", "report period", label="the end of the period")
    today = page.today()
    return s or today - dt.timedelta(days=DAYS_BACK), e or today


def _form_page(page: Page, form: dict, error: ServiceError | None = None):
    reporters = [(str(r), REPORTER_WORDS[str(r)]) for r in REPORTERS.get(page.actor.role, tuple(ComplaintReporter))]
    return page.render("complaints/new.html", status_code=error.status if error else 200, form=form, error=error,
                       categories=[(str(c), CATEGORY_WORDS[str(c)]) for c in ComplaintCategory], reporters=reporters)


@router.get("/complaints")
def complaints_list(page: Page = Depends(page_for(Action.COMPLAINT_READ)), status: str | None = None):
    status = status if status in set(ComplaintStatus) else None
    found = complaints.list_complaints(page.uow, page.actor, clock.now(), status=status)
    return page.render("complaints/list.html", found=found, status=status, statuses=list(ComplaintStatus),
                       member_key=None, can_record=page.may(Action.COMPLAINT_RECORD),
                       can_report=page.may(Action.COMPLAINT_REPORT), words=CATEGORY_WORDS)


@router.get("/complaints/new")
def complaint_form(page: Page = Depends(page_for(Action.COMPLAINT_RECORD)), trip: str | None = None,
                   member: str | None = None):
    return _form_page(page, {"trip": trip or "", "member": member or ""})


@router.post("/complaints/new")
def complaint_record(page: Page = Depends(page_for(Action.COMPLAINT_RECORD)), csrf_token: str = Form(""),
                     category: str = Form(""), description: str = Form(""), reported_by: str = Form(""),
                     confirmation: str = Form(""), trip: str = Form(""), member: str = Form("")):
    check_csrf(page.request, csrf_token)
    form = {"category": category, "description": description, "reported_by": reported_by,
            "confirmation": confirmation, "trip": trip, "member": member}
    try:
        command = parse_input(complaints.ComplaintIn, {k: v.strip() for k, v in form.items() if v.strip()})
        complaint = complaints.record_complaint(page.uow, page.actor, command, clock.now())
    except ServiceError as exc:
        page.uow.rollback()
        return _form_page(page, form, exc)
    page.request.session["flash"] = f"Complaint {complaint.reference} recorded; due by {complaint.due_on}."
    return redirect(f"/complaints/{complaint.key}")


@router.get("/complaints/report")
def complaints_report(page: Page = Depends(page_for(Action.COMPLAINT_REPORT)), start: str | None = None,
                      end: str | None = None):
    s, e = _period(page, start, end)
    report = complaints.complaints_report(page.uow, page.actor, s, e)
    chart = charts.bar_chart(complaints.chart_items(report), "Complaints per 1,000 trips by provider")
    return page.render("complaints/report.html", report=report, chart=chart, start=s, end=e)


@router.get("/complaints/report.csv")
def complaints_report_csv(page: Page = Depends(page_for(Action.COMPLAINT_REPORT)), start: str | None = None,
                          end: str | None = None):
    s, e = _period(page, start, end)
    report = complaints.complaints_report(page.uow, page.actor, s, e)
    return csv_response(report.csv(), f"complaints-{s.isoformat()}-{e.isoformat()}.csv")


def _detail(page: Page, key: str, error: ServiceError | None = None, form: dict | None = None):
    view = complaints.get_complaint(page.uow, page.actor, key, clock.now())
    return page.render("complaints/detail.html", status_code=error.status if error else 200, view=view,
                       c=view.complaint, error=error, form=form or {}, words=CATEGORY_WORDS,
                       findings=[(str(f), str(f).replace("-", " ")) for f in ComplaintFinding],
                       can_investigate=page.may(Action.COMPLAINT_INVESTIGATE),
                       can_open_member=page.may(Action.MEMBER_SEARCH))


@router.get("/complaints/{key}")
def complaint_page(key: str, page: Page = Depends(page_for(Action.COMPLAINT_READ))):
    return _detail(page, key)


@router.post("/complaints/{key}/notes")
def complaint_note(key: str, page: Page = Depends(page_for(Action.COMPLAINT_INVESTIGATE)),
                   csrf_token: str = Form(""), text: str = Form("")):
    check_csrf(page.request, csrf_token)
    try:
        complaints.add_note(page.uow, page.actor, key, parse_input(complaints.NoteIn, {"text": text.strip()}),
                            clock.now())
    except ServiceError as exc:
        page.uow.rollback()
        return _detail(page, key, exc, {"text": text})
    page.request.session["flash"] = "Note added."
    return redirect(f"/complaints/{key}")


@router.post("/complaints/{key}/resolve")
def complaint_resolve(key: str, page: Page = Depends(page_for(Action.COMPLAINT_INVESTIGATE)),
                      csrf_token: str = Form(""), finding: str = Form(""), resolution: str = Form("")):
    check_csrf(page.request, csrf_token)
    try:
        command = parse_input(complaints.ResolutionIn, {"finding": finding, "resolution": resolution.strip()})
        complaints.resolve(page.uow, page.actor, key, command, clock.now())
    except ServiceError as exc:
        page.uow.rollback()
        return _detail(page, key, exc, {"finding": finding, "resolution": resolution})
    page.request.session["flash"] = "Complaint resolved; the member's notice is below."
    return redirect(f"/complaints/{key}")


@router.get("/members/{key}/complaints")
def member_complaints(key: str, page: Page = Depends(page_for(Action.COMPLAINT_READ))):
    found = complaints.list_complaints(page.uow, page.actor, clock.now(), member_key=key)
    return page.render("complaints/list.html", found=found, status=None, statuses=list(ComplaintStatus),
                       member_key=key, can_record=page.may(Action.COMPLAINT_RECORD),
                       can_report=page.may(Action.COMPLAINT_REPORT), words=CATEGORY_WORDS)
