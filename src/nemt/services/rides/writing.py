"""Writing a decided ride: the trip row, its one-way legs (one, or two for a round trip), a never-repeating
confirmation number, the decision with its reasons and citations, and for a denied or pending ride a notice to the
member: the reasons in plain words, the rule of each, and how to appeal (``notices.appeal`` of the program policy).

Leg statuses written here: ``scheduled`` (approved, waiting for a vehicle), ``pending`` (the decision waits for a
document or a prior authorization), ``denied``, ``cancelled``. Dispatch adds ``assigned``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nemt.domain.actors import Actor
from nemt.domain.decisions import APPROVED, DENIED, DENY, HOLD, PENDING
from nemt.domain.decisions.words import day_words, mode_words
from nemt.domain.network import vehicle_space
from nemt.domain.statuses import LegStatus
from nemt.policy import Policy
from nemt.services import network
from nemt.services.platform import audit
from nemt.services.platform.errors import Conflict
from nemt.services.rides.prepare import Prepared
from nemt.services.rides.results import BookingResult, decision_json
from nemt.store.models import Leg, Member, Notice, StandingOrder, TransportProvider, Trip
from nemt.store.uow import UnitOfWork

# Leg statuses by decision outcome; dispatch plans only "scheduled" legs of approved, active trips.
LEG_STATUS_OF_OUTCOME = {APPROVED: LegStatus.SCHEDULED, PENDING: LegStatus.PENDING, DENIED: LegStatus.DENIED}


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _normalized_county(name: str) -> str:
    name = " ".join((name or "").split()).casefold()
    return name.removesuffix(" county")


def _credentialed(uow: UnitOfWork, provider: TransportProvider, mode: str, day: dt.date, program: str) -> bool:
    drivers = uow.rides.active_drivers(provider.id)
    vehicles = uow.rides.active_vehicles(provider.id)
    return any(network.assignment_check(d, v, mode, day, program).ok for v in vehicles for d in drivers)


def pick_provider(uow: UnitOfWork, member: Member, mode: str, day: dt.date, policy: Policy,
                  prefer: int | None = None) -> TransportProvider:
    """A credentialed transportation provider serving the member's county and the mode (``prefer`` — the provider
    the ride already has — when it still qualifies, else the least loaded that day, then by name): Urgent NEMT trips
    scheduled directly by medical facilities go to a transportation provider."""
    county = _normalized_county(member.county)
    candidates = []
    for provider in uow.rides.enrolled_transport_providers(member.program):
        if county not in {_normalized_county(c) for c in provider.service_counties or []}:
            continue
        if mode not in (provider.modes or []) or not _credentialed(uow, provider, mode, day, member.program):
            continue
        load = uow.rides.provider_load(provider.id, day)
        if provider.id == prefer:
            return provider
        candidates.append((load, provider.organization.name, provider))
    if not candidates:
        raise Conflict(f"no credentialed transportation provider serves the member's county with a {mode_words(mode)} "
                       f"on {day_words(day)}; call the broker", field="requested_mode", rule=policy.cite("urgent"))
    return min(candidates, key=lambda c: (c[0], c[1]))[2]


def facility_provider(uow: UnitOfWork, p: Prepared, prefer: int | None = None) -> TransportProvider | None:
    """The transportation provider of an approved ride the program has arranged by the medical facility."""
    decision, policy = p.decision, p.policy
    if (decision.outcome == APPROVED and decision.mode is not None  # an approval always names its mode
            and policy.has("urgent.facility_arranger")
            and decision.arranged_by == policy.get("urgent.facility_arranger")):
        return pick_provider(uow, p.member, decision.mode, decision.date_of_service, policy, prefer=prefer)
    return None


def legs_for(p: Prepared) -> list[dict[str, Any]]:
    zone = p.policy.time_zone
    req = p.command
    out_date = req.appointment_at.astimezone(zone).date()
    pickup, dest, miles = p.pickup, p.destination, p.distances.leg_miles
    if req.direction == "from-appointment":
        return [{"sequence": 1, "service_date": out_date, "origin_address": dest.address, "origin_zip": dest.zip,
                 "destination_address": pickup.address, "destination_zip": pickup.zip,
                 "pickup_earliest": _utc(req.appointment_at), "dropoff_latest": None, "miles": miles}]
    legs = [{"sequence": 1, "service_date": out_date, "origin_address": pickup.address, "origin_zip": pickup.zip,
             "destination_address": dest.address, "destination_zip": dest.zip, "pickup_earliest": None,
             "dropoff_latest": _utc(req.appointment_at), "miles": miles}]
    if req.round_trip:
        # prepare refuses a round trip without its return pick-up unless the member calls when ready (will-call):
        # then the return is picked up no earlier than the given time, or the appointment, until the call
        back = req.return_pickup_at or req.appointment_at
        legs.append({"sequence": 2, "service_date": back.astimezone(zone).date(),
                     "origin_address": dest.address, "origin_zip": dest.zip, "destination_address": pickup.address,
                     "destination_zip": pickup.zip, "pickup_earliest": _utc(back),
                     "dropoff_latest": None, "miles": miles, "will_call": bool(req.return_will_call)})
    return legs


def apply_decision(trip: Trip, p: Prepared) -> None:
    decision, req = p.decision, p.command
    trip.program = p.member.program
    trip.requested_by = p.requested_by
    trip.requested_at = _utc(p.requested_at)
    trip.appointment_at = _utc(req.appointment_at)
    trip.service_date = decision.date_of_service
    trip.purpose = req.purpose
    trip.pickup_address, trip.pickup_zip = p.pickup.address, p.pickup.zip
    trip.destination_provider_id = p.destination.provider.id if p.destination.provider is not None else None
    trip.destination_name, trip.destination_address = p.destination.name, p.destination.address
    trip.destination_zip, trip.destination_county = p.destination.zip, p.destination.county
    trip.destination_state = p.destination.state
    trip.miles = round(p.distances.leg_miles, 2)
    trip.requested_mode, trip.mode = req.requested_mode, decision.mode
    trip.outcome, trip.arranged_by = decision.outcome, decision.arranged_by
    trip.reason_codes = decision.reason_codes
    trip.decision = decision_json(decision)
    trip.request = {"booking": p.body, "fingerprint": p.fingerprint, "idempotency": p.key_source,
                    "miles_from_home": p.distances.miles_from_home,
                    "closest_qualified_provider_miles": p.distances.closest_qualified_provider_miles,
                    "closest_provider_accepts_member": p.distances.closest_provider_accepts_member}
    trip.round_trip = bool(req.round_trip)
    trip.urgent = "urgent" in decision.reason_codes
    trip.space = vehicle_space(p.policy, decision.mode or req.requested_mode)
    trip.escorts = len(req.escorts)
    trip.driver_notes = req.driver_notes.strip()
    trip.passengers = len(req.additional_passengers)
    trip.idempotency_key = p.idempotency_key
    trip.content_key = p.content_key


def write_notice(uow: UnitOfWork, actor: Actor, trip: Trip, p: Prepared, *,
                 approved_because: str = "") -> Notice | None:
    """The notice of a denied or pending decision, with its audit record: its denying or pending reasons and the
    appeal rights. An approval has none, unless a waiting ride is approved because a document arrived
    (``approved_because``, in words): then the notice says so, with every reason of the decision."""
    decision = p.decision
    # Who arranges the ride and why: in Connecticut the broker of the appointment date and its telephone number.
    who = decision.arranged_by_reason
    if decision.outcome == APPROVED:
        if not approved_because:
            return None
        chosen, text = list(decision.reasons), f"{approved_because} {who}".strip()
    else:
        kinds = (DENY, HOLD) if decision.outcome == DENIED else (HOLD,)
        chosen = [r for r in decision.reasons if r.kind in kinds]
        text = f"{p.policy.get('notices.appeal')} ({p.policy.cite('notices')})" + (f" {who}" if who else "")
    reasons = [{"code": r.code, "message": r.message, "citation": r.citation} for r in chosen]
    notice = uow.rides.add_notice(Notice(trip_id=trip.id, member_id=trip.member_id, kind=decision.outcome,
                                         reasons=reasons, appeal=text))
    audit.record(uow, actor, "create", "notice", trip.member_id, notice=notice.key, trip=trip.key, kind=notice.kind)
    return notice


def write_trip(uow: UnitOfWork, actor: Actor, p: Prepared,
               standing_order: StandingOrder | None = None) -> BookingResult:
    number = uow.control_numbers.confirmation(p.member.program)
    trip = Trip(confirmation=f"{p.member.program}-{number:06d}", member=p.member,
                booked_by_user_id=actor.user_id, booked_by_org_id=actor.organization_id,
                standing_order_id=standing_order.id if standing_order is not None else None)
    apply_decision(trip, p)
    status = LEG_STATUS_OF_OUTCOME[p.decision.outcome]
    provider = facility_provider(uow, p)
    for fields in legs_for(p):
        trip.legs.append(Leg(status=status, provider_id=provider.id if provider else None, **fields))
    uow.rides.add_trip(trip)
    audit.record(uow, actor, "create", "trip", p.member.id, trip=trip.key, confirmation=trip.confirmation,
                 outcome=trip.outcome, reason_codes=trip.reason_codes,
                 standing_order=standing_order.key if standing_order is not None else None)
    notice = write_notice(uow, actor, trip, p)
    return BookingResult(trip, p.decision, notice, created=True, provider=p.destination.provider)
