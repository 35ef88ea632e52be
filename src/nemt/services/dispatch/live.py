"""The live day from the store: what remains of a day at "now", the runs as they stand, and the one gate every change
of a run goes through before it is saved.

``load_live_day`` reads the day's open legs, the trip log (a member picked up and not dropped off is on board; the
last event on a vehicle's run says where it was last seen) and the runs, and builds the instance of what remains
(``nemt.scheduling.live.live_instance``: no pick-up before now plus the policy's dispatch lead time, each vehicle
from its last known place, members on board kept on their vehicle). ``save_checked`` verifies a plan with the
independent checker — every constraint, and nothing before now — and writes it; ``refusal`` turns the checker's
typed violations of the closest miss into the words a dispatcher reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nemt.domain.statuses import EventKind
from nemt.domain.trip_log import LegLog, fold_log, utc
from nemt.policy import Policy, load_policy
from nemt.services.dispatch.day import VEHICLE_MODES, DayModel, build_day
from nemt.services.dispatch.runs import write_plan
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.services.trips.views import event_value
from nemt.store.models import Leg, Vehicle, VehicleRun

if TYPE_CHECKING:
    from nemt.scheduling import Solution, StopKind
    from nemt.scheduling.checker import Violation
    from nemt.scheduling.explain import Miss
    from nemt.scheduling.live import DayState, LiveRoutes
    from nemt.store.claim_models import TripLogEvent
    from nemt.store.uow import UnitOfWork

#: Trip-log events that place the vehicle at the leg's origin; a drop-off places it at the destination.
_AT_ORIGIN = (EventKind.ARRIVED, EventKind.PICKED_UP, EventKind.NO_SHOW)


@dataclass
class LiveDay:
    """A day at ``now``: the model of what remains (``model.instance`` is the live instance), the state it was built
    from, each vehicle's stops still to drive in its run's order, and the stops already driven."""

    model: DayModel
    state: DayState
    now: dt.datetime
    policy: Policy
    order: dict[int, list[tuple[int, StopKind]]]  # vehicle index -> (request, kind) still to drive, in run order
    served: dict[int, list[dict[str, str]]] = field(default_factory=dict)  # vehicle id -> run stops already driven

    @property
    def on_board(self) -> set[int]:
        """The request indices of members on board (``state.on_board`` says where each is)."""
        return set(self.state.on_board)

    def request_of(self, leg: Leg) -> int | None:
        return next((i for i, lg in enumerate(self.model.legs) if lg.id == leg.id), None)

    def vehicle_index(self, vehicle_id: int) -> int | None:
        return next((k for k, v in enumerate(self.model.vehicles) if v.id == vehicle_id), None)

    def label(self, request_id: str) -> str:
        """How a refusal names a leg: by its trip's confirmation and sequence, as the board lists it."""
        leg = next((lg for lg in self.model.legs if lg.key == request_id), None)
        return "the member" if leg is None else f"the member of {leg.trip.confirmation}/{leg.sequence}"

    def hhmm(self, minutes: float) -> str:
        return self.model.at(minutes).strftime("%H:%M")

    def words(self, violations: list[Violation]) -> list[str]:
        """The violations in a dispatcher's words, each said once (a leg late at its pick-up is late at its drop-off
        too: only the first of each kind per leg is said)."""
        from nemt.scheduling.explain import describe

        first = {(v.kind, v.request): v for v in reversed(violations)}  # one of each kind per leg: the first
        said = [describe(v, self.model.instance, who=self.label, clock=self.hhmm) for v in violations
                if first[(v.kind, v.request)] is v]
        return list(dict.fromkeys(said))


