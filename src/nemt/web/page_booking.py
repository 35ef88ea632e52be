"""Booking pages: one-way and round-trip rides, standing orders, the ride with its decision (each reason in plain
words with the rule it rests on), change and cancel; the pending worklist and the page that records a medical
professional's written certification (the member's pending rides are decided again). Every write goes through
``services.rides``; the pages only turn form fields into its input models. Addresses are by opaque key (member,
trip, standing order), never by Medicaid ID or name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request

from nemt import clock
from nemt.domain.decisions.words import need_words
from nemt.domain.rides import ESCORT_ROLES, NEEDS
from nemt.domain.statuses import LegStatus
from nemt.policy import load_policy
from nemt.services import members, rides
from nemt.services.platform.errors import InvalidInput, ServiceError
from nemt.services.platform.inputs import date_input
from nemt.services.platform.permissions import Action
from nemt.services.rides import call
from nemt.web.common import Page, PageRoute, page_for, redirect
from nemt.web.csrf import check_csrf

router = APIRouter(include_in_schema=False, route_class=PageRoute)
WEEKDAY_NAMES = (("mon", "Monday"), ("tue", "Tuesday"), ("wed", "Wednesday"), ("thu", "Thursday"),
                 ("fri", "Friday"), ("sat", "Saturday"), ("sun", "Sunday"))


async def form_data(request: Request):
    """The submitted form, read once before the (synchronous) handler runs in the thread pool."""
    return await request.form()


def now() -> dt.datetime:
    return clock.now()


# --- what the forms offer --------------------------------------------------------------------------------------------


def destinations(page: Page) -> list[tuple[str, str]]:
    """(value, label) for every service of every enrolled medical provider of the program's directory."""
    return rides.destination_options(page.uow, page.program)


def modes(page: Page) -> list[str]:
    policy = load_policy(page.program)
    return sorted(policy.modes, key=lambda m: policy.modes[m]["rank"])


def form_options(page: Page) -> dict[str, Any]:
    policy = load_policy(page.program)
    return {"destinations": destinations(page), "modes": modes(page), "weekdays": WEEKDAY_NAMES,
            "urgent_reasons": list(policy.get("urgent.reasons", [])), "escort_roles": ESCORT_ROLES,
            "zone_name": policy.get("program.time_zone")}


# --- form fields -> service input ------------------------------------------------------------------------------------


def _date(value: str, field: str) -> dt.date:
    return date_input(value, field, "booking form", label="the " + field.replace("_", " "))


def _time(value: str, field: str) -> dt.time:
    try:
        return dt.time.fromisoformat((value or "").strip()[:5])
    except ValueError:
        raise InvalidInput("a time is written HH:MM", field=field, rule="booking form") from None


def _local(page: Page, day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=load_policy(page.program).time_zone)


def _destination(form) -> dict:
    value = form.get("destination", "")
    if "|" not in value:
        raise InvalidInput("choose a destination", field="destination", rule="booking form")
    provider, service = value.split("|", 1)
    return {"provider": provider, "service": service}


def _escorts(form) -> list[dict]:
    name = (form.get("escort_name") or "").strip()
    if not name:
        return []
    age = (form.get("escort_age") or "").strip()
    if not age.isdigit():
        raise InvalidInput("the escort's age is a whole number of years", field="escort_age", rule="booking form")
    return [{"name": name, "age": int(age), "role": form.get("escort_role") or "family"}]


def _pickup(form) -> dict | None:
    """A typed address (placed offline by the booking service), else a previous pick-up place chosen, else home."""
    typed = " ".join((form.get("pickup_address") or "").split())
    if typed:
        return {"address": typed}
    chosen = form.get("pickup") or "home"
    if chosen != "home" and "|" in chosen:
        address, zip_code = chosen.rsplit("|", 1)
        return {"address": address, "zip": zip_code}
    return None


def _common(form, member_key: str) -> dict:
    body: dict[str, Any] = {"member": member_key, "destination": _destination(form),
                            "requested_mode": form.get("requested_mode") or "", "escorts": _escorts(form),
                            "purpose": form.get("purpose") or "medical"}
    if form.get("requested_by"):
        body["requested_by"] = form.get("requested_by")
    pickup = _pickup(form)
    if pickup is not None:
        body["pickup"] = pickup
    if (form.get("driver_notes") or "").strip():
        body["driver_notes"] = form.get("driver_notes").strip()
    return body


