"""The deterministic synthetic demo world: fixed random seed, invented names, real ZIP codes only.

Colorado: the Department, the broker (SDE) with agents and dispatchers, transportation providers in broker and
non-broker counties, a medical facility, members in broker and non-broker counties. Connecticut: a smaller world.
The log-ins (one per role) are listed in DEMO_LOGINS and in the README.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from functools import cache

from nemt import clock
from nemt.contracts.decide import EscortInput
from nemt.domain.actors import OrgKind, Role
from nemt.domain.dates import age_on
from nemt.domain.identifiers import make_npi
from nemt.domain.rides import Mode
from nemt.policy import load_policy
from nemt.services import network
from nemt.services.platform import auth
from nemt.store.models import (
    Coverage,
    CredentialRecord,
    Driver,
    Leg,
    MedicalProvider,
    Member,
    MemberNeed,
    Organization,
    TransportProvider,
    Vehicle,
)

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


@cache
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


# Transportation providers: (org name, specialty, modes, counties, fleet [(type, count, seats, wc, stretcher)]).
CO_PROVIDERS = [
    (CO_ORGS[2][1], "326", ["mobility-ambulatory", "taxi", "wheelchair-van"],
     ["Denver", "Adams", "Arapahoe", "Jefferson", "Douglas", "Broomfield"],
     [("sedan", 3, 4, 0, 0), ("mobility-ambulatory", 4, 6, 0, 0), ("wheelchair-van", 3, 4, 2, 0)]),
    (CO_ORGS[3][1], "326", ["wheelchair-van", "stretcher-van", "mobility-ambulatory"],
     ["Boulder", "Larimer", "Weld", "Denver", "Adams", "Jefferson", "Arapahoe", "Douglas", "Broomfield"],
     [("wheelchair-van", 4, 3, 2, 0), ("stretcher-van", 2, 2, 0, 1), ("ambulance", 1, 1, 0, 1)]),
    (CO_ORGS[4][1], "525", ["mobility-ambulatory", "wheelchair-van", "taxi"], ["El Paso", "Pueblo", "Mesa"],
     [("sedan", 2, 4, 0, 0), ("mobility-ambulatory", 2, 6, 0, 0), ("wheelchair-van", 2, 4, 2, 0)]),
]
PERMIT_FOR = {"sedan": "common-carrier", "mobility-ambulatory": "contract-carrier", "wheelchair-van": "common-carrier",
              "stretcher-van": "contract-carrier", "ambulance": "county-ambulance-licence"}
# Destinations: (name, zip, county, services)
CO_MEDICAL = [
    ("Denver Example Medical Center (demo)", "80204", "Denver", ["hospital", "dialysis", "primary-care"]),
    ("Aurora Example Dialysis (demo)", "80011", "Arapahoe", ["dialysis"]),
    ("Boulder Example Clinic (demo)", "80301", "Boulder", ["primary-care", "physical-therapy"]),
    ("Fort Collins Example Oncology (demo)", "80525", "Larimer", ["oncology", "primary-care"]),
    ("Colorado Springs Example Dialysis (demo)", "80909", "El Paso", ["dialysis", "primary-care"]),
    ("Pueblo Example Hospital (demo)", "81003", "Pueblo", ["hospital", "dialysis", "oncology"]),
    ("Grand Junction Example Clinic (demo)", "81501", "Mesa", ["primary-care", "dialysis"]),
    ("Lakewood Example Pharmacy (demo)", "80226", "Jefferson", ["pharmacy"]),
]
def _network(uow, rng: random.Random, orgs: dict[str, Organization], today: dt.date) -> tuple[int, int]:
    drivers = vehicles = 0
    for p_index, (name, specialty, modes, counties, fleet) in enumerate(CO_PROVIDERS):
        org = orgs[name]
        provider = TransportProvider(organization_id=org.id, npi=org.npi, specialty=specialty, modes=modes,
                                     service_counties=counties)
        uow.session.add(provider)
        uow.session.flush()
        n = 0
        for vtype, count, seats, wc, stretcher in fleet:
            for _ in range(count):
                n += 1
                v = Vehicle(provider_id=provider.id, external_id=f"{name[:2].upper()}-{n:02d}", vehicle_type=vtype,
                            seats=seats, wheelchair_positions=wc, stretcher_positions=stretcher,
                            base_zip=_zips_by_county("CO")[counties[0]][0]["zip_code"])
                d = Driver(provider_id=provider.id, external_id=f"D{p_index + 1}{n:02d}",
                           name=f"{rng.choice(FIRST)} {rng.choice(LAST)}-Driver")
                uow.session.add_all([v, d])
                uow.session.flush()
                # Most credentials run a year or more; a few expire within 30/60/90 days, one has lapsed.
                soon = rng.choice([400, 400, 400, 25, 55, 85])
                lapsed = (p_index, n) == (1, 2)
                for kind, days in (("licence", 700), ("background_check", 300), ("training", soon)):
                    uow.session.add(CredentialRecord(owner_type="driver", owner_id=d.id, kind=kind,
                                                     expires_on=today + dt.timedelta(days=days)))
                for kind, days, detail in (("inspection", -3 if lapsed else 200, ""), ("insurance", 365, ""),
                                           ("permit", 500, PERMIT_FOR[vtype])):
                    uow.session.add(CredentialRecord(owner_type="vehicle", owner_id=v.id, kind=kind, detail=detail,
                                                     expires_on=today + dt.timedelta(days=days)))
                drivers += 1
                vehicles += 1
    for i, (name, zip_code, county, services) in enumerate(CO_MEDICAL):
        z = next(z for z in _zips_by_county("CO")[county] if z["zip_code"] == zip_code)
        uow.session.add(MedicalProvider(program="CO", npi=make_npi(f"17{i:07d}"), name=name,
                                        address_line=f"{100 + i * 11} Example Pkwy", city=z["city"], state="CO",
                                        zip=zip_code, county=county, services=services))
    return drivers, vehicles


SERVICE_OF_NEEDS = ["dialysis", "primary-care", "oncology", "physical-therapy", "hospital"]


def _mode_for(needs: list[str]) -> Mode:
    """The mode an agent asks for, from the member's certifications (the rules may still downgrade it)."""
    if "prone-or-supine" in needs:
        return "stretcher-van"
    if "wheelchair-confined" in needs:
        return "wheelchair-van"
    if "cannot-use-less-costly-modes" in needs:
        return "mobility-ambulatory"
    return "public-transit"