def load_live_day(uow: UnitOfWork, program: str, day: dt.date, now: dt.datetime, *,
                  extra: list[Leg] | None = None) -> LiveDay:
    """The live day of ``program`` on ``day`` at ``now``: its open vehicle legs (and ``extra`` legs), its fleet, the
    trip log's state and the runs as they stand."""
    from nemt.scheduling.live import DayState, OnBoard, live_instance

    policy = load_policy(program)
    legs = uow.dispatch.open_legs(program, day, VEHICLE_MODES)
    legs += [leg for leg in extra or [] if leg not in legs]
    fleet = uow.dispatch.fleet(program)
    in_fleet = {v.id for v in fleet}
    runs = {vid: run for vid, run in uow.dispatch.runs_of_day(day, program).items() if vid in in_fleet}
    # The trip log of every leg on a run or still open, read once: where vehicles were seen, who is on board. The legs
    # on runs that are no longer open (driven, cancelled) are read as their places only.
    open_keys = {leg.key: leg for leg in legs}
    run_keys = {s["leg"] for run in runs.values() for s in run.plan.get("stops", [])}
    run_legs: dict[str, Any] = {k: open_keys[k] for k in run_keys if k in open_keys}
    run_legs |= uow.dispatch.leg_places(k for k in run_keys if k not in open_keys)
    rows = uow.trip_logs.events_of(sorted({leg.id for leg in run_legs.values()} | {leg.id for leg in legs}))
    logs = {leg_id: fold_log(event_value(r) for r in events) for leg_id, events in rows.items()}
    seen = _last_seen(runs, run_legs, rows, logs, now)
    model = build_day(uow, program, day, legs=legs, fleet=fleet, places=[z for z, _ in seen.values()])
    vehicle_index = {v.id: k for k, v in enumerate(model.vehicles)}
    on_board: dict[int, OnBoard] = {}
    for r, leg in enumerate(model.legs):
        log = logs.get(leg.id)
        if log and log.picked_up_at and not log.dropped_off_at and leg.vehicle_id in vehicle_index:
            on_board[r] = OnBoard(vehicle_index[leg.vehicle_id], model.minutes(log.picked_up_at))
    positions = {vehicle_index[vid]: (model.zip_index[z[:5]], model.minutes(at)) for vid, (z, at) in seen.items()
                 if vid in vehicle_index and z[:5] in model.zip_index}
    lead = float(policy.get("operations.dispatch_lead_minutes"))
    order, served = _runs_as_they_stand(model, runs, set(on_board), now)
    assigned = frozenset(r for stops in order.values() for r, _kind in stops)
    en_route = _en_route(model, runs, order, positions, set(on_board), now,
                         float(policy.get("operations.service_minutes")))
    state = DayState(model.minutes(now), lead, on_board, positions, assigned, en_route)
    model.instance = live_instance(model.instance, state)
    return LiveDay(model, state, now, policy, order, served)


def _last_seen(runs: dict[int, VehicleRun], legs: Mapping[str, Any], rows: Mapping[int, list[TripLogEvent]],
               logs: Mapping[int, LegLog], now: dt.datetime) -> dict[int, tuple[str, dt.datetime]]:
    """Where each vehicle was last seen by ``now``: the place of the last trip-log event on its run's legs
    (``legs`` by key, their events ``rows`` and folded ``logs`` by leg id)."""
    seen: dict[int, tuple[str, dt.datetime]] = {}
    for vehicle_id, run in runs.items():
        for key in dict.fromkeys(s["leg"] for s in run.plan.get("stops", [])):
            leg, log = legs.get(key), None
            if leg is not None:
                log = logs.get(leg.id)
            if leg is None or log is None:
                continue
            # A no-show places the vehicle at the pick-up too (the folded log keeps no time for it: the event's).
            no_show = next((utc(r.at) for r in rows.get(leg.id, []) if r.kind == EventKind.NO_SHOW), None)
            for kind, at in ((EventKind.ARRIVED, log.arrived_at), (EventKind.PICKED_UP, log.picked_up_at),
                             (EventKind.DROPPED_OFF, log.dropped_off_at), (EventKind.NO_SHOW, no_show)):
                if at is not None and at <= now and (vehicle_id not in seen or at >= seen[vehicle_id][1]):
                    seen[vehicle_id] = (leg.origin_zip if kind in _AT_ORIGIN else leg.destination_zip, at)
    return seen


