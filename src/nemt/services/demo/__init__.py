"""The deterministic synthetic demo world: fixed random seed, invented names, real ZIP codes only.

Colorado: the Department, the broker (SDE) with agents and dispatchers, transportation providers in broker and
non-broker counties, a medical facility, members in broker and non-broker counties. Connecticut: a smaller world with
its own broker office (agent, dispatcher), a transportation provider with drivers and vehicles, medical providers in
its three counties, and rides on both sides of the LogistiCare -> Veyo date (``ct_rides``). Connecticut draws from its
own random stream (``SEED + 1``), so the Colorado world is the same with or without it.
The log-ins (one per role) are listed in DEMO_LOGINS and in the README.
"""

from __future__ import annotations

import datetime as dt
import random

from nemt import clock
from nemt.domain.actors import OrgKind
from nemt.domain.identifiers import make_npi
from nemt.policy import load_policy
from nemt.services.demo.complaints import seed_complaints
from nemt.services.demo.ct_rides import book_ct_rides
from nemt.services.demo.expenses import seed_expenses
from nemt.services.demo.network import seed_ct_network, seed_network
from nemt.services.demo.people import make_members
from nemt.services.demo.rides import book_rides
from nemt.services.demo.week import drive_past_week
from nemt.services.demo.world import (
    CO_COUNTIES,
    CO_MEDICAL,
    CO_ORGS,
    CO_PROVIDERS,
    CT_COUNTIES,
    CT_MEDICAL,
    CT_ORGS,
    DEMO_LOGINS,
    DEMO_PASSWORD_SUFFIX,
    SEED,
    DemoLogin,
    zips_by_county,
)
from nemt.services.platform import auth, totp
from nemt.store.models import Organization, User

__all__ = ["CO_MEDICAL", "CO_ORGS", "CO_PROVIDERS", "CT_MEDICAL", "CT_ORGS", "DEMO_LOGINS", "DEMO_PASSWORD_SUFFIX",
           "SEED", "DemoLogin", "seed", "zips_by_county"]


def _organizations(uow) -> dict[str, Organization]:
    orgs: dict[str, Organization] = {}
    for program, org_list in (("CO", CO_ORGS), ("CT", CT_ORGS)):
        for i, (kind, name) in enumerate(org_list):
            npi = make_npi(f"19{program == 'CO' and 1 or 2}{i:06d}") if kind == OrgKind.PROVIDER else None
            orgs[name] = uow.organizations.add(Organization(kind=kind.value, name=name, program=program, npi=npi))
    return orgs


def _users(uow, orgs: dict[str, Organization]) -> dict[str, User]:
    users = {login.username: auth.create_user(uow, login.username, login.password, login.role,
                                              orgs[login.organization],
                                              display_name=f"{login.username.replace('-', ' ').title()} (demo)")
             for login in DEMO_LOGINS}
    for user in users.values():
        if totp.required(user):  # administrators and auditors: enrolled with the README's demo secret
            totp.enrol_demo(user)
    return users


def seed(uow_class, today: dt.date | None = None, *, rides: bool = True) -> str:
    """Seed the demo world once; a second call finds it and adds nothing. Dates (credential expiries, the week of
    appointments) are set relative to ``today``; everything else is fixed by the random seed. ``rides=False`` leaves
    out the week of booked rides (most tests book their own)."""
    today = today or clock.today(load_policy("CO").time_zone)
    rng = random.Random(SEED)
    ct_rng = random.Random(SEED + 1)
    with uow_class() as uow:
        if uow.organizations.by_name("CO", CO_ORGS[0][1]) is not None:
            return f"demo already seeded: {uow.members.count()} members"
        orgs = _organizations(uow)
        users = _users(uow, orgs)
        drivers, vehicles = seed_network(uow, rng, orgs, today)
        ct_fleet = seed_ct_network(uow, ct_rng, orgs, today)
        # The demo driver log-ins drive the first vehicle of the first provider of each program.
        uow.network.driver_by_external_id("D101").user_id = users["driver"].id
        uow.network.driver_by_external_id("D401").user_id = users["ct-driver"].id
        members = make_members(rng, "CO", "CO", CO_COUNTIES, 60, "D")
        members += make_members(rng, "CT", "CT", CT_COUNTIES, 15, "C")
        for m in members:
            uow.members.add(m)
        uow.commit()
    if not rides:
        return (f"demo seeded without rides: {len(members)} members, {drivers + ct_fleet} drivers, "
                f"{vehicles + ct_fleet} vehicles")
    booked, orders = book_rides(uow_class, today)
    # A demo day has a dozen legs or so: a fraction of a second of search plans it as well as a full second would,
    # and the seed (run by `make run` and by many tests) stays quick.
    logged = drive_past_week(uow_class, rng, today, time_limit=0.3)
    ct_booked = book_ct_rides(uow_class, today)
    logged += drive_past_week(uow_class, ct_rng, today, "CT", "ct-dispatcher", time_limit=0.2)
    seed_complaints(uow_class, today)  # a few complaints in each program (issue 16, point 5)
    seed_expenses(uow_class, today)  # an out-of-area trip with meals and lodging, billed (issue 17, point 2)
    return (f"demo seeded: {len(orgs)} organizations, {len(DEMO_LOGINS)} users, {len(members)} members, "
            f"{drivers + ct_fleet} drivers, {vehicles + ct_fleet} vehicles, {len(CO_MEDICAL) + len(CT_MEDICAL)} "
            f"medical providers, {booked + ct_booked} rides ({ct_booked} in Connecticut; {logged} past legs logged "
            f"by drivers), {orders} standing orders")
