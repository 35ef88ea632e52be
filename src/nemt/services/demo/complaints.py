"""The demo's complaints (issue 16, point 5), so the complaints page and report have data: a few complaints about
the past week's driven legs in Colorado and in Connecticut, recorded by each program's agent through the intake use
case; some investigated and resolved (substantiated or not, with the member's notice), and one received five weeks
ago and still open (about a ride before the demo's week: it names the member, not a ride), so it shows as overdue.
No random stream: the legs are taken in the order they were booked."""

from __future__ import annotations

import datetime as dt

from nemt import clock
from nemt.domain.statuses import ComplaintReporter, LegStatus
from nemt.services import complaints
from nemt.services.platform.auth import actor_of

# (category, what the member said, the investigation note, finding or None to leave it open, resolution)
_CASES = [
    ("late", "The van arrived 35 minutes after the pick-up time; I missed the start of my appointment.",
     "The driver's log shows the pick-up 33 minutes after the planned time (traffic on the interstate).",
     "substantiated", "The provider added ten minutes of slack to this member's morning pick-ups."),
    ("driver-conduct", "The driver was on the phone for the whole ride.",
     "The provider spoke to the driver, who says the call was the dispatcher's.",
     "not-substantiated", "The provider found the calls were from its dispatch; drivers now use a hands-free set."),
    ("vehicle-condition", "Last month the wheelchair lift made a loud noise and stopped halfway.", None, None, ""),
    ("driver-no-show", "Nobody came for my return ride; I called a relative.",
     "The return leg was logged as driven; the provider is checking the vehicle's position that afternoon.",
     None, ""),
]
_OVERDUE_DAYS_AGO = 35


def _driven_legs(uow, agent, today: dt.date) -> list[tuple[str, str]]:
    """(leg key, member key) of the past week's completed legs, in the order they were booked."""
    rows = uow.reports.legs(agent, today - dt.timedelta(days=7), today - dt.timedelta(days=1))
    return [(leg.key, trip.member.key) for leg, trip in sorted(rows, key=lambda r: r[0].id)
            if leg.status == LegStatus.COMPLETED]


def _one(uow_class, username: str, about: dict, case: tuple, received: dt.datetime, now: dt.datetime) -> None:
    category, said, note, finding, resolution = case
    with uow_class() as uow:
        agent = actor_of(uow.users.by_username(username))
        command = complaints.ComplaintIn(category=category, description=said, reported_by=ComplaintReporter.MEMBER,
                                         **about)
        key = complaints.record_complaint(uow, agent, command, received).key
    if note:
        with uow_class() as uow:
            complaints.add_note(uow, actor_of(uow.users.by_username(username)), key,
                                complaints.NoteIn(text=note), now)
    if finding:
        with uow_class() as uow:
            complaints.resolve(uow, actor_of(uow.users.by_username(username)), key,
                               complaints.ResolutionIn(finding=finding, resolution=resolution), now)


def seed_complaints(uow_class, today: dt.date) -> int:
    """Record the demo complaints (Colorado's four, Connecticut's first three); returns how many."""
    now = clock.now()
    made = 0
    for username, cases in (("agent", _CASES), ("ct-agent", _CASES[:3])):
        with uow_class() as uow:
            legs = _driven_legs(uow, actor_of(uow.users.by_username(username)), today)
        for i, case in enumerate(cases):
            if not legs:
                break
            leg, member = legs[(i * 5) % len(legs)]
            if case[0] == "vehicle-condition":  # received five weeks ago, still open: overdue
                _one(uow_class, username, {"member": member}, case, now - dt.timedelta(days=_OVERDUE_DAYS_AGO), now)
            else:
                _one(uow_class, username, {"leg": leg}, case, now, now)
            made += 1
    return made
