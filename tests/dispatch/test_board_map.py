"""The board's map (SQLite and PostgreSQL): county outlines from the package, each vehicle where its driver's phone
last was (else the stop its trip log last saw) with its next stop and ETA, in the live part the board polls and as a
plain page; the positions come from the append-only evidence of trip-log events."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select

from nemt.services import dispatch
from nemt.store.claim_models import TripLogEvent
from nemt.store.evidence_models import TripEventEvidence
from nemt.store.models import Leg, Vehicle
from tests.web.helpers import sign_in

from .conftest import DAY, _dispatcher
from .test_live_day import _at, _local, _schedule

PHONE = (39.7508, -104.9966)  # a fix in downtown Denver


def _log(uow, leg: Leg, kind: str, at: dt.datetime, position: tuple[float, float] | None) -> None:
    """A trip-log event as the driver's page sends it, with the phone's position (None: refused)."""
    event = TripLogEvent(leg_id=leg.id, kind=kind, at=at, data={})
    uow.session.add(event)
    uow.session.flush()
    uow.session.add(TripEventEvidence(
        event_id=event.id, leg_id=leg.id, position_status="recorded" if position else "refused",
        latitude=position[0] if position else None, longitude=position[1] if position else None,
        position_at=at if position else None, recorded_at=at))


@dataclass(frozen=True)
class Logged:
    key: str
    vehicle_id: int
    at: dt.datetime  # when its event was logged (its planned pick-up)
    label: str  # its trip and leg


def _two_vehicles(make) -> tuple[Logged, Logged]:
    """The first planned legs of two different vehicles: one logged with a position, the other without."""
    _schedule(make, _at(5))
    with make() as uow:
        legs = list(uow.session.scalars(select(Leg).where(Leg.planned_pickup.is_not(None))
                                        .order_by(Leg.planned_pickup)))
        first = legs[0]
        other = next(leg for leg in legs if leg.vehicle_id != first.vehicle_id)
        _log(uow, first, "arrived", _local(first.planned_pickup), PHONE)
        _log(uow, other, "arrived", _local(other.planned_pickup), None)
        uow.commit()
        return tuple(Logged(leg.key, leg.vehicle_id, _local(leg.planned_pickup),
                            f"{leg.trip.confirmation}/{leg.sequence}") for leg in (first, other))


def test_the_map_places_each_vehicle_by_its_phone_or_its_trip_log_with_its_next_stop(day_with_trips):
    first, other = _two_vehicles(day_with_trips)
    now = max(first.at, other.at) + dt.timedelta(minutes=1)
    with day_with_trips() as uow:
        actor = _dispatcher(uow)
        view = dispatch.live_view(uow, actor, "CO", DAY, now=now)
        board = dispatch.day_board(uow, actor, "CO", DAY, now=now, etas=view.etas)
        day_map = dispatch.day_map(uow, actor, "CO", board, view)
        names = {v.id: v.external_id for v in uow.session.scalars(select(Vehicle))}
    marks = {m.vehicle: m for m in day_map.vehicles}
    phone, logged = marks[names[first.vehicle_id]], marks[names[other.vehicle_id]]
    assert (phone.lat, phone.lon, phone.source) == (*PHONE, "phone")
    assert logged.source == "trip log" and _local(logged.seen_at) == other.at
    # The member is not picked up yet: the next stop is that leg's pick-up, with its estimated time.
    assert phone.next_stop is not None and phone.next_stop.label == f"{first.label} pick-up"
    assert phone.next_stop.eta == view.etas[first.key].pickup
    assert day_map.state == "CO" and len(day_map.stops) == 2 * len(board.legs)


def test_the_live_part_and_the_plain_map_page_draw_counties_and_vehicles(client, day_with_trips):
    first, _other = _two_vehicles(day_with_trips)
    sign_in(client, "dispatcher")
    with day_with_trips() as uow:
        vehicle = uow.session.get(Vehicle, first.vehicle_id).external_id
    live = client.get(f"/dispatch/live?day={DAY}").text
    svg = live.split('id="vehicle-map"')[1]
    assert "<title>Denver County</title>" in svg and f'data-vehicle="{vehicle}"' in svg
    row = re.search(rf"<tr><td>{re.escape(vehicle)}</td>(.*?)</tr>", live.split('id="vehicle-positions"')[1], re.S)
    assert row and "phone" in row.group(1) and f"{first.label} pick-up" in row.group(1)
    page = client.get(f"/dispatch/map?day={DAY}")
    assert page.status_code == 200 and 'id="vehicle-map"' in page.text and "Late legs" in page.text
    assert "<script" not in page.text.split("<main")[1].split("</main>")[0]  # a plain page: no script needed
