"""The demo's members: invented names at real ZIP codes of each county, with coverage and certified needs."""

from __future__ import annotations

import datetime as dt
import random

from nemt.services.demo.world import FIRST, LAST, NEEDS_MIX, STREETS, zips_by_county
from nemt.store.models import Coverage, Member, MemberNeed


def make_members(rng: random.Random, program: str, state: str, counties: list[str], count: int,
                 id_letter: str) -> list[Member]:
    zips = zips_by_county(state)
    members = []
    for i in range(count):
        county = counties[i % len(counties)]
        z = rng.choice(zips[county])
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 80))
        needs = rng.choice(NEEDS_MIX)
        m = Member(
            program=program, medicaid_id=f"{id_letter}{100001 + i:06d}",
            first_name=rng.choice(FIRST), last_name=rng.choice(LAST), birth_date=birth,
            address_line=f"{rng.randrange(10, 9999)} {rng.choice(STREETS)}", city=z["city"], state=state,
            zip=z["zip_code"], county=county, phone=f"555-01{rng.randrange(0, 100):02d}",
            residence="home", facility_has_vehicle=None, has_other_transportation=False,
            at_risk_adult=rng.random() < 0.05, sex="FM"[i % 2],
        )
        plan = "medicaid-state-plan" if program == "CO" else "HUSKY"
        # Connecticut's members have been covered since 2016: the demo has rides of December 2017 (LogistiCare)
        # and January 2018 (Veyo), on both sides of the change of broker.
        start = dt.date(2025, 1, 1) if program == "CO" else dt.date(2016, 1, 1)
        m.coverage.append(Coverage(plan=plan, start=start, end=None))
        for need in needs:
            m.needs.append(MemberNeed(need=need, certified_on=dt.date(2026, 1, 15), certified_by="Demo Clinic"))
        members.append(m)
    return members
