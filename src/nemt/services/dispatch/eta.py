"""Estimated times: where each vehicle will be, as it drives on from where the trip log last saw it.

A driver running late is not an event anyone records: the trip log simply says the vehicle was last at the clinic at
10:40, and the next pick-up it has not logged cannot happen before now. :func:`estimated_arrivals` drives each run's
remaining stops from there (``nemt.scheduling.live.estimated_times``), so the run's estimated times shift with the
delay; the board flags the legs that will miss their window with the minutes and the ETA in words, by the one rule of
``nemt.domain.punctuality.expected_lateness`` the reports use too. :func:`live_view` gives the board its estimated
times and its vehicle choices from one read of the live day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nemt.domain.actors import Actor
from nemt.services.dispatch.choices import VehicleChoice, choices_of
from nemt.services.dispatch.live import LiveDay, load_live_day
from nemt.services.dispatch.map_data import last_seen, run_heads
from nemt.services.platform import permissions
from nemt.services.platform.permissions import Action

if TYPE_CHECKING:
    from nemt.store.uow import UnitOfWork


@dataclass(frozen=True)
class Eta:
    """When the vehicle will get to a leg's pick-up (None: the member is on board) and its drop-off."""

    pickup: dt.datetime | None
    dropoff: dt.datetime


@dataclass(frozen=True)
class LiveView:
    etas: dict[str, Eta] = field(default_factory=dict)  # leg key -> estimated times
    choices: dict[str, list[VehicleChoice]] = field(default_factory=dict)  # leg key -> vehicles that can take it
    #: leg key -> (when the member called, the pick-up promised then), for will-call returns
    calls: dict[str, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)
    #: vehicle id -> (leg key, stop kind) of the first stop still to drive on its run (the map's next stop)
    heads: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: vehicle id -> (ZIP, when) where the trip log last saw it (``map_data.last_seen``)
    seen: dict[int, tuple[str, dt.datetime]] = field(default_factory=dict)


def estimated_arrivals(live: LiveDay) -> dict[str, Eta]:
    """Leg key -> its estimated times, for every leg still on a run of the live day."""
    from nemt.scheduling import StopKind
    from nemt.scheduling.live import estimated_times

    model, state = live.model, live.state
    out: dict[str, Eta] = {}
    for k, stops in live.order.items():
        vehicle = model.instance.vehicles[k]
        start = state.positions.get(k, (vehicle.start_location, vehicle.shift.earliest))
        times = estimated_times(model.instance, stops, start, state.now)
        pickups: dict[int, float] = {}
        for (r, kind), minute in zip(stops, times, strict=True):
            if kind is StopKind.PICKUP:
                pickups[r] = minute
            else:
                picked = None if r in live.on_board else model.at(pickups.get(r, minute))
                out[model.legs[r].key] = Eta(picked, model.at(minute))
    return out


def live_view(uow: UnitOfWork, actor: Actor, program: str, day: dt.date, *, now: dt.datetime) -> LiveView:
    """The board's live part for ``day`` at ``now``: each leg's estimated times and the vehicles that can take it."""
    permissions.require(actor, Action.DISPATCH)
    live = load_live_day(uow, program, day, now)
    if not live.model.legs:
        return LiveView()
    by_id = {leg.id: leg.key for leg in live.model.legs}
    calls = {by_id[leg_id]: (c.called_at, c.promised_by) for leg_id, c in live.model.calls.items()}
    return LiveView(estimated_arrivals(live), choices_of(live), calls, run_heads(live), last_seen(live))


def day_stamp(uow: UnitOfWork, actor: Actor, program: str, day: dt.date) -> str:
    """A stamp that changes whenever the board of ``day`` would: the board polls it (it reads no member data, so a
    poll writes no audit record) and fetches the board again only when it changed."""
    permissions.require(actor, Action.DISPATCH)
    return uow.live_day.day_stamp(program, day)
