"""Connecticut's demo rides, booked through the booking use case as ``ct-agent`` and decided by Connecticut's rules
(Connecticut DSS NEMT notice — NEMT Contract (updated December 7, 2017)):

- two weeks of appointments (the past week, driven like Colorado's, and the coming one), asked for four days ahead:
  most have the 48 counted hours, a few lose them to a weekend and are denied with the broker's number to call;
- late requests the day before: urgent ones (hospital discharge, critical and unplanned) are approved, the others
  denied for insufficient notice;
- the weekend rule (Friday 10:00 to Tuesday 10:00 is 48 hours; Friday 10:01 is 47 h 59 min) and the holiday rule
  around the last Connecticut holiday;
- the change of broker: rides of December 2017 (LogistiCare, 1-888-248-9895) and January 2018 (Veyo,
  1-855-478-7350), one of them asked for over the New Year's Day weekend.

Every booking is made "at" the moment it was asked for (``book_ride``'s ``now``), so the rules read the notice the
member gave. These rides draw from no random stream (Connecticut's members and network draw from their own,
``SEED + 1``, in the package), so Colorado's demo is unchanged by them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from nemt.domain.dates import age_on
from nemt.domain.notice import holiday_calendar
from nemt.domain.rides import Mode, UrgentReason
from nemt.policy import Policy, load_policy
from nemt.services.demo.world import SERVICE_OF_NEEDS
from nemt.services.network import closest_medical_providers
from nemt.services.platform.auth import actor_of

_CtMember = tuple[str, list[str], str, int]  # key, documented needs, ZIP, age


def _policy() -> Policy:
    """Connecticut's policy, read when rides are booked (not when the package is imported)."""
    return load_policy("CT")


def _mode(needs: list[str], i: int) -> Mode:
    """Connecticut decides no mode ("The types of transportation services will not change"): the agent asks for the
    vehicle the member's needs call for; members without needs ride a taxi or public transit."""
    if "prone-or-supine" in needs:
        return "stretcher-van"
    if "wheelchair-confined" in needs:
        return "wheelchair-van"
    if "cannot-use-less-costly-modes" in needs:
        return "mobility-ambulatory"
    return "taxi" if i % 3 else "public-transit"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=_policy().time_zone)


class _Booker:
    """Books Connecticut rides as the demo's Connecticut agent; counts what it booked."""

    def __init__(self, uow_class) -> None:
        self.uow_class = uow_class
        self.booked = 0
        with uow_class() as uow:
            self.agent = actor_of(uow.users.by_username("ct-agent"))
            self.members: list[_CtMember] = [
                (m.key, m.documented_needs, m.zip, age_on(m.birth_date, dt.date(2018, 1, 1)))
                for m in uow.members.in_program("CT")]
            self.nearest = {(key, service): ranked[0].provider.key
                            for key, _needs, zip_code, _age in self.members for service in SERVICE_OF_NEEDS
                            if (ranked := closest_medical_providers(uow, "CT", zip_code, service))}

    def book(self, i: int, appointment: dt.datetime, asked: dt.datetime, *, service_index: int = 0,
             round_trip: bool = True, urgent: UrgentReason | None = None, mode: Mode | None = None) -> None:
        from nemt.services import rides

        key, needs, _zip, _age = self.members[i % len(self.members)]
        services = [s for s in SERVICE_OF_NEEDS if (key, s) in self.nearest]
        service = services[(i + service_index) % len(services)]
        request = rides.RideRequestIn(
            member=key, destination=rides.DestinationIn(provider=self.nearest[key, service], service=service),
            requested_mode=mode or _mode(needs, i), round_trip=round_trip, appointment_at=appointment,
            return_pickup_at=appointment + dt.timedelta(minutes=90) if round_trip else None,
            urgent_reason=urgent, requested_at=asked)
        with self.uow_class() as uow:
            rides.book_ride(uow, self.agent, request, asked)
        self.booked += 1