def ride_body(page: Page, form, member_key: str) -> dict:
    body = _common(form, member_key)
    day = _date(form.get("appointment_date", ""), "appointment_date")
    body["appointment_at"] = _local(page, day, _time(form.get("appointment_time", ""), "appointment_time"))
    will_call = form.get("will_call") == "yes"
    # The member page's form has no "kind": a return time or a will-call makes the ride a round trip.
    kind = form.get("kind") or ("round-trip" if will_call or (form.get("return_time") or "").strip() else "one-way")
    if kind == "round-trip":
        body["round_trip"] = True
        if will_call:
            body["return_will_call"] = True
        if not will_call or (form.get("return_time") or "").strip():
            body["return_pickup_at"] = _local(page, day, _time(form.get("return_time", ""), "return_time"))
    else:
        body["direction"] = form.get("direction") or "to-appointment"
    if form.get("urgent_reason"):
        body["urgent_reason"] = form.get("urgent_reason")
        if form.get("urgent_reason") == "missed-pickup-over-1-hour" and form.get("missed_time"):
            body["missed_pickup_scheduled_at"] = _local(page, day, _time(form.get("missed_time"), "missed_time"))
    return body


def _form_dict(form) -> dict[str, str]:
    """The submitted fields, to fill the form again after an error (never logged)."""
    return {k: v for k, v in form.items() if k != "csrf_token" and isinstance(v, str)}


# --- booking ---------------------------------------------------------------------------------------------------------


def _member_for_form(page: Page, key: str):
    return members.get_member(page.uow, page.actor, key)


@router.get("/members/{key}/book")
def book_form(key: str, page: Page = Depends(page_for(Action.RIDE_BOOK_PAGE))):
    member = _member_for_form(page, key)
    return page.render("rides/book.html", member=member, error=None, form={"kind": "one-way"},
                       today=page.today(), **form_options(page))


@router.post("/members/{key}/book")
def book(key: str, request: Request, page: Page = Depends(page_for(Action.RIDE_BOOK_PAGE)), form=Depends(form_data)):
    check_csrf(request, form.get("csrf_token"))
    try:
        body = ride_body(page, form, key)
        result = rides.book_ride(page.uow, page.actor, rides.parse_input(rides.RideRequestIn, body), now())
    except ServiceError as exc:
        page.uow.rollback()
        member = _member_for_form(page, key)
        if form.get("on") == "member":  # the form of the member page: shown again there, with the message
            from nemt.web.page_members import member_context

            return page.render("members/member.html", status_code=exc.status, error=exc,
                               **member_context(page, member, _form_dict(form)))
        return page.render("rides/book.html", status_code=exc.status, member=member, error=exc,
                           form=_form_dict(form), today=page.today(), **form_options(page))
    request.session["flash"] = (f"Booked {result.trip.confirmation}." if result.created
                                else f"This ride was already booked: {result.trip.confirmation}.")
    return redirect(f"/trips/{result.trip.key}")


@router.get("/members/{key}/standing-order")
def standing_form(key: str, page: Page = Depends(page_for(Action.RIDE_BOOK_PAGE))):
    member = _member_for_form(page, key)
    today = page.today()
    return page.render("rides/standing.html", member=member, error=None,
                       form={"start_date": (today + dt.timedelta(days=1)).isoformat(),
                             "end_date": (today + dt.timedelta(days=29)).isoformat()}, **form_options(page))


@router.post("/members/{key}/standing-order")
def standing(key: str, request: Request, page: Page = Depends(page_for(Action.RIDE_BOOK_PAGE)),
             form=Depends(form_data)):
    check_csrf(request, form.get("csrf_token"))
    try:
        body = _common(form, key)
        body["weekdays"] = form.getlist("weekdays")
        body["appointment_time"] = _time(form.get("appointment_time", ""), "appointment_time")
        if form.get("return_time"):
            body["round_trip"] = True
            body["return_pickup_time"] = _time(form.get("return_time", ""), "return_time")
        body["start_date"] = _date(form.get("start_date", ""), "start_date")
        body["end_date"] = _date(form.get("end_date", ""), "end_date")
        result = rides.create_standing_order(page.uow, page.actor,
                                               rides.parse_input(rides.StandingOrderIn, body), now())
    except ServiceError as exc:
        page.uow.rollback()
        member = _member_for_form(page, key)
        data = _form_dict(form)
        data["weekdays"] = form.getlist("weekdays")
        return page.render("rides/standing.html", status_code=exc.status, member=member, error=exc, form=data,
                           **form_options(page))
    request.session["flash"] = f"Standing order created with {len(result.trips)} trip(s)."
    return redirect(f"/standing-orders/{result.order.key}")


