"""A trip's meals and lodging (Ancillary Services: Meals/Lodging): the list with the claim each is billed on, the form
to record one with its receipt, and the receipt itself. Reached from the provider's trip log (and by agents from the
same address); the trip is named by its opaque key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response

from nemt import clock
from nemt.domain.actors import Role
from nemt.http.uploads import read_upload
from nemt.services.claims.expenses import ExpenseIn, expense_receipt, record_expense, trip_expenses
from nemt.services.platform.errors import ServiceError
from nemt.services.platform.permissions import Action, may
from nemt.services.rides import parse_input
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_FIELDS = ("kind", "for", "escort_number", "service_date", "amount")


def _render(page: Page, trip_key: str, form: dict[str, Any] | None = None, error: ServiceError | None = None):
    expenses = trip_expenses(page.uow, page.actor, trip_key)
    back = "/provider/trips" if page.actor.role == Role.PROVIDER_ADMIN else "/"
    return page.render("expenses/trip.html", status_code=error.status if error else 200, trip_key=trip_key,
                       expenses=expenses, form=form or {}, error=error, back=back,
                       may_record=may(page.actor, Action.EXPENSE_RECORD))


@router.get("/trips/{trip_key}/expenses")
def expenses_page(trip_key: str, page: Page = Depends(page_for(Action.EXPENSE_READ))):
    return _render(page, trip_key)


@router.post("/trips/{trip_key}/expenses")
def record(trip_key: str, page: Page = Depends(page_for(Action.EXPENSE_RECORD)), csrf_token: str = Form(""),
           kind: str = Form(""), person: str = Form("member", alias="for"), escort_number: str = Form(""),
           service_date: str = Form(""), amount: str = Form(""), out_of_state: str = Form(""),
           inpatient_stay: str = Form(""), receipt: UploadFile = File(...)):
    """Record one receipt; a refusal shows the form again with the sentence, the field and the rule."""
    check_csrf(page.request, csrf_token)
    form = {"kind": kind, "for": person, "escort_number": escort_number, "service_date": service_date,
            "amount": amount, "out_of_state": bool(out_of_state), "inpatient_stay": bool(inpatient_stay)}
    try:
        command = parse_input(ExpenseIn, {**form, "escort_number": escort_number or None})
        view = record_expense(page.uow, page.actor, trip_key, command, read_upload(receipt, "receipt"), clock.now())
    except ServiceError as exc:
        page.uow.rollback()
        return _render(page, trip_key, form, exc)
    page.request.session["flash"] = f"The {view.kind} receipt of {view.service_date.isoformat()} is recorded."
    return redirect(f"/trips/{trip_key}/expenses")


@router.get("/expenses/{key}/receipt")
def receipt(key: str, page: Page = Depends(page_for(Action.EXPENSE_READ))):
    content, media_type = expense_receipt(page.uow, page.actor, key)
    return Response(content, media_type=media_type, headers={"Cache-Control": "no-store",
                                                              "Content-Disposition": "inline"})