def _book_rides(uow_class, today: dt.date) -> tuple[int, int]:
    """Book two weeks of appointments — the past seven days and today with the six days after — for the Colorado
    members through the booking use case, as the demo agent, with the decisions the rules give; and three dialysis
    standing orders (Mon/Wed/Fri) from today."""
    from sqlalchemy import select

    from nemt.services import booking
    from nemt.services.platform.auth import actor_of

    zone = load_policy("CO").time_zone
    with uow_class() as uow:
        agent = actor_of(uow.users.by_username("agent"))
        members = [(m.key, m.documented_needs, m.zip, age_on(m.birth_date, today)) for m in uow.session.scalars(
            select(Member).where(Member.program == "CO").order_by(Member.id))]
        # Most members go to the nearest provider of their service; every tenth asks for a farther one (the
        # 25-mile rule then denies it unless an exception holds — the demo shows such notices too).
        nearest = {}
        for member_key, _needs, zip_code, _age in members:
            for service in SERVICE_OF_NEEDS:
                ranked = network.closest_medical_providers(uow, "CO", zip_code, service)
                if ranked:
                    nearest[member_key, service] = (ranked[0].provider.key, ranked[-1].provider.key)
    rides = 0
    for week_start in (today - dt.timedelta(days=7), today):
        booked_at = dt.datetime.combine(week_start - dt.timedelta(days=3), dt.time(9, 0), tzinfo=zone)
        for i, (member_key, needs, _zip, age) in enumerate(members):
            for n in range(1 + (i % 3 == 0)):
                day = week_start + dt.timedelta(days=(i + 3 * n) % 7)
                service = SERVICE_OF_NEEDS[(i + n) % len(SERVICE_OF_NEEDS)]
                near, far = nearest[member_key, service]
                appointment = dt.datetime.combine(day, dt.time(8 + (i * 7 + n) % 7, 15 * ((i + n) % 4)),
                                                  tzinfo=zone)
                # Children travel with a parent (Ancillary Services: Escort).
                escorts = [EscortInput(name="Parent Example", age=40, role="parent")] if age < 18 else []
                request = booking.RideRequestIn(
                    member=member_key,
                    destination=booking.DestinationIn(provider=far if i % 10 == 9 else near, service=service),
                    requested_mode=_mode_for(needs), round_trip=True, appointment_at=appointment,
                    return_pickup_at=appointment + dt.timedelta(minutes=90), requested_at=booked_at,
                    escorts=escorts)
                with uow_class() as uow:
                    booking.book_ride(uow, agent, request, booked_at)
                rides += 1
    orders = 0
    booked_at = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(9, 0), tzinfo=zone)
    adults = [m for m in members if "cannot-use-less-costly-modes" in m[1] and m[3] >= 18]
    for member_key, needs, _zip, _age in adults[:3]:
        order = booking.StandingOrderIn(
            member=member_key, destination=booking.DestinationIn(provider=nearest[member_key, "dialysis"][0],
                                                                 service="dialysis"),
            requested_mode=_mode_for(needs), round_trip=True, weekdays=["mon", "wed", "fri"],
            appointment_time=dt.time(6, 30), return_pickup_time=dt.time(10, 30), start_date=today,
            end_date=today + dt.timedelta(days=90))
        with uow_class() as uow:
            booking.create_standing_order(uow, agent, order, booked_at)
        orders += 1
    return rides, orders


