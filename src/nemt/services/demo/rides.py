"""Two weeks of booked rides and three standing orders, booked through the booking use case as the demo agent."""

from __future__ import annotations

import datetime as dt

from nemt.contracts.decide import EscortInput
from nemt.domain.dates import age_on
from nemt.domain.rides import Mode
from nemt.policy import load_policy
from nemt.services.demo.world import SERVICE_OF_NEEDS
from nemt.services.network import closest_medical_providers
from nemt.services.platform.auth import actor_of

_DemoMember = tuple[str, list[str], str, int]  # key, documented needs, ZIP, age


def _mode_for(needs: list[str]) -> Mode:
    """The mode an agent asks for, from the member's certifications (the rules may still downgrade it)."""
    if "prone-or-supine" in needs:
        return "stretcher-van"
    if "wheelchair-confined" in needs:
        return "wheelchair-van"
    if "cannot-use-less-costly-modes" in needs:
        return "mobility-ambulatory"
    return "public-transit"


def _nearest(uow, members: list[_DemoMember]) -> dict[tuple[str, str], tuple[str, str]]:
    """(nearest, farthest) provider of each member's services. Most members go to the nearest provider of their
    service; every tenth asks for a farther one (the 25-mile rule then denies it unless an exception holds — the
    demo shows such notices too)."""
    nearest = {}
    for member_key, _needs, zip_code, _age in members:
        for service in SERVICE_OF_NEEDS:
            ranked = closest_medical_providers(uow, "CO", zip_code, service)
            if ranked:
                nearest[member_key, service] = (ranked[0].provider.key, ranked[-1].provider.key)
    return nearest


def _request(i: int, n: int, member: _DemoMember, week_start: dt.date, booked_at: dt.datetime,
             nearest: dict[tuple[str, str], tuple[str, str]]):
    """The ``n``-th request of the ``i``-th member in the week from ``week_start``."""
    from nemt.services import rides

    member_key, needs, _zip, age = member
    zone = booked_at.tzinfo
    day = week_start + dt.timedelta(days=(i + 3 * n) % 7)
    service = SERVICE_OF_NEEDS[(i + n) % len(SERVICE_OF_NEEDS)]
    near, far = nearest[member_key, service]
    appointment = dt.datetime.combine(day, dt.time(8 + (i * 7 + n) % 7, 15 * ((i + n) % 4)), tzinfo=zone)
    # Children travel with a parent (Ancillary Services: Escort).
    escorts = [EscortInput(name="Parent Example", age=40, role="parent")] if age < 18 else []
    return rides.RideRequestIn(
        member=member_key, destination=rides.DestinationIn(provider=far if i % 10 == 9 else near, service=service),
        requested_mode=_mode_for(needs), round_trip=True, appointment_at=appointment,
        return_pickup_at=appointment + dt.timedelta(minutes=90), requested_at=booked_at, escorts=escorts)


def _standing_orders(uow_class, agent, members: list[_DemoMember], nearest, today: dt.date,
                     booked_at: dt.datetime) -> int:
    """Three dialysis standing orders (Mon/Wed/Fri) from today, for adults who cannot use less costly modes."""
    from nemt.services import rides

    orders = 0
    adults = [m for m in members if "cannot-use-less-costly-modes" in m[1] and m[3] >= 18]
    for member_key, needs, _zip, _age in adults[:3]:
        order = rides.StandingOrderIn(
            member=member_key, destination=rides.DestinationIn(provider=nearest[member_key, "dialysis"][0],
                                                               service="dialysis"),
            requested_mode=_mode_for(needs), round_trip=True, weekdays=["mon", "wed", "fri"],
            appointment_time=dt.time(6, 30), return_pickup_time=dt.time(10, 30), start_date=today,
            end_date=today + dt.timedelta(days=90))
        with uow_class() as uow:
            rides.create_standing_order(uow, agent, order, booked_at)
        orders += 1
    return orders


def book_rides(uow_class, today: dt.date) -> tuple[int, int]:
    """Book two weeks of appointments — the past seven days and today with the six days after — for the Colorado
    members through the booking use case, as the demo agent, with the decisions the rules give; and three dialysis
    standing orders (Mon/Wed/Fri) from today."""
    from nemt.services import rides

    zone = load_policy("CO").time_zone
    with uow_class() as uow:
        agent = actor_of(uow.users.by_username("agent"))
        members = [(m.key, m.documented_needs, m.zip, age_on(m.birth_date, today))
                   for m in uow.members.in_program("CO")]
        nearest = _nearest(uow, members)
    booked = 0
    for week_start in (today - dt.timedelta(days=7), today):
        booked_at = dt.datetime.combine(week_start - dt.timedelta(days=3), dt.time(9, 0), tzinfo=zone)
        for i, member in enumerate(members):
            for n in range(1 + (i % 3 == 0)):
                with uow_class() as uow:
                    rides.book_ride(uow, agent, _request(i, n, member, week_start, booked_at, nearest), booked_at)
                booked += 1
    booked_at = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(9, 0), tzinfo=zone)
    return booked, _standing_orders(uow_class, agent, members, nearest, today, booked_at)
