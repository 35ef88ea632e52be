"""Reading the Standard Trip Log: one leg's log, and the legs an actor may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from nemt.domain.actors import Actor
from nemt.policy import Policy, load_policy
from nemt.services.platform import audit, permissions
from nemt.services.platform.permissions import Action
from nemt.services.trips.access import leg_for
from nemt.services.trips.evidence import evidence_views
from nemt.services.trips.plausibility import holds_of
from nemt.services.trips.views import LegLogView, view_of


def leg_log(uow: Any, actor: Actor, leg_key: str) -> LegLogView:
    """The current log of one leg, with its events and (while not complete) what it still lacks."""
    leg = leg_for(uow, actor, leg_key, Action.TRIP_LOG_READ)
    policy = load_policy(leg.trip.program)
    rows = uow.trip_logs.events_of([leg.id])[leg.id]
    holds = holds_of(uow, [leg]).get(leg.key, [])
    evidence = evidence_views(uow, [leg.id])[leg.id]
    audit.record(uow, actor, "read", "trip-log", leg.trip.member_id, leg=leg.key)
    uow.commit()
    return replace(view_of(uow, leg, rows, policy), holds=tuple(h.as_dict() for h in holds), evidence=evidence)


def legs_for_actor(uow: Any, actor: Actor, service_date: dt.date | None = None) -> list[LegLogView]:
    """The legs the actor may see (a driver: theirs; a provider admin: the organization's), optionally of one day."""
    permissions.require(actor, Action.TRIP_LOG_READ)
    legs = uow.trip_logs.visible_legs(actor, service_date)
    events = uow.trip_logs.events_of([leg.id for leg in legs])
    views = []
    policies: dict[str, Policy] = {}
    for leg in legs:
        policy = policies.setdefault(leg.trip.program, load_policy(leg.trip.program))
        views.append(view_of(uow, leg, events[leg.id], policy))
    audit.record(uow, actor, "read", "trip-log", None, legs=len(views))
    audit.record_members(uow, actor, "read", "trip-log", [leg.trip.member_id for leg in legs], via="leg-list")
    uow.commit()
    return views
