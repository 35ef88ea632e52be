"""Rides and notices as JSON-ready dicts for the API and the pages. Times in the program's zone; the member appears
only by key (no member names or IDs); the pick-up address is included for the people arranging the ride."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from nemt.domain.actors import Actor
from nemt.policy import load_policy
from nemt.services.rides.certifications import CertificationResult, waiting_for
from nemt.services.rides.commands import WEEKDAYS
from nemt.services.rides.queries import notices_of, rides_of_day, rides_of_member
from nemt.services.rides.results import BookingResult, StandingOrderResult
from nemt.store.models import Leg, MedicalProvider, Notice, Trip
from nemt.store.uow import UnitOfWork


def _iso(value: dt.datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat() if value is not None else None


def _legs(uow: UnitOfWork, legs: list[Leg], zone: ZoneInfo) -> list[dict[str, Any]]:
    # Looked up once per provider, vehicle and driver; None for a leg without one.
    providers: dict[int, dict[str, str]] = {}
    for lg in legs:
        provider = uow.rides.transport_provider(lg.provider_id) if lg.provider_id else None
        if provider is not None and provider.id not in providers:
            providers[provider.id] = {"organization": provider.organization.key, "name": provider.organization.name}
    return [{
        "key": lg.key, "sequence": lg.sequence, "status": lg.status, "service_date": lg.service_date.isoformat(),
        "origin": {"address": lg.origin_address, "zip": lg.origin_zip},
        "destination": {"address": lg.destination_address, "zip": lg.destination_zip},
        "pickup_earliest": _iso(lg.pickup_earliest, zone), "dropoff_latest": _iso(lg.dropoff_latest, zone),
        "miles": lg.miles, "provider": providers.get(lg.provider_id) if lg.provider_id else None,
        "vehicle": uow.rides.vehicle_key(lg.vehicle_id) if lg.vehicle_id else None,
        "driver": uow.rides.driver_key(lg.driver_id) if lg.driver_id else None,
        "planned_pickup": _iso(lg.planned_pickup, zone), "planned_dropoff": _iso(lg.planned_dropoff, zone),
        "will_call": bool(lg.will_call),
    } for lg in legs]


def _destination(uow: UnitOfWork, trip: Trip, known: MedicalProvider | None = None) -> dict[str, Any]:
    provider = None
    if trip.destination_provider_id:
        provider = known if known is not None and known.id == trip.destination_provider_id \
            else uow.rides.medical_provider_by_id(trip.destination_provider_id)
    return {"provider": provider.key if provider else None, "name": trip.destination_name,
            "address": trip.destination_address, "zip": trip.destination_zip, "county": trip.destination_county,
            "state": trip.destination_state}


def describe_ride(uow: UnitOfWork, trip: Trip, notices: list[Notice] | None = None,
                  provider: MedicalProvider | None = None) -> dict[str, Any]:
    """A ride as a JSON-ready dict: decision, reasons with citations, legs, notices (``notices``: the trip's, when
    the caller read them already; ``provider``: its destination, when the caller has it loaded)."""
    zone = load_policy(trip.program).time_zone
    order = uow.rides.standing_order(trip.standing_order_id) if trip.standing_order_id else None
    decision = trip.decision or {}
    return {
        "key": trip.key, "confirmation": trip.confirmation, "program": trip.program, "member": trip.member.key,
        "status": trip.status, "outcome": trip.outcome, "mode": trip.mode, "requested_mode": trip.requested_mode,
        "arranged_by": trip.arranged_by, "arranged_by_reason": decision.get("arranged_by_reason", ""),
        "reason_codes": list(trip.reason_codes or []),
        "reasons": list(decision.get("reasons", [])), "requested_by": trip.requested_by,
        "requested_at": _iso(trip.requested_at, zone), "appointment_at": _iso(trip.appointment_at, zone),
        "service_date": trip.service_date.isoformat(), "purpose": trip.purpose,
        "pickup": {"address": trip.pickup_address, "zip": trip.pickup_zip},
        "destination": _destination(uow, trip, provider),
        "miles": trip.miles, "round_trip": trip.round_trip, "urgent": trip.urgent, "space": trip.space,
        "escorts": trip.escorts, "passengers": trip.passengers, "driver_notes": trip.driver_notes or "",
        "standing_order": order.key if order else None,
        "cancelled_at": _iso(trip.cancelled_at, zone), "cancel_reason": trip.cancel_reason or None,
        "notices": [n.key for n in (notices_of(uow, trip) if notices is None else notices)],
        "legs": _legs(uow, list(trip.legs), zone),
    }


def describe_rides(uow: UnitOfWork, trips: Sequence[Trip]) -> list[dict[str, Any]]:
    """A list of rides (:func:`describe_ride`), their notices read in one query rather than one per ride."""
    notices = uow.rides.notices_of_trips(t.id for t in trips)
    return [describe_ride(uow, t, notices[t.id]) for t in trips]


def member_rides(uow: UnitOfWork, actor: Actor, member_key: str) -> list[dict[str, Any]]:
    """A member's rides described (:func:`describe_rides`), all read in the transaction that writes the audit
    record, committed last: one transaction and one pooled connection for the request, where reading the notices and
    providers after the commit took a second of each (``python -m benchmarks load``)."""
    described = describe_rides(uow, rides_of_member(uow, actor, member_key, commit=False))
    uow.commit()
    return described


def rides_of_the_day(uow: UnitOfWork, actor: Actor, day: dt.date) -> list[dict[str, Any]]:
    """The rides of a day described, read and audited in one transaction (as :func:`member_rides`)."""
    described = describe_rides(uow, rides_of_day(uow, actor, day, commit=False))
    uow.commit()
    return described


def describe_booking(uow: UnitOfWork, result: BookingResult, *, created: bool | None = None) -> dict[str, Any]:
    """A booked or changed ride, with whether it was created now and the notice written, if any."""
    # A ride booked now has no notice but the one written with it: no need to read them back.
    written = ([result.notice] if result.notice is not None else []) if result.created else None
    out = describe_ride(uow, result.trip, written, result.provider)
    out["created"] = result.created if created is None else created
    out["notice"] = result.notice.key if result.notice is not None else None
    return out


def describe_standing_order(uow: UnitOfWork, result: StandingOrderResult) -> dict[str, Any]:
    o = result.order
    member = result.trips[0].trip.member.key if result.trips else uow.rides.member_key(o.member_id)
    return {"key": o.key, "member": member, "weekdays": [WEEKDAYS[i] for i in o.weekdays],
            "appointment_time": o.appointment_time, "start_date": o.start_date, "end_date": o.end_date,
            "cancelled_at": o.cancelled_at, "created": result.created, "cancelled_trips": result.cancelled_trips,
            "rides": [describe_booking(uow, r) for r in result.trips]}


def describe_notice(notice: Notice, trip: Trip) -> dict[str, Any]:
    zone = load_policy(trip.program).time_zone
    return {
        "key": notice.key, "kind": notice.kind, "trip": trip.key, "confirmation": trip.confirmation,
        "member": trip.member.key, "program": trip.program, "service_date": trip.service_date.isoformat(),
        "arranged_by": trip.arranged_by, "arranged_by_reason": (trip.decision or {}).get("arranged_by_reason", ""),
        "created_at": _iso(notice.created_at, zone),
        "reasons": list(notice.reasons or []), "appeal": notice.appeal,
    }


def describe_certification(result: CertificationResult) -> dict[str, Any]:
    """A recorded certification: the statements, and each pending ride decided again (before, after, notice)."""
    return {
        "member": result.member.key, "statements": result.statements, "released": len(result.released),
        "rides": [{"ride": r.trip.key, "confirmation": r.trip.confirmation, "before": result.before[r.trip.key],
                   "outcome": r.trip.outcome, "mode": r.trip.mode,
                   "notice": r.notice.key if r.notice is not None else None} for r in result.decided],
    }


def describe_pending(uow: UnitOfWork, trips: Sequence[Trip]) -> list[dict[str, Any]]:
    """The rides of the pending worklist: when, what was asked for, and what each waits for (in words); their
    standing orders' keys read in one query."""
    orders = uow.rides.standing_order_keys(t.standing_order_id for t in trips if t.standing_order_id)
    return [{
        "ride": trip.key, "confirmation": trip.confirmation, "program": trip.program, "member": trip.member.key,
        "appointment_at": _iso(trip.appointment_at, load_policy(trip.program).time_zone),
        "requested_mode": trip.requested_mode, "mode": trip.mode,
        "standing_order": orders.get(trip.standing_order_id) if trip.standing_order_id else None,
        "reason_codes": list(trip.reason_codes or []), "waiting_for": waiting_for(trip),
    } for trip in trips]