@router.get("/standing-orders/{key}")
def standing_order_page(key: str, page: Page = Depends(page_for(Action.RIDE_READ))):
    result = rides.get_standing_order(page.uow, page.actor, key)
    return page.render("rides/standing_order.html", result=result,
                       can_write=page.may(Action.RIDE_BOOK))


@router.post("/standing-orders/{key}/cancel/confirm")
def confirm_cancel_standing(key: str, request: Request, page: Page = Depends(page_for(Action.RIDE_BOOK)),
                            form=Depends(form_data)):
    """The step before cancelling a standing order: what will be cancelled, and a button to do it (no script)."""
    check_csrf(request, form.get("csrf_token"))
    result = rides.get_standing_order(page.uow, page.actor, key)
    ahead = call.upcoming([r.trip for r in result.trips], now())
    return page.render("rides/confirm_cancel.html", what="standing order", action=f"/standing-orders/{key}/cancel",
                       back=f"/standing-orders/{key}", trips=ahead, leg="", reason=(form.get("reason") or "")[:200],
                       title="Cancel the standing order?")


@router.post("/standing-orders/{key}/cancel")
def cancel_standing(key: str, request: Request, page: Page = Depends(page_for(Action.RIDE_BOOK)),
                    form=Depends(form_data)):
    check_csrf(request, form.get("csrf_token"))
    result = rides.cancel_standing_order(page.uow, page.actor, key, now(), reason=form.get("reason") or "")
    request.session["flash"] = f"Standing order cancelled: {result.cancelled_trips} future trip(s) cancelled."
    return redirect(f"/standing-orders/{key}")


# --- one ride: decision, change, cancel ------------------------------------------------------------------------------


def _ride_page(page: Page, key: str, error: ServiceError | None = None, form: dict | None = None):
    trip = rides.get_ride(page.uow, page.actor, key)
    ride = rides.describe_ride(page.uow, trip)
    notice = rides.latest_notice(page.uow, trip)
    appointment = trip.appointment_at
    local_appt = page.local(appointment, "%Y-%m-%d %H:%M")
    default_form = {"appointment_date": local_appt[:10], "appointment_time": local_appt[11:16],
                    "requested_mode": trip.requested_mode}
    return page.render("rides/trip.html", status_code=error.status if error else 200, trip=trip, ride=ride,
                       notice=notice, error=error, form=form or default_form,
                       cancelled=trip.status == LegStatus.CANCELLED,
                       can_write=page.may(Action.RIDE_BOOK) and trip.status != LegStatus.CANCELLED,
                       member_link=page.may(Action.MEMBER_BROWSE),
                       **form_options(page))


@router.get("/trips/{key}")
def trip_page(key: str, page: Page = Depends(page_for(Action.RIDE_READ))):
    return _ride_page(page, key)


@router.post("/trips/{key}/change")
def change(key: str, request: Request, page: Page = Depends(page_for(Action.RIDE_BOOK)), form=Depends(form_data)):
    check_csrf(request, form.get("csrf_token"))
    try:
        body: dict[str, Any] = {"reason": (form.get("reason") or "")[:200]}
        if form.get("appointment_date") or form.get("appointment_time"):
            day = _date(form.get("appointment_date", ""), "appointment_date")
            body["appointment_at"] = _local(page, day, _time(form.get("appointment_time", ""), "appointment_time"))
            if form.get("return_time"):
                body["return_pickup_at"] = _local(page, day, _time(form.get("return_time", ""), "return_time"))
        if form.get("requested_mode"):
            body["requested_mode"] = form.get("requested_mode")
        if form.get("destination"):
            body["destination"] = _destination(form)
        trip = rides.get_ride(page.uow, page.actor, key)
        current = page.local(trip.appointment_at, "%Y-%m-%dT%H:%M")
        if body.get("appointment_at") and body["appointment_at"].strftime("%Y-%m-%dT%H:%M") == current \
                and "return_pickup_at" not in body:
            body.pop("appointment_at")
        if body.get("requested_mode") == trip.requested_mode:
            body.pop("requested_mode")
        result = rides.change_ride(page.uow, page.actor, key, rides.parse_input(rides.RideChange, body), now())
    except ServiceError as exc:
        page.uow.rollback()
        return _ride_page(page, key, error=exc, form=_form_dict(form))
    request.session["flash"] = f"Changed {result.trip.confirmation}: decided again ({result.decision.outcome})."
    return redirect(f"/trips/{key}")