def _en_route(model: DayModel, runs: Mapping[int, VehicleRun], order: Mapping[int, list[tuple[int, StopKind]]],
              positions: Mapping[int, tuple[int, float]], on_board: set[int], now: dt.datetime,
              service: float) -> dict[int, tuple[int, float]]:
    """The vehicles already on their way to the first stop still to drive on their run: vehicle index -> (that
    stop's place, when they get there, driving on from where the trip log last saw them). A vehicle whose run has it
    at that stop at 10:40, 25 minutes' drive from the clinic it left, has left by 10:15: at 10:30 it is not at the
    clinic, and re-timing its run from the clinic at 10:30 would make it 15 minutes late for nothing."""
    from nemt.scheduling import StopKind

    now_minutes = model.minutes(now)
    out: dict[int, tuple[int, float]] = {}
    for k, stops in order.items():
        first = next(((r, kind) for r, kind in stops if not (r in on_board and kind is StopKind.PICKUP)), None)
        run = runs.get(model.vehicles[k].id)
        if first is None or run is None:
            continue
        r, kind = first
        key = model.legs[r].key
        planned = next((s.get("at") for s in run.plan.get("stops", []) if s["leg"] == key and s["kind"] == kind.value),
                       None)
        if not planned:
            continue
        req, vehicle = model.instance.requests[r], model.instance.vehicles[k]
        there = req.pickup_location if kind is StopKind.PICKUP else req.dropoff_location
        where, seen_at = positions[k] if k in positions else (vehicle.start_location, vehicle.shift.earliest)
        leaves = seen_at + (service if k in positions else 0.0)
        drive = float(model.instance.travel_time[where, there])
        if where != there and model.minutes(dt.datetime.fromisoformat(planned)) - drive < now_minutes:  # left
            out[k] = (there, leaves + drive)
    return out


def _runs_as_they_stand(model: DayModel, runs: dict[int, VehicleRun], on_board: set[int],
                        now: dt.datetime) -> tuple[dict[int, list[tuple[int, StopKind]]], dict[int, list[dict]]]:
    """Each vehicle's stops still to drive, in its run's order (members on board first), and the stops its run has
    already driven (legs no longer open, planned by now; the pick-ups of members on board)."""
    from nemt.scheduling import StopKind

    index = {leg.key: r for r, leg in enumerate(model.legs)}
    order: dict[int, list[tuple[int, StopKind]]] = {}
    served: dict[int, list[dict]] = {}
    for k, vehicle in enumerate(model.vehicles):
        run = runs.get(vehicle.id)
        stops = run.plan.get("stops", []) if run else []
        done = [s for s in stops if (s["leg"] not in index and _driven_by(s, now))
                or (index.get(s["leg"]) in on_board and s["kind"] == "pickup")]
        served[vehicle.id] = done
        riding = [r for r in on_board if model.legs[r].vehicle_id == vehicle.id]
        todo = [(r, StopKind.PICKUP) for r in riding]
        todo += [(index[s["leg"]], StopKind(s["kind"])) for s in stops if s["leg"] in index
                 and not (index[s["leg"]] in on_board and s["kind"] == "pickup")]
        for r in riding:  # a member on board whose run lost the drop-off is still driven there
            if (r, StopKind.DROPOFF) not in todo:
                todo.append((r, StopKind.DROPOFF))
        todo = _paired(todo)
        if todo:
            order[k] = todo
    return order, served


def _driven_by(stop: dict[str, str], now: dt.datetime) -> bool:
    """A run stop of a leg no longer open, planned by ``now``: driven (a later one was cancelled)."""
    return bool(stop.get("at")) and dt.datetime.fromisoformat(stop["at"]) <= now