def _drive_past_week(uow_class, rng: random.Random, today: dt.date) -> int:
    """The past week happened: each day is scheduled by the optimizer and every assigned leg gets its Standard Trip
    Log (arrival, pick-up with the identity check, drop-off with the loaded miles), a few of them no-shows — as a
    driver app would send them. The providers get billing profiles so they can bill that week."""
    from sqlalchemy import select

    from nemt.domain.actors import Actor
    from nemt.services import claims, dispatch, trip_log
    from nemt.services.platform.auth import actor_of

    app = Actor.system("demo-driver-app")
    with uow_class() as uow:
        dispatcher = actor_of(uow.users.by_username("dispatcher"))
    logged = 0
    for back in range(7, 0, -1):
        day = today - dt.timedelta(days=back)
        with uow_class() as uow:
            dispatch.schedule_day(uow, dispatcher, "CO", day, time_limit=1.0, seed=back)
        with uow_class() as uow:
            legs = [(leg.key, leg.planned_pickup, leg.planned_dropoff, leg.miles) for leg in uow.session.scalars(
                select(Leg).where(Leg.service_date == day, Leg.status == "assigned").order_by(Leg.id))]
        for key, pickup, dropoff, miles in legs:
            late = dt.timedelta(minutes=rng.choice([0, 0, 2, 5, 9, 20]))
            with uow_class() as uow:
                if rng.random() < 0.04:
                    trip_log.record_event(uow, app, key, "no-show", {"wait_minutes": 10}, at=pickup + late)
                    continue
                trip_log.record_event(uow, app, key, "arrived", {}, at=pickup + late - dt.timedelta(minutes=2))
                trip_log.record_event(uow, app, key, "picked-up", {"identity_verified": True}, at=pickup + late)
                trip_log.record_event(uow, app, key, "dropped-off",
                                      {"loaded_miles": max(1, round(miles)), "trip_confirmed_by": "member"},
                                      at=dropoff + late)
            logged += 1
    with uow_class() as uow:
        for i, provider in enumerate(uow.session.scalars(select(TransportProvider).order_by(TransportProvider.id))):
            claims.set_billing_profile(
                uow, Actor.system("demo"), provider, address_line=f"{200 + i} Example Ave", city="Denver",
                state="CO", zip="80204", tax_id=f"84000000{i + 1}", submitter_id=f"DEMO{i + 1:04d}",
                submitter_name=provider.organization.name, contact_name="Billing Desk (demo)")
        uow.commit()
    return logged


def seed(uow_class, today: dt.date | None = None, *, rides: bool = True) -> str:
    """Seed the demo world once; a second call finds it and adds nothing. Dates (credential expiries, the week of
    appointments) are set relative to ``today``; everything else is fixed by the random seed. ``rides=False`` leaves
    out the week of booked rides (most tests book their own)."""
    today = today or clock.today(load_policy("CO").time_zone)
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
        users = {}
        for login in DEMO_LOGINS:
            users[login.username] = auth.create_user(
                uow, login.username, login.password, login.role, orgs[login.organization],
                display_name=f"{login.username.replace('-', ' ').title()} (demo)")
        drivers, vehicles = _network(uow, rng, orgs, today)
        # The demo driver log-in drives the first vehicle of the first provider.
        from sqlalchemy import select

        uow.session.scalar(select(Driver).where(Driver.external_id == "D101")).user_id = users["driver"].id
        members = _members(rng, "CO", "CO", CO_COUNTIES, 60, "D")
        members += _members(rng, "CT", "CT", CT_COUNTIES, 15, "C")
        for m in members:
            uow.session.add(m)
        uow.commit()
    if not rides:
        return f"demo seeded without rides: {len(members)} members, {drivers} drivers, {vehicles} vehicles"
    booked, orders = _book_rides(uow_class, today)
    logged = _drive_past_week(uow_class, rng, today)
    return (f"demo seeded: {len(orgs)} organizations, {len(DEMO_LOGINS)} users, {len(members)} members, "
            f"{drivers} drivers, {vehicles} vehicles, {len(CO_MEDICAL)} medical providers, {booked} rides over two "
            f"weeks ({logged} past legs logged by drivers), {orders} standing orders")
