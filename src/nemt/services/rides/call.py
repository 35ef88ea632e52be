"""The agent's call (issue 16, point 4): what the member page needs to book in one step — the rides still ahead, the
member's recent destinations first in the list, and the mode the form starts with.

Nothing here decides a ride: the booking is decided by ``decide`` when it is booked; the defaults only save the
agent keystrokes, and every one of them can be changed on the form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from nemt.domain.statuses import TripStatus
from nemt.policy import Policy
from nemt.services.rides import places
from nemt.store.models import Member, Trip


def upcoming(trips: Iterable[Trip], now: dt.datetime) -> list[Trip]:
    """The member's active rides whose appointment is still ahead, soonest first."""
    return sorted((t for t in trips if t.status != TripStatus.CANCELLED and t.appointment_at > now),
                  key=lambda t: t.appointment_at)


def suggested_mode(member: Member, policy: Policy, trips: Sequence[Trip]) -> str:
    """The mode the booking form starts with: the one asked for on the member's latest ride; for a first ride, the
    least costly mode suited to the member's written certifications — of the modes whose needs are all on file, the
    one that relies on the most of them, then the least costly (Payment for Covered Services: "the least expensive
    mode suitable to the member's condition"). Modes that need a prior authorization are never suggested."""
    program_modes = policy.modes
    for trip in sorted(trips, key=lambda t: t.requested_at, reverse=True):
        if trip.requested_mode in program_modes:
            return trip.requested_mode
    needs = set(member.documented_needs)
    suited = [(m, spec) for m, spec in program_modes.items()
              if not spec.get("prior_authorization") and set(spec["needs"]) <= needs]
    if not suited:
        return min(program_modes, key=lambda m: program_modes[m]["rank"])
    return min(suited, key=lambda ms: (-len(ms[1]["needs"]), ms[1]["rank"], ms[0]))[0]


def recent_destinations(trips: Sequence[Trip], options: Sequence[tuple[str, str]], most: int = 3) -> list[str]:
    """The destination values (``provider-key|service``) of the member's latest rides, newest first, among the
    form's ``options``."""
    offered = {value for value, _ in options}
    by_provider_key = {value.split("|", 1)[0]: value for value in offered}
    seen: list[str] = []
    for trip in sorted(trips, key=lambda t: t.requested_at, reverse=True):
        booking = (trip.request or {}).get("booking") or {}
        destination = booking.get("destination") or {}
        value = f"{destination.get('provider')}|{destination.get('service')}"
        if value not in offered:
            value = by_provider_key.get(str(destination.get("provider")), "")
        if value and value not in seen:
            seen.append(value)
        if len(seen) == most:
            break
    return seen


def previous_pickups(trips: Sequence[Trip], member: Member, most: int = 3) -> list[tuple[str, str]]:
    """(address, ZIP) of the places other than home the member was picked up at lately, newest first: the
    alternate pick-up addresses the form offers."""
    home = places.home(member)
    seen: list[tuple[str, str]] = []
    for trip in sorted(trips, key=lambda t: t.requested_at, reverse=True):
        place = (trip.pickup_address, trip.pickup_zip)
        if place not in seen and not (place[1] == home.zip and places.norm(place[0]) == places.norm(home.address)):
            seen.append(place)
        if len(seen) == most:
            break
    return seen
