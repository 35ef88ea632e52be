"""Rides: book, read, change and cancel; standing orders; the dispatch list of a day; notices.

Thin: parse the JSON body (the commands of ``nemt.services.rides``), call the use case, render its dict. Members are
addressed only by their opaque key, in the body or the path; no member data ever goes into a URL.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel, Field

from nemt import clock
from nemt.api.problems import SIGNED_IN, responses
from nemt.domain.actors import Actor
from nemt.http.deps import allowed, get_uow
from nemt.services import rides
from nemt.services.platform.permissions import Action, roles_text

router = APIRouter(prefix="/api/v1", tags=["rides"], responses=SIGNED_IN)

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description=(
    "Optional. The same key twice makes one ride; without it, member + appointment + destination + direction "
    "identify the request."))]


def _now() -> dt.datetime:
    return clock.now()


class ReasonOut(BaseModel):
    code: str
    kind: str
    message: str
    citation: str


class PlaceOut(BaseModel):
    address: str
    zip: str


class DestinationOut(PlaceOut):
    provider: str | None
    name: str
    county: str
    state: str


class LegOut(BaseModel):
    key: str
    sequence: int
    status: str
    service_date: dt.date
    origin: PlaceOut
    destination: PlaceOut
    pickup_earliest: dt.datetime | None
    dropoff_latest: dt.datetime | None
    miles: float
    provider: dict | None
    vehicle: str | None
    driver: str | None
    planned_pickup: dt.datetime | None
    planned_dropoff: dt.datetime | None
    will_call: bool = Field(default=False, description="a return the member calls for when ready")


class RideOut(BaseModel):
    key: str
    confirmation: str
    program: str
    member: str = Field(description="the member's opaque key")
    status: str
    outcome: str
    mode: str | None
    requested_mode: str
    arranged_by: str
    arranged_by_reason: str = Field(default="", description="why that office arranges the ride, in plain words")
    reason_codes: list[str]
    reasons: list[ReasonOut]
    requested_by: str
    requested_at: dt.datetime
    appointment_at: dt.datetime
    service_date: dt.date
    purpose: str
    pickup: PlaceOut
    destination: DestinationOut
    miles: float
    round_trip: bool
    urgent: bool
    space: str
    escorts: int
    passengers: int
    driver_notes: str = Field(default="", description="what the driver should know; on the driver's manifest")
    standing_order: str | None
    cancelled_at: dt.datetime | None
    cancel_reason: str | None
    notices: list[str]
    legs: list[LegOut]
    created: bool | None = Field(default=None, description="on booking: false when the same request was booked "
                                                           "before (retry) and this is that ride")
    notice: str | None = Field(default=None, description="on booking or change: the notice written, if any")


class StandingOrderOut(BaseModel):
    key: str
    member: str
    weekdays: list[str]
    appointment_time: str
    start_date: dt.date
    end_date: dt.date
    cancelled_at: dt.datetime | None
    created: bool
    cancelled_trips: int
    rides: list[RideOut]


class NoticeOut(BaseModel):
    key: str
    kind: str
    trip: str
    confirmation: str
    member: str
    program: str
    service_date: dt.date
    arranged_by: str
    arranged_by_reason: str = ""
    created_at: dt.datetime
    reasons: list[dict[str, str]]
    appeal: str


class CancelIn(BaseModel):
    leg: int | str | None = Field(default=None, description="cancel one leg only: its sequence (1, 2) or key")
    reason: Annotated[str, Field(max_length=200)] = ""


class CancelOrderIn(BaseModel):
    reason: Annotated[str, Field(max_length=200)] = ""


def _ride(uow, result: rides.BookingResult | Any) -> dict:
    if isinstance(result, rides.BookingResult):
        return rides.describe_booking(uow, result)
    return rides.describe_ride(uow, result)


def _order(uow, result: rides.StandingOrderResult) -> dict:
    return rides.describe_standing_order(uow, result)


REPEAT = "A repeat of an earlier request (the same Idempotency-Key, or the same request): the earlier answer."


def _repeat_is_200(response: Response, created: bool) -> None:
    """201 for a new booking or order; 200 when an idempotency key replays an earlier one."""
    if not created:
        response.status_code = 200


@router.post("/rides", response_model=RideOut, status_code=201,
             responses={200: {"model": RideOut, "description": REPEAT}, **responses(400, 404, 409, 422, 429)},
             summary="Book a ride (decided at once; a notice when denied or pending). 201 new, 200 repeat of an "
                     "earlier request. " + roles_text([Action.RIDE_BOOK]))
def book(body: rides.RideRequestIn, response: Response, idempotency_key: IdempotencyKey = None,
         actor: Actor = allowed(Action.RIDE_BOOK), uow=Depends(get_uow)) -> dict:
    result = rides.book_ride(uow, actor, body, _now(), idempotency_key=idempotency_key)
    _repeat_is_200(response, result.created)
    return _ride(uow, result)


@router.get("/rides", response_model=list[RideOut],
            responses=responses(422),
            summary="The rides of one day (local date of service), for dispatch; scoped to what the caller may "
                    "see. " + roles_text([Action.RIDE_READ]))
def rides_of_day(date: dt.date = Query(description="YYYY-MM-DD"), actor: Actor = allowed(Action.RIDE_READ),
                 uow=Depends(get_uow)) -> list[dict]:
    return rides.rides_of_the_day(uow, actor, date)


@router.get("/rides/{key}", response_model=RideOut,
            responses=responses(404),
            summary="One ride by its key. " + roles_text([Action.RIDE_READ]))
def read_ride(key: str, actor: Actor = allowed(Action.RIDE_READ), uow=Depends(get_uow)) -> dict:
    return _ride(uow, rides.get_ride(uow, actor, key))


@router.patch("/rides/{key}", response_model=RideOut,
              responses=responses(400, 404, 409, 422),
              summary="Change the appointment time, return pick-up, destination or mode; the ride is decided "
                      "again. " + roles_text([Action.RIDE_BOOK]))
def change_ride(key: str, body: rides.RideChange, actor: Actor = allowed(Action.RIDE_BOOK),
                uow=Depends(get_uow)) -> dict:
    return _ride(uow, rides.change_ride(uow, actor, key, body, _now()))


@router.post("/rides/{key}/cancel", response_model=RideOut,
             responses=responses(400, 404, 409, 422),
             summary="Cancel a ride or one of its legs; a cancelled leg leaves the vehicle schedule. "
                     + roles_text([Action.RIDE_BOOK]))
def cancel_ride(key: str, body: CancelIn | None = None, actor: Actor = allowed(Action.RIDE_BOOK),
                uow=Depends(get_uow)) -> dict:
    body = body or CancelIn()
    return _ride(uow, rides.cancel_ride(uow, actor, key, _now(), leg=body.leg, reason=body.reason))


@router.post("/standing-orders", response_model=StandingOrderOut, status_code=201,
             responses={200: {"model": StandingOrderOut, "description": REPEAT},
                        **responses(400, 404, 409, 422, 429)},
             summary="Recurring appointments: a standing order and one decided ride per future occurrence. "
                     + roles_text([Action.RIDE_BOOK]))
def create_standing_order(body: rides.StandingOrderIn, response: Response, idempotency_key: IdempotencyKey = None,
                          actor: Actor = allowed(Action.RIDE_BOOK), uow=Depends(get_uow)) -> dict:
    result = rides.create_standing_order(uow, actor, body, _now(), idempotency_key=idempotency_key)
    _repeat_is_200(response, result.created)
    return _order(uow, result)


@router.get("/standing-orders/{key}", response_model=StandingOrderOut,
            responses=responses(404),
            summary="A standing order with its rides. " + roles_text([Action.RIDE_READ]))
def read_standing_order(key: str, actor: Actor = allowed(Action.RIDE_READ), uow=Depends(get_uow)) -> dict:
    return _order(uow, rides.get_standing_order(uow, actor, key))


@router.post("/standing-orders/{key}/cancel", response_model=StandingOrderOut,
             responses=responses(400, 404, 409, 422),
             summary="Cancel a standing order and its future rides. " + roles_text([Action.RIDE_BOOK]))
def cancel_standing_order(key: str, body: CancelOrderIn | None = None, actor: Actor = allowed(Action.RIDE_BOOK),
                          uow=Depends(get_uow)) -> dict:
    body = body or CancelOrderIn()
    return _order(uow, rides.cancel_standing_order(uow, actor, key, _now(), reason=body.reason))


@router.get("/members/{key}/rides", response_model=list[RideOut],
            responses=responses(404, 429),
            summary="A member's rides (by the member's opaque key). " + roles_text([Action.RIDE_READ]))
def member_rides(key: str, actor: Actor = allowed(Action.RIDE_READ), uow=Depends(get_uow)) -> list[dict]:
    return rides.member_rides(uow, actor, key)


@router.get("/notices/{key}", response_model=NoticeOut,
            responses=responses(404),
            summary="A notice to the member: the decision's reasons, their rules and how to appeal. "
                    + roles_text([Action.NOTICE_READ]))
def read_notice(key: str, actor: Actor = allowed(Action.NOTICE_READ), uow=Depends(get_uow)) -> dict:
    notice, trip = rides.get_notice(uow, actor, key)
    return rides.describe_notice(notice, trip)
