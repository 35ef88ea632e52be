"""The world of the call center's load test (:mod:`benchmarks.load`): the demo's Colorado world, generated members
with coverage in the broker's counties, and call-center agents each with an API token.

Everything is written through the services the platform uses: the demo seed, ``make_members`` (the demo's members:
invented names at real ZIP codes, coverage from 2025) added through the members repository, ``auth.create_user`` and
``auth.issue_token`` (what ``nemt users token`` does). The program's clock is fixed (:data:`START`), so the days
booked, the advance notice and the tokens' lifetime do not depend on the day the benchmark runs.

The plan handed to the load client (:mod:`benchmarks.load_client`) holds the agents' tokens, the members' opaque
keys and what an agent types into the search box for each; it is written to a temporary file of the run, never
logged.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from nemt import clock
from nemt.policy import load_policy

#: The program clock of the run (server and world): a Tuesday morning in Denver, clear of holidays for weeks.
START = "2026-12-01T08:00:00-07:00"
#: The broker's (SDE) counties, where the agents book: the generated members live there.
BROKER_COUNTIES = ["Denver", "Denver", "Adams", "Arapahoe", "Jefferson", "Douglas", "Boulder", "Broomfield"]
AGENT_PASSWORD = "load-agent-password-1"  # a synthetic agent of a throw-away schema
#: The mix of the load, in percent: member searches, a member's rides, bookings (:mod:`benchmarks.load_client`).
WEIGHTS = {"search": 40, "rides": 35, "book": 25}
GENERATED_ID_LETTER = "L"  # generated members' Medicaid IDs: L100001, L100002, … (the demo's are D… and C…)


SERVICE = "primary-care"


def _planned(uow, member, today: dt.date, clinics: dict[str, str]) -> dict:
    """A member as the load client sees it: the opaque key, what an agent types to find the member, and what a
    booking for the member asks for — as the demo's bookings do (``nemt.services.demo.rides``): the mode the
    member's certifications support, the nearest primary-care provider (``clinics``: by ZIP, filled as it goes), an
    escort for a child."""
    from nemt.domain.dates import age_on
    from nemt.services.demo.rides import _mode_for
    from nemt.services.network import closest_medical_providers

    if member.zip not in clinics:
        clinics[member.zip] = closest_medical_providers(uow, "CO", member.zip, SERVICE)[0].provider.key
    return {"key": member.key, "medicaid_id": member.medicaid_id, "name": f"{member.last_name} {member.first_name}",
            "name_birth": f"{member.last_name} {member.birth_date.isoformat()}",
            "mode": _mode_for(member.documented_needs), "provider": clinics[member.zip], "service": SERVICE,
            "minor": age_on(member.birth_date, today) < 18}


@dataclass(frozen=True)
class Plan:
    """What the load client needs: the server's clock, the agents' tokens, the members (:func:`_planned`) and the
    days bookings go to."""

    start: str
    tokens: list[str]
    members: list[dict]
    days: list[str]

    def to_json(self) -> dict:
        return asdict(self)


@contextmanager
def fixed_clock(instant: str) -> Iterator[None]:
    """This process's program clock at ``instant`` (running at the real rate) inside the block; as before after."""
    machine = dt.datetime.fromtimestamp(time.time(), dt.UTC)
    offset = clock.now() - machine
    clock.start_at(instant)
    try:
        yield
    finally:
        clock.start_at(dt.datetime.fromtimestamp(time.time(), dt.UTC) + offset)


def booking_days(start: dt.date, count: int) -> list[dt.date]:
    """``count`` weekdays from the third day after ``start`` on (a booking a few days ahead, as most are)."""
    days, day = [], start + dt.timedelta(days=3)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def build(factory, *, members: int, agents: int, days: int, seed: int = 29) -> Plan:
    """Seed the empty, migrated database of ``factory``: the demo world (without its rides), ``members`` generated
    Colorado members in the broker's counties, ``agents`` call-center agents of the broker with a token each."""
    from nemt.services.demo import CO_ORGS
    from nemt.services.demo import seed as seed_demo
    from nemt.services.demo.people import make_members
    from nemt.services.platform import auth

    zone = load_policy("CO").time_zone
    with fixed_clock(START):
        today = clock.today(zone)
        seed_demo(factory, today, rides=False)
        generated = make_members(random.Random(seed), "CO", "CO", BROKER_COUNTIES, members, GENERATED_ID_LETTER)
        tokens: list[str] = []
        clinics: dict[str, str] = {}
        with factory() as uow:
            for m in generated:
                uow.members.add(m)
            broker = uow.organizations.by_name("CO", CO_ORGS[1][1])
            for n in range(agents):
                user = auth.create_user(uow, f"load-agent-{n + 1:03d}", AGENT_PASSWORD, "call-center-agent", broker)
                uow.session.flush()
                tokens.append(auth.issue_token(uow, user, "load test").token)
            uow.commit()
        with factory() as uow:
            rows = [m for m in uow.members.in_program("CO") if m.medicaid_id.startswith(GENERATED_ID_LETTER)]
            listed = [_planned(uow, m, today, clinics) for m in rows]
    return Plan(start=START, tokens=tokens, members=listed,
                days=[d.isoformat() for d in booking_days(today, days)])
