"""Reading rides and notices: one ride, a member's rides, the rides of a day (the dispatch list), a notice. Each read
of member data is in the audit trail; what an actor may see is the store's visibility rule (``uow.rides``)."""

from __future__ import annotations

import datetime as dt

from nemt.domain.actors import Actor
from nemt.services.platform import audit
from nemt.services.platform.errors import NotFound
from nemt.services.platform.permissions import Action, require
from nemt.store.models import Notice, Trip
from nemt.store.uow import UnitOfWork


def get_ride(uow: UnitOfWork, actor: Actor, key: str) -> Trip:
    """One ride by its key, if the actor may see it (else NotFound, as for an unknown key)."""
    require(actor, Action.RIDE_READ)
    trip = uow.rides.visible_trip(actor, key)
    if trip is None:
        # The same answer for a trip that does not exist and one the actor may not see.
        raise NotFound("no such ride", field="ride", rule="organization-based access")
    audit.record(uow, actor, "read", "trip", trip.member_id, trip=trip.key)
    uow.commit()
    return trip


def rides_of_member(uow: UnitOfWork, actor: Actor, member_key: str, *, commit: bool = True) -> list[Trip]:
    """A member's rides the actor may see, by appointment time; the read is audited (committed here unless
    ``commit`` is False: the caller reads more first and commits)."""
    require(actor, Action.RIDE_READ)
    member, seen = uow.members.by_key_seen_by(actor, member_key) if member_key else (None, False)
    if member is None or not actor.sees_program(member.program):
        raise NotFound("no such member", field="member", rule="member look-up")
    if not seen:
        # Same answer as for an unknown member: do not confirm that the member exists.
        raise NotFound("no such member", field="member", rule="organization-based access")
    trips = uow.rides.visible_trips_of_member(actor, member.id)
    audit.record(uow, actor, "read", "trip", member.id, via="member-rides", rows=len(trips))
    if commit:
        uow.commit()
    return trips


def record_each_member(uow: UnitOfWork, actor: Actor, trips: list[Trip], *, via: str) -> None:
    """One audit record per member of a list of rides, naming their rides, so each member's accounting of
    disclosures is complete (45 CFR 164.528; 164.312(b))."""
    keys: dict[int, list[str]] = {}
    for trip in trips:
        keys.setdefault(trip.member_id, []).append(trip.key)
    for member_id, trip_keys in keys.items():
        audit.record_members(uow, actor, "read", "trip", [member_id], via=via, trips=trip_keys)


def rides_of_day(uow: UnitOfWork, actor: Actor, day: dt.date, *, program: str | None = None,
                 commit: bool = True) -> list[Trip]:
    """The rides with a leg on ``day`` (local date of service) that the actor may see: the dispatch list (audited;
    committed here unless ``commit`` is False)."""
    require(actor, Action.RIDE_READ)
    trips = uow.rides.visible_trips_of_day(actor, day, program)
    audit.record(uow, actor, "read", "trip", None, via="day-list", day=day.isoformat(), rows=len(trips))
    record_each_member(uow, actor, trips, via="day-list")
    if commit:
        uow.commit()
    return trips


def notices_of(uow: UnitOfWork, trip: Trip) -> list[Notice]:
    return uow.rides.notices_of(trip.id)


def latest_notice(uow: UnitOfWork, trip: Trip) -> Notice | None:
    notices = notices_of(uow, trip)
    return notices[-1] if notices else None


def get_notice(uow: UnitOfWork, actor: Actor, key: str) -> tuple[Notice, Trip]:
    """One notice by its key, with its trip, if the actor may see the trip."""
    require(actor, Action.NOTICE_READ)
    notice = uow.rides.notice_by_key(key)
    trip = uow.rides.visible_trip_by_id(actor, notice.trip_id) if notice is not None else None
    if notice is None or trip is None:
        raise NotFound("no such notice", field="notice", rule="organization-based access")
    audit.record(uow, actor, "read", "notice", notice.member_id, notice=notice.key, trip=trip.key)
    uow.commit()
    return notice, trip


def destination_options(uow: UnitOfWork, program: str) -> list[tuple[str, str]]:
    """(value, label) for every service of every enrolled medical provider of the program's directory: the
    destinations a booking form offers (value ``provider-key|service``)."""
    return [(f"{mp.key}|{service}", f"{mp.name} — {service.replace('-', ' ')} ({mp.city})")
            for mp in uow.rides.enrolled_medical_providers(program) for service in (mp.services or [])]
