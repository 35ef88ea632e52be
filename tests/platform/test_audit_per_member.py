"""Lists that show many members write one audit record per member shown (issue 14, item 9), so each member's
accounting of disclosures is complete: member search, the rides of a day, the legs of a provider, the claims list."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from nemt.domain.actors import Actor
from nemt.services import claims, members, rides
from nemt.services.platform import audit, audit_chain
from nemt.services.trips import legs_for_actor
from nemt.store.models import AuditEvent, Member, Trip
from tests.claims_db.conftest import billed, world  # noqa: F401 - the billed-claims fixtures, shared
from tests.conftest import actor_for

SYSTEM = Actor.system("per-member-test")


def _reads(uow_factory, entity: str, via: str) -> Counter:
    """How many records of ``entity`` read through the list ``via`` each member has."""
    with uow_factory() as uow:
        events = uow.session.scalars(select(AuditEvent).where(AuditEvent.entity == entity))
        return Counter(e.member_id for e in events if (e.detail or {}).get("via") == via and e.member_id is not None)


def test_record_members_writes_one_chained_record_per_distinct_member(demo):
    with demo() as uow:
        ids = list(uow.session.scalars(select(Member.id).order_by(Member.id).limit(3)))
        written = audit.record_members(uow, SYSTEM, "read", "member", [ids[0], ids[1], None, ids[1], ids[2]],
                                       via="test")
        uow.commit()
    assert written == 3
    assert _reads(demo, "member", "test") == Counter({ids[0]: 1, ids[1]: 1, ids[2]: 1})
    with demo() as uow:
        assert audit_chain.verify(uow).ok


def test_member_search_records_each_member_found(demo):
    with demo() as uow:
        for n in range(3):
            uow.session.add(Member(program="CO", medicaid_id=f"Q90000{n}", first_name=f"Same{n}",
                                   last_name="Twinlast", birth_date=dt.date(1960, 1, 2), address_line="1 Example St",
                                   city="Denver", state="CO", zip="80203", county="Denver", residence="home"))
        uow.commit()
    agent = actor_for(demo, "agent")
    with demo() as uow:
        found = members.find_members(uow, agent, last_name="Twinlast", birth_date=dt.date(1960, 1, 2))
        found_ids = {m.id for m in found}
    assert len(found_ids) == 3
    assert _reads(demo, "member", "search") == Counter({i: 1 for i in found_ids})


def test_the_rides_of_a_day_record_each_member(demo_with_rides):
    with demo_with_rides() as uow:
        day = uow.session.scalar(select(Trip.service_date).group_by(Trip.service_date)
                                 .order_by(func.count().desc()).limit(1))
    dispatcher = actor_for(demo_with_rides, "dispatcher")
    with demo_with_rides() as uow:
        trips = rides.rides_of_day(uow, dispatcher, day, program="CO")
        shown = {t.member_id for t in trips}
    assert len(shown) > 1
    assert _reads(demo_with_rides, "trip", "day-list") == Counter({m: 1 for m in shown})


def test_the_legs_of_a_provider_record_each_member(billed):  # noqa: F811 - the fixture imported above
    provider = billed.actor("provider")
    with billed.uow() as uow:
        views = legs_for_actor(uow, provider)
        shown = {uow.trip_logs.leg(v.leg_key).trip.member_id for v in views}
    assert len(shown) == 2
    assert _reads(billed.uow, "trip-log", "leg-list") == Counter({m: 1 for m in shown})


def test_the_claims_list_records_each_member(billed):  # noqa: F811
    provider = billed.actor("provider")
    with billed.uow() as uow:
        listed = claims.list_claims(uow, provider)
    assert len(listed) == 2
    assert _reads(billed.uow, "claim", "claim-list") == Counter({m: 1 for m in billed.member_ids[:2]})
