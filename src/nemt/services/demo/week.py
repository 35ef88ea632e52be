"""The demo's past week happened: each day scheduled by the optimizer, every assigned leg logged as a driver app
would send it, and the providers' billing profiles so they can bill that week."""

from __future__ import annotations

import datetime as dt
import random

from nemt.domain.actors import Actor
from nemt.domain.statuses import EventKind, LegStatus
from nemt.policy import load_policy
from nemt.services.platform.auth import actor_of


def _assigned_legs(uow, day: dt.date, program: str) -> list[tuple[str, dt.datetime, dt.datetime, float]]:
    """(key, planned pick-up, planned drop-off, miles) of the program's assigned legs of the day, in the order they
    were booked."""
    legs = [leg for leg, trip in uow.reports.legs(Actor.system("demo"), day, day)
            if leg.status == LegStatus.ASSIGNED and trip.program == program]
    return [(leg.key, leg.planned_pickup, leg.planned_dropoff, leg.miles) for leg in sorted(legs, key=lambda x: x.id)]


def _log_leg(uow, app: Actor, rng: random.Random, leg: tuple[str, dt.datetime, dt.datetime, float]) -> bool:
    """The Standard Trip Log of one leg (arrival, pick-up with the identity check, drop-off with the loaded miles),
    or now and then a no-show; whether the leg was driven."""
    from nemt.services import trips

    key, pickup, dropoff, miles = leg
    late = dt.timedelta(minutes=rng.choice([0, 0, 2, 5, 9, 20]))
    if rng.random() < 0.04:
        trips.record_event(uow, app, key, EventKind.NO_SHOW, {"wait_minutes": 10}, at=pickup + late)
        return False
    trips.record_event(uow, app, key, EventKind.ARRIVED, {}, at=pickup + late - dt.timedelta(minutes=2))
    trips.record_event(uow, app, key, EventKind.PICKED_UP, {"identity_verified": True}, at=pickup + late)
    trips.record_event(uow, app, key, EventKind.DROPPED_OFF,
                       {"loaded_miles": max(1, round(miles)), "trip_confirmed_by": "member"}, at=dropoff + late)
    return True


# Where each program's providers bill from: (city, state, ZIP, telephone area code).
_BILLING_ADDRESS = {"CO": ("Denver", "CO", "80204", "303"), "CT": ("Hartford", "CT", "06103", "860")}


def _billing_profiles(uow, program: str) -> None:
    from nemt.services import claims

    for i, provider in enumerate(uow.network.providers()):
        if provider.organization.program != program:
            continue
        city, state, zip_code, area = _BILLING_ADDRESS[program]
        claims.set_billing_profile(
            uow, Actor.system("demo"), provider, address_line=f"{200 + i} Example Ave", city=city,
            state=state, zip=zip_code, tax_id=f"84000000{i + 1}", submitter_id=f"DEMO{i + 1:04d}",
            submitter_name=provider.organization.name, contact_name="Billing Desk (demo)",
            phone=f"{area}555{i + 1:04d}")
    uow.commit()


def drive_past_week(uow_class, rng: random.Random, today: dt.date, program: str = "CO",
                    dispatcher_name: str = "dispatcher", time_limit: float = 1.0) -> int:
    """The program's past week happened: each day is scheduled by the optimizer and every assigned leg gets its
    Standard Trip Log, a few of them no-shows — as a driver app would send them. The program's providers get billing
    profiles so they can bill that week. Returns how many legs were driven."""
    from nemt.services import dispatch

    app = Actor.system("demo-driver-app")
    with uow_class() as uow:
        dispatcher = actor_of(uow.users.by_username(dispatcher_name))
    logged = 0
    for back in range(7, 0, -1):
        day = today - dt.timedelta(days=back)
        with uow_class() as uow:  # planned as the dispatcher did that morning, before the day began
            morning = dt.datetime.combine(day, dt.time(4, 0), tzinfo=load_policy(program).time_zone)
            dispatch.schedule_day(uow, dispatcher, program, day, time_limit=time_limit, seed=back,
                                  now=morning)
        with uow_class() as uow:
            legs = _assigned_legs(uow, day, program)
        for leg in legs:
            with uow_class() as uow:
                logged += _log_leg(uow, app, rng, leg)
    with uow_class() as uow:
        _billing_profiles(uow, program)
    return logged
