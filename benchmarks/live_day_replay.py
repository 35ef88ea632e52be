"""The live-day benchmark's day as it unfolds (:mod:`benchmarks.live_day`): the platform's clock, the driver app
logging every stop its run reaches, the five kinds of event applied through the dispatch services and timed, and
the re-check of the stored day after each event (outside the timing), beside the baseline's re-solve.

Each event acts on what a dispatcher would meet at that hour: a cancellation on a leg not yet picked up, more than
30 minutes ahead; a no-show at the next pick-up of a run; a late driver on a run already under way (its vehicle has
logged a stop today); a will-call return from a member whose outbound leg was dropped off and whose return is still
ahead; an urgent discharge, a new leg from a metro clinic home. :func:`event_plan` places each kind in the hours of
the planned day that have such legs.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from benchmarks.live_day_world import DAY, METRO, add_trip, aware, local
from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import OPEN_LEG_STATUSES, EventKind, LegStatus
from nemt.policy import load_policy

KINDS = ("cancellation", "no-show", "late driver", "will-call", "urgent discharge")
APP = Actor.system("benchmark-driver-app")
_MIN = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class DayShape:
    """When the planned day has legs to act on: the first and last planned pick-up, the first outbound drop-off and
    the last return's requested pick-up."""

    first_pickup: dt.datetime
    last_pickup: dt.datetime
    first_outbound_dropoff: dt.datetime
    last_return: dt.datetime

    def span(self, kind: str) -> tuple[dt.datetime, dt.datetime]:
        """The hours in which an event of ``kind`` finds a leg to act on."""
        return {"cancellation": (local(6), self.last_pickup - 45 * _MIN),
                "no-show": (self.first_pickup + 15 * _MIN, self.last_pickup - 15 * _MIN),
                "late driver": (self.first_pickup + 30 * _MIN, self.last_pickup - 15 * _MIN),
                "will-call": (self.first_outbound_dropoff + 15 * _MIN, self.last_return - 30 * _MIN),
                "urgent discharge": (self.first_pickup + 60 * _MIN, self.last_pickup - 30 * _MIN)}[kind]


def event_plan(rng: random.Random, events: int, shape: DayShape) -> list[tuple[dt.datetime, str, dt.timedelta]]:
    """``events`` events in time order, the kinds in equal shares, each at a time drawn uniformly from the hours in
    which its kind has legs to act on (``DayShape.span``), with how long before it is seen it begins: a late driver
    held up 15–45 minutes, a no-show waited for from 15 minutes before (``Replay.hold``); the others, nothing."""
    kinds = [KINDS[i % len(KINDS)] for i in range(events)]
    rng.shuffle(kinds)
    out = []
    for kind in kinds:
        start, end = shape.span(kind)
        when = start + dt.timedelta(seconds=rng.uniform(0, max(0.0, (end - start).total_seconds())))
        early = {"late driver": rng.randint(15, 45) * _MIN, "no-show": 15 * _MIN}.get(kind, dt.timedelta(0))
        out.append((when, kind, early))
    return sorted(out, key=lambda e: e[0])


def route_miles(solution, miles) -> float:
    """The miles of a plan's routes (depot to depot) on the instance's miles matrix."""
    total = 0.0
    for route in solution.routes:
        places = [s.location for s in route.stops]
        total += sum(float(miles[a, b]) for a, b in zip(places, places[1:], strict=False))
    return total


@dataclass(frozen=True)
class Timing:
    """One event's time: wall-clock, the CPU time of this process, and the independent checker's share of it."""

    kind: str
    wall_ms: float
    cpu_ms: float
    checker_cpu_ms: float


@contextmanager
def checker_timed(spent: list[float]) -> Iterator[None]:
    """While inside, the CPU time of every call of ``nemt.scheduling.check_solution`` (the services' checked save
    reaches it there) is added to ``spent[0]``. Instrumentation only: the checker itself runs unchanged."""
    import nemt.scheduling as scheduling

    real = scheduling.check_solution

    def timed(*args: Any, **kwargs: Any) -> Any:
        tic = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - tic

    scheduling.check_solution = timed  # type: ignore[assignment]
    try:
        yield
    finally:
        scheduling.check_solution = real  # type: ignore[assignment]


