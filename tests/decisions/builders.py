"""Plain-value builders for ride requests: a baseline request per program that a test changes one field at a time.

The baseline Colorado request is approved with no reason code: an adult Denver member with Medicaid State Plan
coverage, a public-transit ride to a covered, enrolled provider 5 miles away. The baseline Connecticut request is
approved likewise, with more than 48 counted notice hours.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace
from typing import Any

from nemt.domain.rides import CoverageSpan, Destination, HomeAddress, Member, RideRequest, Trip
from nemt.policy import Policy, load_policy

DENVER = dt.timezone(dt.timedelta(hours=-7))  # fixed offsets as the JSON inputs carry them (MST)
MDT = dt.timezone(dt.timedelta(hours=-6))
EST = dt.timezone(dt.timedelta(hours=-5))
EDT = dt.timezone(dt.timedelta(hours=-4))

CO_APPOINTMENT = dt.datetime(2025, 3, 12, 10, 0, tzinfo=MDT)  # a Wednesday
CT_APPOINTMENT = dt.datetime(2018, 2, 7, 10, 0, tzinfo=EST)  # a Wednesday


def co_request(**trip_changes: Any) -> RideRequest:
    member = Member(
        medicaid_id="Z999001",
        name="Test Member",
        birth_date=dt.date(1985, 6, 1),
        home=HomeAddress(zip="80205", county="Denver", state="CO"),
        coverage=(CoverageSpan("medicaid-state-plan", dt.date(2020, 1, 1), None),),
    )
    trip = Trip(
        appointment_at=CO_APPOINTMENT,
        destination=Destination(
            name="Test Clinic", zip="80204", county="Denver", state="CO", service="visit",
            service_covered=True, provider_enrolled=True, miles_from_home=5.0,
            closest_qualified_provider_miles=5.0, closest_provider_accepts_member=True,
        ),
        requested_mode="public-transit",
    )
    request = RideRequest(
        program="CO", requested_at=CO_APPOINTMENT - dt.timedelta(days=2), requested_by="member",
        member=member, trip=trip,
    )
    return with_trip(request, **trip_changes) if trip_changes else request


def ct_request(**trip_changes: Any) -> RideRequest:
    member = Member(
        medicaid_id="Z999002",
        name="Test Member",
        birth_date=dt.date(1980, 3, 3),
        home=HomeAddress(zip="06106", county="Hartford", state="CT"),
        coverage=(CoverageSpan("HUSKY", dt.date(2016, 1, 1), None),),
    )
    trip = Trip(
        appointment_at=CT_APPOINTMENT,
        destination=Destination(
            name="Test Clinic", zip="06112", county="Hartford", state="CT", service="visit",
            service_covered=True, provider_enrolled=True, miles_from_home=3.0,
            closest_qualified_provider_miles=3.0, closest_provider_accepts_member=True,
        ),
        requested_mode="public-transit",
    )
    request = RideRequest(
        program="CT", requested_at=CT_APPOINTMENT - dt.timedelta(days=5), requested_by="member",
        member=member, trip=trip,
    )
    return with_trip(request, **trip_changes) if trip_changes else request


def with_trip(request: RideRequest, **changes: Any) -> RideRequest:
    return replace(request, trip=replace(request.trip, **changes))


def with_member(request: RideRequest, **changes: Any) -> RideRequest:
    if "documented_needs" in changes:
        changes["documented_needs"] = frozenset(changes["documented_needs"])
    return replace(request, member=replace(request.member, **changes))


def with_destination(request: RideRequest, **changes: Any) -> RideRequest:
    return with_trip(request, destination=replace(request.trip.destination, **changes))


def aged(request: RideRequest, years: int, days_short: int = 0) -> RideRequest:
    """The member's ``years``-th birthday falls ``days_short`` days after the date of service: with 0 the member
    turns ``years`` that very day; with 1 the member is still ``years - 1``."""
    dos = request.trip.appointment_at.date()
    birth = dos.replace(year=dos.year - years) + dt.timedelta(days=days_short)
    return with_member(request, birth_date=birth)


def policy_with(code: str, dotted: str, value: Any) -> Policy:
    """A copy of a program's policy with one value changed (to show that rules read the policy)."""
    base = load_policy(code)
    data = copy.deepcopy(dict(base.data))
    node = data
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    return Policy(code=base.code, path=base.path, data=data)