@router.post("/trips/{key}/cancel/confirm")
def confirm_cancel(key: str, request: Request, page: Page = Depends(page_for(Action.RIDE_BOOK)),
                   form=Depends(form_data)):
    """The step before cancelling a ride or one leg: what will be cancelled, and a button to do it (no script)."""
    check_csrf(request, form.get("csrf_token"))
    trip = rides.get_ride(page.uow, page.actor, key)
    leg = form.get("leg") or ""
    what = f"leg {leg} of ride {trip.confirmation}" if leg else f"ride {trip.confirmation}"
    member_page = f"/members/{trip.member.key}"
    return page.render("rides/confirm_cancel.html", what=what, action=f"/trips/{key}/cancel",
                       back=member_page if form.get("back") == member_page else f"/trips/{key}",
                       trips=[trip], leg=leg, reason=(form.get("reason") or "")[:200],
                       title=f"Cancel {what}?")


@router.post("/trips/{key}/cancel")
def cancel(key: str, request: Request, page: Page = Depends(page_for(Action.RIDE_BOOK)), form=Depends(form_data)):
    check_csrf(request, form.get("csrf_token"))
    leg = form.get("leg") or None
    try:
        trip = rides.cancel_ride(page.uow, page.actor, key, now(), leg=leg, reason=form.get("reason") or "")
    except ServiceError as exc:
        page.uow.rollback()
        return _ride_page(page, key, error=exc)
    request.session["flash"] = (f"Cancelled {trip.confirmation}." if trip.status == LegStatus.CANCELLED
                                else f"Cancelled leg {leg} of {trip.confirmation}.")
    back = form.get("back") or ""
    return redirect(back if back == f"/members/{trip.member.key}" else f"/trips/{key}")


# --- pending rides and certifications --------------------------------------------------------------------------------


@router.get("/pending")
def pending_page(page: Page = Depends(page_for(Action.PENDING_READ))):
    """The pending worklist of the user's program: each ride with what it waits for."""
    trips = rides.pending_rides(page.uow, page.actor, now())
    return page.render("rides/pending.html", rows=[(t, rides.waiting_for(t)) for t in trips],
                       can_certify=page.may(Action.CERTIFICATION_RECORD),
                       can_record_documents=page.may(Action.DOCUMENT_RECORD))


def _certify_page(page: Page, key: str, *, error: ServiceError | None = None, form: dict | None = None,
                  result: rides.CertificationResult | None = None):
    member = _member_for_form(page, key)
    waiting = rides.pending_rides(page.uow, page.actor, now())
    return page.render("rides/certify.html", status_code=error.status if error else 200, member=member,
                       pending=[(t, rides.waiting_for(t)) for t in waiting if t.member_id == member.id],
                       statements=[(n, need_words(n)) for n in NEEDS], error=error,
                       form=form or {"certified_on": page.today().isoformat()}, result=result)


@router.get("/members/{key}/certify")
def certify_form(key: str, page: Page = Depends(page_for(Action.CERTIFICATION_RECORD))):
    return _certify_page(page, key)


@router.post("/members/{key}/certify")
def certify(key: str, request: Request, page: Page = Depends(page_for(Action.CERTIFICATION_RECORD)),
            form=Depends(form_data)):
    """Record the certification; the member's pending rides are decided again (the page lists each)."""
    check_csrf(request, form.get("csrf_token"))
    try:
        signed = _date(form.get("certified_on", ""), "certified_on")
        command = rides.parse_input(rides.CertificationIn, {
            "statements": form.getlist("statements"), "certified_by": (form.get("certified_by") or "").strip(),
            "certified_on": signed})
        result = rides.record_certification(page.uow, page.actor, key, command, now())
    except ServiceError as exc:
        page.uow.rollback()
        data = _form_dict(form)
        data["statements"] = form.getlist("statements")
        return _certify_page(page, key, error=exc, form=data)
    return _certify_page(page, key, result=result)
