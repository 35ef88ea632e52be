"""The driver's phone-sized page: today's manifest in stop order, with a button per step of the Standard Trip Log
(arrived, picked up with the identity check, dropped off, no-show), each recorded by ``services.trips``."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form

from nemt.services import dispatch, trips
from nemt.services.platform.errors import InvalidInput, ServiceError
from nemt.services.platform.inputs import day_input
from nemt.services.platform.permissions import Action
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CONFIRMERS = trips.TRIP_CONFIRMERS


def _parse_day(page: Page, value: str | None) -> dt.date:
    return day_input(value, page.today(), "driver's manifest")


def _render(page: Page, day: dt.date, error: ServiceError | None = None):
    vehicles = trips.driver_vehicles(page.uow, page.actor, day)
    manifests = [dispatch.manifest(page.uow, page.actor, v.key, day) for v in vehicles]
    views = {v.leg_key: v for v in trips.legs_for_actor(page.uow, page.actor, day)}
    legs = trips.legs_by_keys(page.uow, [stop.leg_key for m in manifests for stop in m.stops])
    runs = []
    for m in manifests:
        cards: dict[str, dict] = {}
        for stop in m.stops:
            card = cards.setdefault(stop.leg_key, {"leg_key": stop.leg_key, "member": stop.member_name,
                                                   "mode": stop.mode, "mobility": stop.mobility,
                                                   "escorts": stop.escorts, "passengers": stop.passengers,
                                                   "log": views[stop.leg_key].log if stop.leg_key in views else None,
                                                   "miles": legs[stop.leg_key].miles if stop.leg_key in legs else 0,
                                                   "ride": (f"{legs[stop.leg_key].trip.confirmation}/"
                                                            f"{legs[stop.leg_key].sequence}")
                                                   if stop.leg_key in legs else ""})
            card[stop.kind] = stop
        runs.append((m, list(cards.values())))
    return page.render("driver.html", status_code=error.status if error else 200, runs=runs, day=day,
                       error=error, confirmers=CONFIRMERS, is_today=day == page.today())


@router.get("/driver")
def driver_page(page: Page = Depends(page_for(Action.DRIVER_DAY)), day: str | None = None):
    return _render(page, _parse_day(page, day))


@router.post("/driver/legs/{leg_key}/{kind}")
def record(leg_key: str, kind: str, page: Page = Depends(page_for(Action.DRIVER_DAY)), csrf_token: str = Form(""),
           identity_verified: str = Form(""), loaded_miles: str = Form(""), trip_confirmed_by: str = Form(""),
           wait_minutes: str = Form(""), reason: str = Form(""), day: str = Form("")):
    check_csrf(page.request, csrf_token)
    the_day = _parse_day(page, day)
    back = "/driver" if the_day == page.today() else f"/driver?day={the_day.isoformat()}"
    try:
        if kind == "identity":  # the identity check after a pick-up recorded without it: a correction
            trips.record_identity_check(page.uow, page.actor, leg_key)
            return redirect(back)
        data: dict = {}
        if kind == "picked-up":
            data["identity_verified"] = identity_verified == "yes"
        elif kind == "dropped-off":
            try:
                data["loaded_miles"] = int(round(float(loaded_miles)))
            except ValueError:
                raise InvalidInput("loaded miles is a number", field="loaded_miles",
                                   rule="trip-log event schema") from None
            if trip_confirmed_by:
                data["trip_confirmed_by"] = trip_confirmed_by
        elif kind == "no-show":
            if wait_minutes.strip():
                if not wait_minutes.strip().isdigit():
                    raise InvalidInput("minutes waited is a whole number", field="wait_minutes",
                                       rule="trip-log event schema")
                data["wait_minutes"] = int(wait_minutes)
            if reason.strip():
                data["reason"] = reason.strip()
        elif kind != "arrived":
            raise InvalidInput("unknown step", field="kind", rule="trip-log events")
        trips.record_event(page.uow, page.actor, leg_key, kind, data)
    except ServiceError as exc:
        page.uow.rollback()
        return _render(page, the_day, error=exc)
    return redirect(back)
