"""Fixtures of the booking tests: the demo world plus a few members with known facts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from nemt import clock

DENVER = ZoneInfo("America/Denver")


# Members with known facts (fictitious): key -> (medicaid_id, county, zip, needs, coverage_end)
MEMBERS = {
    "plain": ("R900001", "Denver", "80203", ["cannot-use-less-costly-modes"], None),
    "wheel": ("R900002", "Denver", "80203", ["cannot-use-less-costly-modes", "wheelchair-confined"], None),
    "noneeds": ("R900003", "Denver", "80203", [], None),
    "lapsed": ("R900004", "Denver", "80203", ["cannot-use-less-costly-modes"], dt.date(2025, 12, 31)),
    "ct": ("R900005", "Hartford", "06103", [], None),
    "moffat": ("R900006", "Moffat", "81625", ["cannot-use-less-costly-modes"], None),  # no provider serves Moffat
}


@pytest.fixture
def world(demo):
    """Adds the MEMBERS; returns a namespace with their keys, the medical providers' keys and the uow factory."""
    from sqlalchemy import select

    from nemt.store.models import Coverage, MedicalProvider, Member, MemberNeed

    keys, providers = {}, {}
    with demo() as uow:
        for name, (mid, county, zip_code, needs, end) in MEMBERS.items():
            program = "CT" if name == "ct" else "CO"
            m = Member(program=program, medicaid_id=mid, first_name="Testfirst", last_name="Zzyzxlast",
                       birth_date=dt.date(1970, 5, 17), address_line="100 Example St", city="Example City",
                       state=program, zip=zip_code, county=county, residence="home")
            m.coverage.append(Coverage(plan="HUSKY" if program == "CT" else "medicaid-state-plan",
                                       start=dt.date(2025, 1, 1), end=end))
            for need in needs:
                m.needs.append(MemberNeed(need=need))
            uow.session.add(m)
            uow.session.flush()
            keys[name] = m.key
        for mp in uow.session.scalars(select(MedicalProvider)):
            providers[mp.name.split(" Example")[0]] = mp.key
        uow.commit()

    class World:
        pass

    w = World()
    w.members, w.providers, w.uow = keys, providers, demo
    return w


def local(days_ahead: int, hour: int, minute: int = 0) -> dt.datetime:
    """A Denver time ``days_ahead`` days from today."""
    day = clock.now().astimezone(DENVER).date() + dt.timedelta(days=days_ahead)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=DENVER)


def ride(member_key: str, provider_key: str, **extra) -> dict:
    """A JSON booking body: to a directory provider, seven days ahead at 10:00 Denver time."""
    body = {
        "member": member_key,
        "destination": {"provider": provider_key, "service": "primary-care"},
        "appointment_at": local(7, 10).isoformat(),
        "requested_mode": "mobility-ambulatory",
    }
    body.update(extra)
    return body
