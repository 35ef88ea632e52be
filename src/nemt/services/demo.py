"""The deterministic synthetic demo world: fixed random seed, invented names, real ZIP codes only.

Colorado: the Department, the broker (SDE) with agents and dispatchers, transportation providers in broker and
non-broker counties, a medical facility, members in broker and non-broker counties. Connecticut: a smaller world.
The log-ins (one per role) are listed in DEMO_LOGINS and in the README.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from nemt.domain.identifiers import make_npi
from nemt.services import auth
from nemt.store.models import Coverage, Member, MemberNeed, Organization, OrgKind, Role

SEED = 20261123
DEMO_PASSWORD_SUFFIX = "-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    organization: str
    program: str

    @property
    def password(self) -> str:
        return self.username + DEMO_PASSWORD_SUFFIX


CO_ORGS = [
    (OrgKind.DEPARTMENT, "Colorado Dept. of Health Care Policy & Financing (demo)"),
    (OrgKind.BROKER, "Front Range Ride Broker (demo SDE)"),
    (OrgKind.PROVIDER, "Mile High Mobility (demo)"),
    (OrgKind.PROVIDER, "Peak Wheelchair Vans (demo)"),
    (OrgKind.PROVIDER, "Pikes Peak Transport (demo)"),
    (OrgKind.FACILITY, "Denver Example Medical Center (demo)"),
]
CT_ORGS = [
    (OrgKind.DEPARTMENT, "Connecticut DSS (demo)"),
    (OrgKind.BROKER, "Nutmeg Ride Broker (demo)"),
    (OrgKind.PROVIDER, "Charter Oak Vans (demo)"),
    (OrgKind.FACILITY, "Hartford Example Hospital (demo)"),
]

DEMO_LOGINS = [
    DemoLogin("agent", Role.AGENT, CO_ORGS[1][1], "CO"),
    DemoLogin("dispatcher", Role.DISPATCHER, CO_ORGS[1][1], "CO"),
    DemoLogin("provider", Role.PROVIDER_ADMIN, CO_ORGS[2][1], "CO"),
    DemoLogin("driver", Role.DRIVER, CO_ORGS[2][1], "CO"),
    DemoLogin("facility", Role.FACILITY_SCHEDULER, CO_ORGS[5][1], "CO"),
    DemoLogin("auditor", Role.AUDITOR, CO_ORGS[0][1], "CO"),
    DemoLogin("admin", Role.ADMIN, CO_ORGS[0][1], "CO"),
    DemoLogin("ct-agent", Role.AGENT, CT_ORGS[1][1], "CT"),
    DemoLogin("ct-auditor", Role.AUDITOR, CT_ORGS[0][1], "CT"),
]

FIRST = ["Ava", "Ben", "Cora", "Dev", "Elle", "Finn", "Gia", "Hal", "Iris", "Jon", "Kai", "Lena", "Milo", "Nia",
         "Omar", "Pia", "Quin", "Rosa", "Sam", "Tess", "Uma", "Vic", "Wren", "Xan", "Yara", "Zed"]
LAST = ["Sample", "Example", "Placeholder", "Testa", "Demo", "Fictive", "Mockley", "Synthe", "Pseudo", "Notreal"]
STREETS = ["Example St", "Sample Ave", "Demo Blvd", "Test Rd", "Placeholder Ln", "Fictional Way"]

# Counties for members: most in the broker (SDE) area, some where providers administer NEMT.
CO_COUNTIES = ["Denver", "Denver", "Adams", "Arapahoe", "Jefferson", "Boulder", "Larimer", "Weld", "Douglas",
               "El Paso", "El Paso", "Pueblo", "Mesa"]
CT_COUNTIES = ["Hartford", "New Haven", "Fairfield"]
NEEDS_MIX = [[], [], [], ["cannot-use-less-costly-modes"],
             ["cannot-use-less-costly-modes", "wheelchair-confined"],
             ["cannot-use-less-costly-modes", "wheelchair-confined"],
             ["cannot-use-less-costly-modes", "prone-or-supine"]]


def _zips_by_county(state: str) -> dict[str, list[dict]]:
    import zipcodes

    out: dict[str, list[dict]] = {}
    for z in zipcodes.filter_by(state=state):
        if z["zip_code_type"] == "STANDARD" and z["active"]:
            out.setdefault(z["county"].removesuffix(" County"), []).append(z)
    for zs in out.values():
        zs.sort(key=lambda z: z["zip_code"])
    return out


def _members(rng: random.Random, program: str, state: str, counties: list[str], count: int,
             id_letter: str) -> list[Member]:
    zips = _zips_by_county(state)
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
            at_risk_adult=rng.random() < 0.05,
        )
        plan = "medicaid-state-plan" if program == "CO" else "HUSKY"
        m.coverage.append(Coverage(plan=plan, start=dt.date(2025, 1, 1), end=None))
        for need in needs:
            m.needs.append(MemberNeed(need=need, certified_on=dt.date(2026, 1, 15), certified_by="Demo Clinic"))
        members.append(m)
    return members


def seed(uow_class) -> str:
    """Seed the demo world once; a second call finds it and adds nothing."""
    rng = random.Random(SEED)
    with uow_class() as uow:
        if uow.organizations.by_name("CO", CO_ORGS[0][1]) is not None:
            return f"demo already seeded: {uow.members.count()} members"
        orgs: dict[str, Organization] = {}
        for program, org_list in (("CO", CO_ORGS), ("CT", CT_ORGS)):
            for i, (kind, name) in enumerate(org_list):
                npi = make_npi(f"19{program == 'CO' and 1 or 2}{i:06d}") if kind == OrgKind.PROVIDER else None
                orgs[name] = Organization(kind=kind.value, name=name, program=program, npi=npi)
                uow.session.add(orgs[name])
        uow.session.flush()
        for login in DEMO_LOGINS:
            auth.create_user(uow, login.username, login.password, login.role, orgs[login.organization],
                             display_name=f"{login.username.replace('-', ' ').title()} (demo)")
        members = _members(rng, "CO", "CO", CO_COUNTIES, 60, "D")
        members += _members(rng, "CT", "CT", CT_COUNTIES, 15, "C")
        for m in members:
            uow.session.add(m)
        uow.commit()
        return f"demo seeded: {len(orgs)} organizations, {len(DEMO_LOGINS)} users, {len(members)} members"
