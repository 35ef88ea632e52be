"""The driver's phone-sized page: today's manifest in stop order, with a button per step of the Standard Trip Log
(arrived, picked up with the identity check, dropped off, no-show), each recorded by ``services.trips``.

Verified trips (issue 15): ``static/driver.js`` fills each arrive / pick-up / drop-off form with the phone's position
(or why there is none) before it is sent; the driver may type the odometer; at drop-off the member (or escort, or
facility) signs on the screen or types the member's trip PIN. All of it goes in the POST body, never in a URL."""

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


def _render(page: Page, day: dt.date, error: ServiceError | None = None, held: tuple = ()):
    vehicles = trips.driver_vehicles(page.uow, page.actor, day)
    manifests = [dispatch.manifest(page.uow, page.actor, v.key, day) for v in vehicles]
    views = {v.leg_key: v for v in trips.legs_for_actor(page.uow, page.actor, day)}
    legs = trips.legs_by_keys(page.uow, [stop.leg_key for m in manifests for stop in m.stops])
    proof = trips.evidence_by_leg(page.uow, page.actor, list(legs))
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
                                                   if stop.leg_key in legs else "",
                                                   "proof": proof.get(stop.leg_key)})
            card[stop.kind] = stop
        runs.append((m, list(cards.values())))
    return page.render("driver.html", status_code=error.status if error else 200, runs=runs, day=day,
                       error=error, confirmers=CONFIRMERS, is_today=day == page.today(), held=held)


def _evidence(form: dict[str, str]) -> dict:
    """The event's evidence from the form: the position the page's script filled in (none: the script did not run,
    so no position is available) and the odometer the driver typed."""
    evidence = {k: form[k].strip() for k in ("latitude", "longitude", "accuracy_m", "position_at", "odometer")
                if form.get(k, "").strip()}
    evidence["position_status"] = form.get("position_status", "").strip() or "unavailable"
    return evidence


def _when(day: dt.date, value: str) -> dt.datetime | None:
    """The time the driver typed for an event logged late (HH:MM on the manifest's day, the program's local time);
    None: now."""
    if not value.strip():
        return None
    try:
        return dt.datetime.combine(day, dt.time.fromisoformat(value.strip()))
    except ValueError:
        raise InvalidInput("the time is HH:MM", field="at", rule="trip-log event schema") from None


def _attestation(form: dict[str, str]) -> dict | None:
    """The drop-off's attestation: the drawn signature (a PNG data URL) or the member's trip PIN."""
    by = form.get("trip_confirmed_by") or "member"
    if form.get("signature_png", "").strip():
        return {"by": by, "signature_png": form["signature_png"].strip()}
    if form.get("attest_pin", "").strip():
        return {"by": by, "pin": form["attest_pin"].strip()}
    return None


@router.get("/driver")
def driver_page(page: Page = Depends(page_for(Action.DRIVER_DAY)), day: str | None = None):
    return _render(page, _parse_day(page, day))


@router.post("/driver/legs/{leg_key}/{kind}")
def record(leg_key: str, kind: str, page: Page = Depends(page_for(Action.DRIVER_DAY)), csrf_token: str = Form(""),
           identity_verified: str = Form(""), loaded_miles: str = Form(""), trip_confirmed_by: str = Form(""),
           wait_minutes: str = Form(""), reason: str = Form(""), day: str = Form(""), odometer: str = Form(""),
           position_status: str = Form(""), latitude: str = Form(""), longitude: str = Form(""),
           accuracy_m: str = Form(""), position_at: str = Form(""), signature_png: str = Form(""),
           attest_pin: str = Form(""), at_time: str = Form("")):
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
        form = {"odometer": odometer, "position_status": position_status, "latitude": latitude,
                "longitude": longitude, "accuracy_m": accuracy_m, "position_at": position_at,
                "signature_png": signature_png, "attest_pin": attest_pin, "trip_confirmed_by": trip_confirmed_by}
        view = trips.record_event(page.uow, page.actor, leg_key, kind, data, _when(the_day, at_time),
                                  evidence=_evidence(form) if kind != "no-show" else None,
                                  attestation=_attestation(form) if kind == "dropped-off" else None)
    except ServiceError as exc:
        page.uow.rollback()
        return _render(page, the_day, error=exc)
    if view.holds:  # recorded, but held for review: say why at once
        return _render(page, the_day, held=view.holds)
    return redirect(back)