def _two_weeks(b: _Booker, today: dt.date) -> None:
    """The past week and the coming one, each asked for four calendar days before its first day."""
    for week_start in (today - dt.timedelta(days=7), today):
        asked = _at(week_start - dt.timedelta(days=4), 9)
        for i in range(len(b.members)):
            for n in range(1 + (i % 4 == 0)):
                day = week_start + dt.timedelta(days=(i + 3 * n) % 7)
                b.book(i, _at(day, 8 + (i * 5 + n) % 7, 15 * ((i + n) % 4)), asked, service_index=n)


def _late_requests(b: _Booker, today: dt.date) -> None:
    """Asked for the afternoon before: urgent needs are taken (same or next day), the others are denied."""
    for k, back in enumerate((3, 2, 1)):
        day = today - dt.timedelta(days=back)
        asked = _at(day - dt.timedelta(days=1), 14)
        urgent: UrgentReason = "critical-unplanned" if k % 2 else "hospital-discharge"
        b.book(k, _at(day, 11), asked, urgent=urgent, round_trip=False)
        b.book(k + 3, _at(day, 12), asked, round_trip=False)


def _last(weekday: int, before: dt.date) -> dt.date:
    return before - dt.timedelta(days=(before.weekday() - weekday) % 7 or 7)


def _weekend_and_holiday(b: _Booker, today: dt.date) -> None:
    """Friday 10:00 to Tuesday 10:00 counts 48 hours (approved); Friday 10:01 counts 47 h 59 min (denied). Around the
    last Connecticut holiday: asked the weekday before it for the weekday after it (denied), and three weekdays
    before (approved)."""
    friday = _last(4, today - dt.timedelta(days=5))
    tuesday = friday + dt.timedelta(days=4)
    b.book(6, _at(tuesday, 10), _at(friday, 10), round_trip=False)
    b.book(7, _at(tuesday, 10, 30), _at(friday, 10, 1), round_trip=False)
    calendar = holiday_calendar(_policy().get("notice.holiday_calendar"), (today.year - 1, today.year))
    holidays = sorted(d for d in calendar
                      if d.weekday() < 5 and d < today - dt.timedelta(days=2))
    if holidays:
        holiday = holidays[-1]
        before = next(_weekdays(holiday, -1))
        after = next(_weekdays(holiday, 1))
        b.book(8, _at(after, 10), _at(before, 10), round_trip=False)
        three_before = list(_weekdays(holiday, -1, 3))[-1]
        b.book(9, _at(after, 11), _at(three_before, 10), round_trip=False)


def _weekdays(start: dt.date, step: int, count: int = 1) -> Iterator[dt.date]:
    """The ``count`` weekdays nearest ``start`` in direction ``step`` (not ``start`` itself), nearest first."""
    day, found = start, 0
    while found < count:
        day += dt.timedelta(days=step)
        if day.weekday() < 5:
            found += 1
            yield day


def _change_of_broker(b: _Booker) -> None:
    """December 2017 is LogistiCare's, January 2018 Veyo's (NEMT Contract (updated December 7, 2017)). Asked on
    Friday, December 29 for Tuesday, January 2: the weekend and New Year's Day are not counted (denied, Veyo's
    number to call)."""
    asked = _at(dt.date(2017, 12, 18), 10)
    b.book(10, _at(dt.date(2017, 12, 28), 10), asked)
    b.book(11, _at(dt.date(2018, 1, 4), 10), asked)
    b.book(12, _at(dt.date(2018, 1, 2), 10), _at(dt.date(2017, 12, 29), 10), round_trip=False)


def book_ct_rides(uow_class, today: dt.date) -> int:
    """Connecticut's demo rides (see the module's docstring); returns how many were booked."""
    b = _Booker(uow_class)
    _two_weeks(b, today)
    _late_requests(b, today)
    _weekend_and_holiday(b, today)
    _change_of_broker(b)
    return b.booked
