"""Plausibility of trip logs on the database: the facts the pure rules (:mod:`nemt.domain.plausibility`) look at —
the leg's plan and route, its evidence, the other legs of its driver and vehicle — gathered for one leg being
recorded (:func:`check_entry`: refuse, or say what holds it for review) or for many legs at once
(:func:`holds_of`: the claims build skips every leg held, naming the rule)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nemt import geo
from nemt.domain.plausibility import Finding, LegFacts, Neighbour, Position, check, people_aboard
from nemt.domain.trip_log import LegLog, utc
from nemt.policy import Policy, load_policy
from nemt.services.platform.errors import InvalidInput
from nemt.services.trips.evidence import EventEvidence
from nemt.services.trips.views import logs_of
from nemt.store.models import Leg

_FIELD_OF = {"event-order": "at", "early-pickup": "at", "loaded-minutes": "at", "loaded-miles": "data.loaded_miles",
             "odometer-miles": "evidence.odometer", "gps-miles": "evidence", "gps-place": "evidence",
             "driver-overlap": "at", "vehicle-overlap": "at", "capacity": "data"}


@dataclass
class _Context:
    """What the facts of a batch of legs share: the other legs nearby, their logs and drivers, vehicle places."""

    neighbours: list[Leg]
    logs: dict[int, LegLog]
    drivers: dict[int, int | None]
    places: dict[int, int]
    evidence: dict[int, list[Any]]


def _driver_of(leg: Leg, runs: Mapping[tuple[int, dt.date], int]) -> int | None:
    if leg.driver_id is not None:
        return leg.driver_id
    return runs.get((leg.vehicle_id, leg.service_date)) if leg.vehicle_id is not None else None


def _context(uow: Any, legs: Sequence[Leg]) -> _Context:
    asked = {(leg.vehicle_id, leg.service_date) for leg in legs if leg.vehicle_id}
    own_runs = uow.evidence.run_drivers(asked)
    driver_ids = {d for leg in legs if (d := _driver_of(leg, own_runs)) is not None}
    vehicle_ids = {leg.vehicle_id for leg in legs if leg.vehicle_id is not None}
    near = uow.evidence.legs_near({leg.service_date for leg in legs}, vehicle_ids, driver_ids) \
        if (driver_ids or vehicle_ids) else []
    everyone = {leg.id: leg for leg in [*legs, *near]}
    runs = dict(own_runs)
    missing = {(leg.vehicle_id, leg.service_date) for leg in near if leg.vehicle_id} - asked
    if missing:  # only the runs of neighbours on other vehicles or days are read again
        runs.update(uow.evidence.run_drivers(missing))
    return _Context(near, logs_of(uow, list(everyone)), {i: _driver_of(leg, runs) for i, leg in everyone.items()},
                    uow.evidence.places(vehicle_ids), uow.evidence.evidence_of([leg.id for leg in legs]))


def _window_opens(leg: Leg, policy: Policy) -> dt.datetime | None:
    """The pick-up window's start: the requested earliest pick-up, else the planned pick-up less the program's
    pick-up window."""
    if leg.pickup_earliest is not None:
        return utc(leg.pickup_earliest)
    if leg.planned_pickup is not None:
        return utc(leg.planned_pickup) - dt.timedelta(minutes=int(policy.get("operations.pickup_window_minutes")))
    return None


@lru_cache(maxsize=4096)
def _route(origin_zip: str, destination_zip: str) -> tuple[float | None, geo.Point | None, geo.Point | None]:
    """Road minutes of a leg's route and its stops' points (None where a ZIP is unknown), by ZIPs, remembered: a
    claims build asks for the same few routes many times."""
    try:
        a, b = geo.lookup_zip(origin_zip, "zip").point, geo.lookup_zip(destination_zip, "zip").point
    except (geo.GeoError, KeyError, ValueError):
        return None, None, None
    try:
        return geo.default_engine().route(a, b).minutes, a, b
    except geo.GeoError:
        return None, a, b


def _evidence_by_kind(rows: Sequence[Any], pending: tuple[str, EventEvidence | None] | None
                      ) -> tuple[dict[str, float], dict[str, Position]]:
    odometer: dict[str, float] = {}
    positions: dict[str, Position] = {}
    items: list[tuple[str, Any]] = [(row.event.kind, row) for row in rows]
    if pending is not None and pending[1] is not None:
        items.append((pending[0], pending[1]))
    for kind, e in items:
        if e.odometer is not None:
            odometer[kind] = e.odometer
        if e.latitude is not None and e.longitude is not None:
            positions[kind] = Position(e.latitude, e.longitude, e.accuracy_m)
    return odometer, positions


def _facts(leg: Leg, log: LegLog, ctx: _Context, policy: Policy,
           pending: tuple[str, EventEvidence | None] | None = None) -> LegFacts:
    minutes, origin, destination = _route(leg.origin_zip, leg.destination_zip)
    odometer, positions = _evidence_by_kind(ctx.evidence.get(leg.id, []), pending)
    stops = {k: p for k, p in (("arrived", origin), ("picked-up", origin), ("dropped-off", destination)) if p}
    driver = ctx.drivers.get(leg.id)
    neighbours = []
    for other in ctx.neighbours:
        olog = ctx.logs.get(other.id)
        if other.id == leg.id or olog is None:
            continue
        start = olog.picked_up_at or olog.arrived_at
        if start is None or olog.dropped_off_at is None:
            continue
        neighbours.append(Neighbour(other.key, start, olog.dropped_off_at, ctx.drivers.get(other.id),
                                    other.vehicle_id, people_aboard(olog)))
    return LegFacts(leg.key, log, _window_opens(leg, policy), leg.miles or None, minutes, odometer, positions,
                    stops, driver, leg.vehicle_id, ctx.places.get(leg.vehicle_id) if leg.vehicle_id else None,
                    tuple(neighbours))


def check_entry(uow: Any, leg: Leg, after: LegLog, kind: str, evidence: EventEvidence | None,
                policy: Policy) -> list[Finding]:
    """The rules for a leg's log as it would be after this event: an InvalidInput naming the rule for the first
    finding that refuses; the findings that hold the leg for review otherwise (empty: plausible)."""
    ctx = _context(uow, [leg])
    findings = check(_facts(leg, after, ctx, policy, (kind, evidence)), policy)
    for finding in findings:
        if finding.refuses:
            raise InvalidInput(f"the log cannot be true: {finding.message}", field=_FIELD_OF[finding.rule],
                               rule=f"{finding.rule} — {finding.cite}")
    return findings


def holds_of(uow: Any, legs: Sequence[Leg]) -> dict[str, list[Finding]]:
    """The legs (by key) whose current log fails a plausibility rule, with the findings: never billed until
    corrected (or reviewed)."""
    if not legs:
        return {}
    ctx = _context(uow, legs)
    policies: dict[str, Policy] = {}
    out: dict[str, list[Finding]] = {}
    for leg in legs:
        policy = policies.setdefault(leg.trip.program, load_policy(leg.trip.program))
        findings = check(_facts(leg, ctx.logs[leg.id], ctx, policy), policy)
        if findings:
            out[leg.key] = findings
    return out
