"""Meals and lodging with their receipts (Ancillary Services: Meals/Lodging): record one for a trip (a multipart
form with the receipt file), list a trip's, read a receipt.

Thin: the form is ``nemt.services.claims.expenses.ExpenseIn``; trips and expenses are addressed by opaque key only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile
from pydantic import BaseModel, Field

from nemt import clock
from nemt.api.problems import SIGNED_IN, responses
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.http.uploads import read_upload
from nemt.services.claims.expenses import ExpenseIn, expense_receipt, record_expense, trip_expenses
from nemt.services.platform.permissions import Action, roles_text
from nemt.services.rides import parse_input

router = APIRouter(prefix="/api/v1", tags=["claims"], responses=SIGNED_IN)


class ExpenseOut(BaseModel):
    key: str
    trip: str
    kind: str
    for_: str = Field(alias="for")
    escort_number: int | None
    service_date: dt.date
    amount: str
    out_of_state: bool
    inpatient_stay: bool
    receipt_type: str
    receipt_bytes: int
    recorded_at: dt.datetime
    claim_number: str | None


@router.post("/trips/{key}/expenses", response_model=ExpenseOut, status_code=201,
             responses=responses(400, 404, 413, 422),
             summary="Record a meals or lodging receipt of a trip (multipart form: kind, for, escort_number, "
                     "service_date, amount, out_of_state, inpatient_stay, and the receipt as a PDF, PNG or JPEG "
                     "file). " + roles_text([Action.EXPENSE_RECORD]))
def record(key: str, kind: str = Form(...), service_date: str = Form(...), amount: str = Form(...),
           for_: str = Form("member", alias="for"), escort_number: int | None = Form(None),
           out_of_state: bool = Form(False), inpatient_stay: bool = Form(False),
           receipt: UploadFile = File(...), actor: Actor = allowed(Action.EXPENSE_RECORD),
           uow=Depends(get_uow)) -> dict[str, Any]:
    command = parse_input(ExpenseIn, {"kind": kind, "for": for_, "escort_number": escort_number,
                                      "service_date": service_date, "amount": amount, "out_of_state": out_of_state,
                                      "inpatient_stay": inpatient_stay})
    content = read_upload(receipt, "receipt")
    return record_expense(uow, actor, key, command, content, clock.now()).as_dict()


@router.get("/trips/{key}/expenses", response_model=list[ExpenseOut], responses=responses(404),
            summary="A trip's meals and lodging, each with the claim it was billed on. "
                    + roles_text([Action.EXPENSE_READ]))
def listed(key: str, actor: Actor = allowed(Action.EXPENSE_READ), uow=Depends(get_uow)) -> list[dict[str, Any]]:
    return [view.as_dict() for view in trip_expenses(uow, actor, key)]


@router.get("/expenses/{key}/receipt", response_class=Response, responses=responses(404),
            summary="The receipt of a meals or lodging expense (PDF, PNG or JPEG). "
                    + roles_text([Action.EXPENSE_READ]))
def receipt(key: str, actor: Actor = allowed(Action.EXPENSE_READ), uow=Depends(get_uow)) -> Response:
    content, media_type = expense_receipt(uow, actor, key)
    return Response(content, media_type=media_type, headers={"Cache-Control": "no-store",
                                                              "Content-Disposition": "inline"})
