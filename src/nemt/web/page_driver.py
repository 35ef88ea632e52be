"""The driver's phone-sized page: today's manifest in stop order, with a button per step of the Standard Trip Log
(arrived, picked up with the identity check, dropped off, no-show), each recorded by ``services.trip_log``."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form
from sqlalchemy import select

from nemt.services import dispatch, trip_log
from nemt.services.platform.errors import InvalidInput, ServiceError
from nemt.services.platform.permissions import Action
from nemt.store.models import Driver, Leg, Vehicle, VehicleRun
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)
CONFIRMERS = trip_log.TRIP_CONFIRMERS


def _parse_day(page: Page, value: str | None) -> dt.date:
    if not value:
        return page.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("a day is written YYYY-MM-DD", field="day", rule="driver's manifest") from None


def _runs(page: Page, day: dt.date) -> list[Vehicle]:
    """The vehicles the signed-in driver runs on ``day`` (their own driver record only)."""
    driver = page.uow.session.scalar(select(Driver).where(Driver.user_id == page.actor.user_id))
    if driver is None:
        return []
    return list(page.uow.session.scalars(
        select(Vehicle).join(VehicleRun, VehicleRun.vehicle_id == Vehicle.id)
        .where(VehicleRun.driver_id == driver.id, VehicleRun.service_date == day).order_by(Vehicle.id)))


def _render(page: Page, day: dt.date, error: ServiceError | None = None):
    manifests = [dispatch.manifest(page.uow, page.actor, v.key, day) for v in _runs(page, day)]
    views = {v.leg_key: v for v in trip_log.legs_for_actor(page.uow, page.actor, day)}
    legs = {}
    keys = [stop.leg_key for m in manifests for stop in m.stops]
    if keys:
        legs = {leg.key: leg for leg in page.uow.session.scalars(select(Leg).where(Leg.key.in_(keys)))}
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
            view = trip_log.leg_log(page.uow, page.actor, leg_key)
            picked = next((e for e in view.events if e["kind"] == "picked-up"), None)
            if picked is None:
                raise InvalidInput("record the pick-up first", field="kind", rule="trip-log event order")
            trip_log.record_event(page.uow, page.actor, leg_key, "correction",
                                  {"supersedes": picked["id"], "fields": {"identity_verified": True},
                                   "reason": "identity checked by the driver"})
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
        trip_log.record_event(page.uow, page.actor, leg_key, kind, data)
    except ServiceError as exc:
        page.uow.rollback()
        return _render(page, the_day, error=exc)
    return redirect(back)
