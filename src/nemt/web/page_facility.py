"""Medical-facility pages: book an urgent ride (hospital discharge, missed pick-up over an hour, critical unplanned
care). The scheduler finds the member by exact Medicaid ID (the only search a facility may make of members it has
not booked for), and books from the result; the ride page then shows the decision and its rules."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from nemt.services import members, rides
from nemt.services.platform.errors import ServiceError
from nemt.services.platform.permissions import Action
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf
from nemt.web.page_booking import form_data, form_options, now, ride_body

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _default_destination(page: Page, options: dict) -> str:
    """The facility's own entry in the directory (same name), for a discharge from it."""
    name = page.user.organization.name
    for value, label in options["destinations"]:
        if label.startswith(name) and ("hospital" in label or "primary care" in label):
            return value
    return ""


def _render(page: Page, found=None, error: ServiceError | None = None, form: dict | None = None, status: int = 200):
    options = form_options(page)
    form = form or {}
    form.setdefault("destination", _default_destination(page, options))
    form.setdefault("direction", "from-appointment")
    trips = rides.rides_of_day(page.uow, page.actor, page.today())
    return page.render("facility.html", status_code=status, found=found, error=error, form=form, facility=True,
                       today=page.today(), trips=trips, **options)


@router.get("/facility/urgent")
def urgent_form(page: Page = Depends(page_for(Action.RIDE_BOOK_URGENT))):
    return _render(page)


@router.post("/facility/urgent/find")
def find(request: Request, page: Page = Depends(page_for(Action.RIDE_BOOK_URGENT)), form=Depends(form_data)):
    check_csrf(request, form.get("csrf_token"))
    try:
        found = members.find_members(page.uow, page.actor, medicaid_id=(form.get("medicaid_id") or "").strip())
    except ServiceError as exc:
        return _render(page, error=exc, status=exc.status)
    return _render(page, found=found)


@router.post("/facility/urgent/book")
def book(request: Request, page: Page = Depends(page_for(Action.RIDE_BOOK_URGENT)), form=Depends(form_data)):
    check_csrf(request, form.get("csrf_token"))
    try:
        body = ride_body(page, form, form.get("member") or "")
        body["requested_by"] = "medical-facility"
        result = rides.book_ride(page.uow, page.actor, rides.parse_input(rides.RideRequestIn, body), now())
    except ServiceError as exc:
        page.uow.rollback()
        data = {k: v for k, v in form.items() if k != "csrf_token"}
        return _render(page, error=exc, form=data, status=exc.status)
    request.session["flash"] = f"Urgent ride booked: {result.trip.confirmation}."
    return redirect(f"/trips/{result.trip.key}")
