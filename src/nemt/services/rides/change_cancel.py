"""Change and cancel a booked ride. A changed ride is decided again; a changed or cancelled leg leaves the schedule
(vehicle, driver, planned times cleared; removed from its vehicle run, whose version is bumped) so dispatch plans it
again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nemt.domain.actors import Actor
from nemt.domain.statuses import DONE_LEG_STATUSES, LegStatus, TripStatus
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict, InvalidInput, NotFound
from nemt.services.platform.permissions import Action, require
from nemt.services.rides.commands import RideChange, RideRequestIn, parse_input
from nemt.services.rides.idempotency import commit_or_conflict, duplicate_trip
from nemt.services.rides.prepare import Prepared, prepare
from nemt.services.rides.results import BookingResult
from nemt.services.rides.writing import LEG_STATUS_OF_OUTCOME, apply_decision, facility_provider, legs_for, write_notice
from nemt.store.models import Leg, Trip
from nemt.store.uow import UnitOfWork


def _mentions(item: Any, leg: Leg) -> bool:
    if isinstance(item, dict):
        return item.get("leg") in (leg.key, leg.id) or item.get("leg_key") == leg.key or item.get("leg_id") == leg.id
    return item in (leg.key, leg.id)


def _drop_from_runs(uow: UnitOfWork, leg: Leg) -> None:
    """Remove ``leg`` from every vehicle run of its day (the run's version is bumped: optimistic locking)."""
    for run in uow.rides.runs_of_day(leg.service_date):
        plan = dict(run.plan or {})
        changed = False
        for name in ("stops", "legs"):
            items = plan.get(name)
            if isinstance(items, list):
                kept = [s for s in items if not _mentions(s, leg)]
                if len(kept) != len(items):
                    plan[name] = kept
                    changed = True
        if changed:
            run.plan = plan


def release(uow: UnitOfWork, leg: Leg) -> None:
    """Free a leg's place in the schedule: no vehicle, driver, planned times or run position, out of every run."""
    _drop_from_runs(uow, leg)
    leg.vehicle_id = leg.driver_id = None
    leg.planned_pickup = leg.planned_dropoff = None
    leg.run_position = None


def cancel_leg(uow: UnitOfWork, leg: Leg) -> bool:
    """Cancel a leg that has not happened; False when it happened or was cancelled already."""
    if leg.status in DONE_LEG_STATUSES or leg.status == LegStatus.CANCELLED:
        return False
    release(uow, leg)
    leg.status = LegStatus.CANCELLED
    return True


def writable_trip(uow: UnitOfWork, actor: Actor, key: str) -> Trip:
    require(actor, Action.RIDE_BOOK)
    trip = uow.rides.visible_trip(actor, key)
    if trip is None:
        # The same answer for a trip that does not exist and one the actor may not see.
        raise NotFound("no such ride", field="ride", rule="organization-based access")
    return trip


def _targets(trip: Trip, leg: int | str | None) -> list[Leg]:
    if leg is None:
        return list(trip.legs)
    targets = [lg for lg in trip.legs if str(lg.sequence) == str(leg) or lg.key == leg]
    if not targets:
        raise NotFound("the ride has no such leg", field="leg", rule="legs of the ride")
    done = [lg for lg in targets if lg.status in DONE_LEG_STATUSES]
    if done:
        raise Conflict(f"the leg is {done[0].status}; it cannot be cancelled", field="leg",
                       rule="only future legs are cancelled")
    return targets


def cancel_ride(uow: UnitOfWork, actor: Actor, key: str, now: dt.datetime, *, leg: int | str | None = None,
                reason: str = "") -> Trip:
    """Cancel a ride, or one of its legs (``leg`` = sequence number 1/2 or the leg's key). A cancelled leg leaves
    the schedule (vehicle, driver and planned times cleared; removed from its vehicle run). When no leg is left, the
    trip is cancelled. Cancelling what is already cancelled changes nothing."""
    trip = writable_trip(uow, actor, key)
    targets = _targets(trip, leg)
    changed = [cancel_leg(uow, lg) for lg in targets]
    statuses = [lg.status for lg in trip.legs]
    nothing_left = all(s == LegStatus.CANCELLED or s in DONE_LEG_STATUSES for s in statuses)
    if trip.status != TripStatus.CANCELLED and nothing_left and LegStatus.CANCELLED in statuses:
        trip.status = TripStatus.CANCELLED
        trip.cancelled_at = now
        trip.cancel_reason = (reason or "")[:200]
        changed.append(True)
    if any(changed):
        audit.record(uow, actor, "cancel", "trip", trip.member_id, trip=trip.key,
                     legs=[lg.sequence for lg in targets], trip_status=trip.status)
    commit_or_conflict(uow)
    if any(changed):  # the live runs of the day close the gap (best effort: the cancellation stands regardless)
        from nemt.services.dispatch.events import repair_after_change

        for day_leg in {lg.service_date: lg for lg in targets}.values():
            repair_after_change(uow, actor, day_leg, why="cancellation")
    return trip


def _changeable(trip: Trip, now: dt.datetime) -> dict:
    """The stored command of a ride that may still change."""
    if trip.status == TripStatus.CANCELLED:
        raise Conflict("the ride is cancelled", field="ride", rule="only active rides change")
    if any(lg.status in DONE_LEG_STATUSES for lg in trip.legs):
        raise Conflict("the ride has already taken place", field="ride", rule="only future rides change")
    if trip.appointment_at <= now:
        raise InvalidInput("the appointment is in the past", field="appointment_at",
                           rule="appointment in the future")
    body = dict(trip.request.get("booking") or {})
    if not body:
        raise Conflict("the ride has no stored request to decide again", field="ride", rule="re-decision")
    return body


def changed_command(trip: Trip, stored: dict, change: RideChange) -> tuple[RideRequestIn, list[str]]:
    """The ride's command with the change applied, and the names of the fields changed. The return moves with the
    appointment when only the appointment changes."""
    updates = {name: getattr(change, name) for name in change.model_fields_set if name != "reason"}
    if not updates:
        raise InvalidInput("nothing to change", field="body", rule="ride change")
    command = parse_input(RideRequestIn, {**stored, "member": trip.member.key, "requested_at": None})
    if change.appointment_at is not None and command.round_trip and "return_pickup_at" not in updates \
            and command.return_pickup_at is not None:  # a will-call return may have no time: it keeps none
        updates["return_pickup_at"] = command.return_pickup_at + (change.appointment_at - command.appointment_at)
    return parse_input(RideRequestIn, {**command.model_dump(), **updates}), sorted(updates)


def decide_again(uow: UnitOfWork, actor: Actor, trip: Trip, command: RideRequestIn, now: dt.datetime) -> Prepared:
    p = prepare(uow, actor, command, now, member=trip.member, keep_requested_by=trip.requested_by)
    clash = uow.rides.active_trip_by_content_key(p.content_key)
    if clash is not None and clash.id != trip.id:
        raise duplicate_trip()
    if trip.request.get("idempotency") == "header":
        return p.keeping_key(trip.idempotency_key)
    clash = uow.rides.trip_by_idempotency_key(p.idempotency_key)
    if clash is not None and clash.id != trip.id:
        raise duplicate_trip()
    return p


def move_legs(uow: UnitOfWork, trip: Trip, p: Prepared) -> None:
    status = LEG_STATUS_OF_OUTCOME[p.decision.outcome]
    current = next((lg.provider_id for lg in trip.legs if lg.provider_id and lg.status != LegStatus.CANCELLED), None)
    provider = facility_provider(uow, p, prefer=current)
    wanted = {f["sequence"]: f for f in legs_for(p)}
    for lg in trip.legs:
        fields = wanted.get(lg.sequence)
        if lg.status == LegStatus.CANCELLED or fields is None:
            continue
        release(uow, lg)
        for name, value in fields.items():
            setattr(lg, name, value)
        lg.status = status
        lg.provider_id = provider.id if provider is not None else None


def change_ride(uow: UnitOfWork, actor: Actor, key: str, change: RideChange, now: dt.datetime) -> BookingResult:
    """Change the appointment time, the return pick-up, the destination or the mode; the ride is decided again
    (a new notice when the new decision is a denial or pending). Changed legs leave the schedule (vehicle, driver,
    planned times cleared) so dispatch plans them again."""
    trip = writable_trip(uow, actor, key)
    command, changed = changed_command(trip, _changeable(trip, now), change)
    p = decide_again(uow, actor, trip, command, now)
    before = {"outcome": trip.outcome, "appointment_at": trip.appointment_at.isoformat(), "mode": trip.mode}
    apply_decision(trip, p)
    move_legs(uow, trip, p)
    commit_or_conflict(uow, flush_only=True)
    audit.record(uow, actor, "update", "trip", trip.member_id, trip=trip.key, changed=changed,
                 before=before, outcome=trip.outcome, reason=change.reason)
    notice = write_notice(uow, actor, trip, p)
    commit_or_conflict(uow)
    return BookingResult(trip, p.decision, notice, created=False)