def _paired(stops: list[tuple[int, StopKind]]) -> list[tuple[int, StopKind]]:
    """Only requests with both their pick-up and their drop-off on the run, pick-up first, each once."""
    from nemt.scheduling import StopKind

    seen: set[tuple[int, StopKind]] = set()
    out = []
    picked: set[int] = set()
    drops = {r for r, kind in stops if kind is StopKind.DROPOFF}
    for r, kind in stops:
        if (r, kind) in seen or r not in drops:
            continue
        if kind is StopKind.DROPOFF and r not in picked:
            continue
        seen.add((r, kind))
        if kind is StopKind.PICKUP:
            picked.add(r)
        out.append((r, kind))
    return out


def save_checked(uow: UnitOfWork, live: LiveDay, solution: Solution) -> None:
    """Verify ``solution`` with the independent checker — windows, ride time, capacity by space type, shift, route
    duration, credentials, and nothing before now — and write it. Requests left unserved are allowed (the caller
    lists them); any other violation refuses the whole plan, in words."""
    from nemt.scheduling import check_solution
    from nemt.scheduling.checker import ViolationKind

    report = check_solution(live.model.instance, solution, not_before=live.state.now)
    if not report.only(ViolationKind.UNSERVED):
        bad = [v for v in report.violations if v.kind is not ViolationKind.UNSERVED]
        raise Conflict("the plan failed the independent check: " + "; ".join(live.words(bad)[:3]), field="schedule",
                       rule="feasibility checker")
    write_plan(uow, live.model, solution, served=live.served, on_board=live.on_board)


def refusal(live: LiveDay, miss: Miss, what: str, *, field: str = "vehicle") -> InvalidInput:
    """``what`` cannot be done: the constraints the closest miss breaks, by how much, in words."""
    if not miss.violations:
        return InvalidInput(f"{what}: no vehicle of the program can take this leg today", field=field,
                            rule="vehicle capacity and time windows")
    reasons = live.words(miss.violations)
    return InvalidInput(f"{what}: {'; '.join(reasons[:3])}.", field=field, rule=miss.violations[0].kind.value)


def refuse_stale_runs(live: LiveDay, routes: LiveRoutes) -> None:
    """A change to one run is refused while some run can no longer be driven as planned (time has passed it by
    without the trip log saying so): saving would silently unassign those legs. Re-planning the day lists them."""
    from nemt.scheduling.explain import closest_miss

    if not routes.dropped:
        return
    r = routes.dropped[0]
    k = next(k for k, stops in live.order.items() if any(q == r for q, _kind in stops))
    miss = closest_miss(live.model.instance, live.order, r, [k])
    leg = live.model.legs[r]
    why = "; ".join(live.words(miss.violations)[:2]) or "its run has changed"
    raise InvalidInput(f"{len(routes.dropped)} leg(s) of today's runs can no longer be driven as planned (for "
                       f"{leg.trip.confirmation}/{leg.sequence}: {why}); schedule the day again to re-plan what "
                       f"remains", field="schedule", rule="runs out of date")


def able_vehicles(live: LiveDay, r: int) -> list[int] | None:
    """The vehicles that hold every credential request ``r`` needs (its mode, its county): where a refusal looks for
    the closest miss (a place on a vehicle that may not carry the member is no dispatcher's near miss); None (all
    of them) when no vehicle holds them, so that the refusal says which credential is missing."""
    request = live.model.instance.requests[r]
    able = [k for k, v in enumerate(live.model.instance.vehicles) if v.can_serve(request)]
    return able or None


def vehicle_in(live: LiveDay, vehicle: Vehicle) -> int:
    """The index of ``vehicle`` in the live day's fleet; refused if it cannot be routed today."""
    k = live.vehicle_index(vehicle.id)
    if k is None:
        raise InvalidInput("the vehicle is not in the program's active fleet today, or its base is unknown",
                           field="vehicle", rule="active fleet")
    return k