class Replay:
    """The day as it unfolds: the platform's clock, what the driver app has logged, and the figures."""

    def __init__(self, factory, rng: random.Random, baseline_seconds: float) -> None:
        from nemt.services.platform.auth import actor_of

        self.factory, self.rng, self.baseline_seconds = factory, rng, baseline_seconds
        self.now = local(5)
        self.logged: dict[str, set[str]] = {}
        self.next_trip = 100_000
        self.lead = dt.timedelta(minutes=int(load_policy("CO").get("operations.dispatch_lead_minutes")))
        with factory() as uow:
            self.dispatcher = actor_of(uow.users.by_username("dispatcher"))
            self.agent = actor_of(uow.users.by_username("agent"))
        self.timings: list[Timing] = []
        self.refused: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self.nothing: Counter[str] = Counter()  # events that found no leg to act on, by kind
        self.verified = 0
        self.baseline: list[tuple[float, float]] = []  # (wall ms, CPU ms) of each re-solve, its read included
        self.check_ms: list[float] = []  # the benchmark's own re-check after each event (outside the timing)
        self.baseline_verified = 0
        self.failures: list[str] = []  # the re-checks that failed, in words
        self.stale = 0  # re-checks that found a run time had passed by (a leg it can no longer keep as planned)
        self.repaired = 0  # changes refused as "runs out of date", repaired and tried again
        self.compare: list[tuple[int, int, float, float]] = []  # ours unserved, baseline's, ours miles, baseline's
        self.ahead: list[tuple[int, int]] = []  # unserved legs whose pick-up window is still open: ours, baseline's
        self.missed: list[int] = []  # at each re-check: open legs whose pick-up window closed before now, unserved
        self.drawn = self.now  # the time the current event was drawn for
        #: event index -> (leg key, planned pick-up, vehicle): a no-show or late driver under way before it is seen
        #: (the driver app logs nothing of that vehicle from that pick-up on until the event)
        self.holds: dict[int, tuple[str, dt.datetime, int]] = {}
        self.picked: dict[str, dt.datetime] = {}  # leg key -> when the log has its member picked up
        self.lags: list[float] = []  # minutes between an event's drawn time and the clock it was applied at

    def at(self, when: dt.datetime) -> None:
        """Move the platform's clock to ``when`` (never back)."""
        self.now = max(self.now, when)
        clock.start_at(self.now)

    def log(self, uow, key: str, kind: str, at: dt.datetime, data: dict | None = None) -> None:
        from nemt.services import trips

        trips.record_event(uow, APP, key, kind, data or {}, at=at)
        self.logged.setdefault(key, set()).add(str(kind))
        if kind == EventKind.PICKED_UP:
            self.picked[key] = at

    def assigned(self) -> list[Any]:
        from nemt.store.models import Leg

        with self.factory() as uow:
            rows = uow.session.scalars(select(Leg).where(Leg.service_date == DAY, Leg.vehicle_id.is_not(None),
                                                         Leg.status == LegStatus.ASSIGNED))
            return [(leg.key, aware(leg.planned_pickup), aware(leg.planned_dropoff), leg.miles, leg.vehicle_id,
                     leg.sequence, leg.trip.urgent) for leg in rows]

    def shape(self) -> DayShape:
        """The planned day's hours (after the plan at 05:00)."""
        from nemt.store.models import Leg

        with self.factory() as uow:
            legs = list(uow.session.scalars(select(Leg).where(Leg.service_date == DAY)))
            picks = [aware(leg.planned_pickup) for leg in legs if leg.planned_pickup is not None]
            drops = [aware(leg.planned_dropoff) for leg in legs
                     if leg.planned_dropoff is not None and leg.sequence == 1]
            returns = [aware(leg.pickup_earliest) for leg in legs if leg.sequence == 2 and leg.pickup_earliest]
        return DayShape(min(picks), max(picks), min(drops), max(returns))  # type: ignore[type-var]

    def drive_until(self, when: dt.datetime) -> None:
        """The driver app logs every stop its run has reached by ``when``, at its planned time (a held vehicle only
        up to its held pick-up: the coming event says what happened there)."""
        self.at(when)
        held = {vehicle: pickup for _key, pickup, vehicle in self.holds.values()}
        held_legs = {key for key, _pickup, _vehicle in self.holds.values()}
        for key, pickup, dropoff, miles, vehicle, _seq, _urgent in sorted(self.assigned(),
                                                                          key=lambda x: x[1] or when):
            if key in held_legs:  # (a repair may have moved it to another vehicle: still the event's)
                continue
            done = self.logged.setdefault(key, set())
            until = min(self.now, held[vehicle] - _MIN / 60) if vehicle in held else self.now
            picks = EventKind.PICKED_UP not in done and pickup is not None and pickup <= until
            drops = dropoff is not None and dropoff <= until
            if pickup is None or not (picks or drops):
                continue
            with self.factory() as uow:
                if picks:
                    self.log(uow, key, EventKind.ARRIVED, pickup)
                    self.log(uow, key, EventKind.PICKED_UP, pickup, {"identity_verified": True})
                    self.picked[key] = pickup
                picked = self.picked.get(key, pickup)  # when the log has the member picked up
                if EventKind.PICKED_UP in done and dropoff is not None and max(dropoff, picked) <= until:
                    self.log(uow, key, EventKind.DROPPED_OFF, max(dropoff, picked + _MIN),
                             {"loaded_miles": max(1, round(miles or 1)), "trip_confirmed_by": "member"})

    def hold(self, n: int, kind: str) -> None:
        """Event ``n`` (a no-show or a late driver) begins before it is seen: the vehicle of a pick-up coming next is
        held there from now on (the driver app logs nothing of it from that pick-up until the event)."""
        target = self.upcoming(under_way=kind == "late driver")
        if target is not None:
            self.holds[n] = (target[0], target[1], target[4])

    def still_held(self, n: int) -> bool:
        """Whether event ``n`` still has its held leg to act on (an event in between may have cancelled it, or a
        repair left it without a vehicle)."""
        if n not in self.holds:
            return False
        key = self.holds[n][0]
        if not self.logged.get(key) and any(row[0] == key for row in self.assigned()):
            return True
        del self.holds[n]
        return False

    def upcoming(self, *, within: float = 15.0, under_way: bool = False) -> tuple | None:
        """An assigned leg not yet picked up, on a vehicle not held, whose planned pick-up comes next: one of those
        within ``within`` minutes, else the first one ahead; ``under_way``: on a run whose vehicle has logged a stop
        today, if there is one."""
        rows = self.assigned()
        held = {vehicle for _key, _pickup, vehicle in self.holds.values()}
        held |= {x[4] for x in rows if x[0] in {key for key, _pickup, _vehicle in self.holds.values()}}
        ahead = sorted((x for x in rows if x[1] is not None and x[1] >= self.now and x[4] not in held
                        and not self.logged.get(x[0])), key=lambda x: x[1])
        if under_way:
            moving = {x[4] for x in rows if self.logged.get(x[0])}
            ahead = [x for x in ahead if x[4] in moving] or ahead
        near = [x for x in ahead if x[1] <= self.now + dt.timedelta(minutes=within)]
        pool = near or ahead[:1]
        return self.rng.choice(pool) if pool else None

    def timed(self, kind: str, action: Callable[[Any], Any]) -> None:
        """Apply an event (``action`` of a fresh unit of work) and time it: wall-clock, this process's CPU time and
        the checker's share. A change refused because time has passed some run by ("runs out of date") is what a
        dispatcher meets too: the runs are repaired and it is tried again, both in the time."""
        from nemt.services import dispatch
        from nemt.services.platform.errors import ServiceError

        checker = [0.0]
        tic, cpu = time.perf_counter(), time.process_time()
        with checker_timed(checker):
            for attempt in (1, 2):
                try:
                    with self.factory() as uow:
                        action(uow)
                    break
                except ServiceError as exc:
                    if exc.rule != "runs out of date" or attempt == 2:
                        self.refused[kind] += 1
                        break
                    self.repaired += 1
                    with self.factory() as uow:
                        dispatch.repair_runs(uow, self.dispatcher, "CO", DAY, self.now, why="runs out of date")
        self.timings.append(Timing(kind, (time.perf_counter() - tic) * 1000, (time.process_time() - cpu) * 1000,
                                   checker[0] * 1000))
        self.lags.append((self.now - self.drawn).total_seconds() / 60)
        self.by_kind[kind] += 1

    # --- the events -------------------------------------------------------------------------------------------
    def cancellation(self, _n: int = 0) -> None:
        from nemt.services import rides
        from nemt.store.models import Leg

        cutoff = self.now + dt.timedelta(minutes=30)
        with self.factory() as uow:
            legs = [leg for leg in uow.session.scalars(select(Leg).where(Leg.service_date == DAY,
                                                                         Leg.status.in_(OPEN_LEG_STATUSES)))
                    if (aware(leg.planned_pickup or leg.pickup_earliest or leg.dropoff_latest) or cutoff) > cutoff
                    and not self.logged.get(leg.key)]
            if not legs:
                self.nothing["cancellation"] += 1
                return
            leg = self.rng.choice(sorted(legs, key=lambda lg: lg.id))
            trip_key, sequence = leg.trip.key, leg.sequence
        self.timed("cancellation", lambda uow: rides.cancel_ride(uow, self.agent, trip_key, self.now, leg=sequence))

    def no_show(self, n: int) -> None:
        """The driver has waited at the held pick-up (at least 10 minutes) and the member did not come."""
        from nemt.services import trips

        if not self.still_held(n):
            self.nothing["no-show"] += 1
            return
        key, pickup, _vehicle = self.holds[n]
        at = max(self.now, pickup + dt.timedelta(minutes=10))
        self.drive_until(at)
        with self.factory() as uow:
            self.log(uow, key, EventKind.ARRIVED, pickup)
        wait = {"wait_minutes": round((at - pickup).total_seconds() / 60)}
        self.timed("no-show", lambda uow: trips.record_event(uow, APP, key, EventKind.NO_SHOW, wait, at=at))
        self.logged[key].add(str(EventKind.NO_SHOW))
        del self.holds[n]

    def late_driver(self, n: int) -> None:
        """The held vehicle gets to its pick-up only now (15–45 minutes after its run said): the pick-up is logged
        late, the runs are repaired from there and the board's estimated times read."""
        from nemt.services import dispatch

        if not self.still_held(n):
            self.nothing["late driver"] += 1
            return
        key, pickup, _vehicle = self.holds[n]
        late = max(self.now, pickup + 5 * _MIN)
        self.drive_until(late)
        with self.factory() as uow:
            self.log(uow, key, EventKind.ARRIVED, late)

        def apply(uow) -> None:
            self.log(uow, key, EventKind.PICKED_UP, late, {"identity_verified": True})
            dispatch.repair_runs(uow, self.dispatcher, "CO", DAY, self.now, why="late driver")
            dispatch.live_view(uow, self.dispatcher, "CO", DAY, now=self.now)

        self.timed("late driver", apply)
        del self.holds[n]

    def will_call(self, _n: int = 0) -> None:
        from nemt.services import dispatch
        from nemt.store.models import Leg

        with self.factory() as uow:
            legs = [leg for leg in uow.session.scalars(select(Leg).where(
                Leg.service_date == DAY, Leg.sequence == 2, Leg.status.in_(OPEN_LEG_STATUSES)))
                if not self.logged.get(leg.key) and (aware(leg.pickup_earliest) or self.now) > self.now
                and EventKind.DROPPED_OFF in self.logged.get(leg.trip.legs[0].key, set())
                and uow.live_day.will_call(leg.id) is None]
            if not legs:
                self.nothing["will-call"] += 1
                return
            key = self.rng.choice(sorted(legs, key=lambda lg: lg.id)).key
        self.timed("will-call", lambda uow: dispatch.will_call_ready(uow, self.dispatcher, key, now=self.now))

    def urgent_discharge(self, _n: int = 0) -> None:
        from nemt.services import dispatch
        from nemt.store.models import MedicalProvider, Member

        with self.factory() as uow:
            member = self.rng.choice(list(uow.session.scalars(
                select(Member).where(Member.program == "CO", Member.county.in_(METRO)).order_by(Member.id))))
            clinic = self.rng.choice(list(uow.session.scalars(select(MedicalProvider).where(
                MedicalProvider.program == "CO", MedicalProvider.county.in_(METRO)).order_by(MedicalProvider.id))))
            trip = add_trip(uow, self.next_trip, member, clinic, self.now + self.lead + dt.timedelta(minutes=5),
                            urgent=True)
            self.next_trip += 1
            uow.commit()
            key = trip.legs[0].key
        self.timed("urgent discharge", lambda uow: dispatch.insert_urgent(uow, self.dispatcher, key, now=self.now))

    # --- after each event -------------------------------------------------------------------------------------
    def check(self) -> None:
        """The stored day re-read as a live day at now: every run drivable and the checker finds nothing but
        unserved legs; then the baseline re-solves the rest of the day from scratch on the same state."""
        from nemt.scheduling import check_solution, solve
        from nemt.scheduling.checker import ViolationKind
        from nemt.scheduling.live import LiveRoutes
        from nemt.services.dispatch.live import load_live_day

        tic = time.perf_counter()
        with self.factory() as uow:
            live = load_live_day(uow, "CO", DAY, self.now)
            routes = LiveRoutes(live.model.instance, live.order, live.model.miles)
            ours = routes.solution()
            report = check_solution(live.model.instance, ours, not_before=live.state.now)
            self.stale += bool(routes.dropped)  # time passed a run by between two stops: the next change repairs it
            ok = report.only(ViolationKind.UNSERVED)
            self.verified += bool(ok)
            if not ok:
                after = self.timings[-1].kind if self.timings else "the plan"
                self.failures.append(f"{self.now:%H:%M} after {after}: " + "; ".join(report.messages[:2]))
            closed = {r for r, q in enumerate(live.model.instance.requests)
                      if q.pickup_window.latest < live.state.now - 1e-6}
            self.missed.append(len(closed & set(ours.unserved)))
        self.check_ms.append((time.perf_counter() - tic) * 1000)
        tic, cpu = time.perf_counter(), time.process_time()
        with self.factory() as uow:
            live = load_live_day(uow, "CO", DAY, self.now)
            fresh = solve(live.model.instance, time_limit=self.baseline_seconds, seed=1)
        self.baseline.append(((time.perf_counter() - tic) * 1000, (time.process_time() - cpu) * 1000))
        report = check_solution(live.model.instance, fresh, not_before=live.state.now)
        self.baseline_verified += bool(report.only(ViolationKind.UNSERVED))
        self.compare.append((len(ours.unserved), len(fresh.unserved), route_miles(ours, live.model.miles),
                             route_miles(fresh, live.model.miles)))
        self.ahead.append((len(set(ours.unserved) - closed), len(set(fresh.unserved) - closed)))

    def day_figures(self) -> tuple[int, int, int, float]:
        """(legs of the day not cancelled, driven, driven within their windows, miles the runs drove)."""
        from nemt import geo
        from nemt.domain.punctuality import LegTimes, on_time
        from nemt.domain.trip_log import fold_log
        from nemt.services.trips.views import event_value
        from nemt.store.models import Leg, Vehicle, VehicleRun

        window = dt.timedelta(minutes=int(load_policy("CO").get("operations.pickup_window_minutes")))
        with self.factory() as uow:
            legs = list(uow.session.scalars(select(Leg).where(Leg.service_date == DAY,
                                                              Leg.status != LegStatus.CANCELLED)))
            rows = uow.trip_logs.events_of([leg.id for leg in legs])
            driven = in_window = 0
            for leg in legs:
                log = fold_log(event_value(r) for r in rows.get(leg.id, []))
                if log.dropped_off_at is None:
                    continue
                driven += 1
                times = LegTimes(aware(leg.pickup_earliest), aware(leg.dropoff_latest), aware(leg.planned_pickup),
                                 aware(leg.planned_dropoff), aware(log.picked_up_at), aware(log.dropped_off_at))
                in_window += bool(on_time(times, window))
            by_key = {leg.key: leg for leg in legs}
            miles = 0.0
            for run in uow.session.scalars(select(VehicleRun).where(VehicleRun.service_date == DAY)):
                base = uow.session.get(Vehicle, run.vehicle_id).base_zip
                places = [base] + [(by_key[s["leg"]].origin_zip if s["kind"] == "pickup"
                                    else by_key[s["leg"]].destination_zip)
                                   for s in run.plan.get("stops", []) if s["leg"] in by_key
                                   and EventKind.DROPPED_OFF in self.logged.get(s["leg"], set())] + [base]
                if len(places) > 2:
                    points = [geo.point_of_zip(z) for z in places]
                    matrix, _minutes = geo.default_engine().matrix(points)
                    miles += sum(float(matrix[i, i + 1]) for i in range(len(points) - 1))
        return len(legs), driven, in_window, miles
