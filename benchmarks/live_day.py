"""Benchmark of the live day (issue 13): a whole Colorado day driven through the dispatch services, event by event.

The demo's Colorado world (``nemt.services.demo.seed``, without its week of rides) in a fresh SQLite database, its
fleet grown by a Denver provider's 20 more vans (the demo's fleet of 23 is sized for its 15-leg days), and a day of
``trips`` legs (round trips of the demo's Denver-metro members to the demo's metro clinics, appointments 07:00–16:00,
a quarter of them wheelchair or stretcher) planned at 05:00 with ``services.dispatch.schedule_day``. Then the day is
replayed from 06:00 to 20:00: ``events`` events (cancellations, no-shows, late drivers, will-call returns, urgent
hospital discharges) arrive in time order, and between them the driver app logs every stop its run reaches (the
Standard Trip Log, through ``services.trips.record_event``, at the planned times). Each event is applied through the
services a dispatcher's page calls, with the platform's clock (``nemt.clock.start_at``) at the event's time:

* cancellation — ``rides.cancel_ride`` (the booking service; it repairs the runs after its commit);
* no-show — ``trips.record_event`` ``no-show`` at the planned pick-up (the trip-log service repairs the runs);
* late driver — ``trips.record_event`` ``picked-up`` 15–45 minutes after the planned pick-up, then
  ``dispatch.repair_runs`` (the runs re-timed from where the log last saw the vehicle) and ``dispatch.live_view``
  (the board's estimated times and vehicle choices);
* will-call return — ``dispatch.will_call_ready`` (the member is ready; inserted within the policy's promise);
* urgent discharge — a new urgent leg from a clinic home, then ``dispatch.insert_urgent``.

The time to apply an event is the service calls alone (their reads, checks, writes and commits). After each event
the stored day is re-checked, outside the timing: re-read as a live day, every run still drivable, the independent
checker (``nemt.scheduling.check_solution``, nothing before now) finds nothing but unserved legs.

Baseline, side by side at each event on the same state: re-solving the rest of the day from scratch
(``nemt.scheduling.solve`` on the live instance, ``baseline_seconds`` limit), what a dispatcher would do with only an
optimizer; its time (reading the live day included, as for ours), and its plan's legs left unserved and miles
against the incremental plan's at that moment. The baseline's plans are checked, not saved: the day goes on with ours.

At the end (the runs driven out to 23:59): the share of the day's legs served within their windows (the trip log
against the one rule of ``nemt.domain.punctuality.on_time``, the reports' rule) and the miles the runs drove.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks.live_day_world import DAY, METRO, add_trip, aware, book_day, local, make_world
from nemt import clock
from nemt.domain.actors import Actor
from nemt.domain.statuses import OPEN_LEG_STATUSES, EventKind, LegStatus
from nemt.policy import load_policy

KINDS = ("cancellation", "no-show", "late driver", "will-call", "urgent discharge")
APP = Actor.system("benchmark-driver-app")


@dataclass
class LiveDayFigures:
    legs: int
    vehicles: int
    plan_seconds: float
    planned_unassigned: int
    events: int
    by_kind: dict[str, int]
    refused: dict[str, int]  # events the services refused in words (no vehicle could take the leg in time)
    p50_ms: float
    p95_ms: float
    max_ms: float
    p95_ms_by_kind: dict[str, float]
    verified: int  # intermediate plans the checker passed (of `events`)
    stale_checks: int  # re-checks where time had passed some run by between two logged stops (repaired next change)
    repaired_first: int  # changes refused as "runs out of date": the runs were repaired and the change tried again
    served: int  # legs driven (dropped off)
    served_in_window: int
    share_in_window: float  # of the day's legs (not cancelled), urgent ones included
    miles: float
    baseline_time_limit_s: float
    baseline_p50_ms: float
    baseline_p95_ms: float
    baseline_verified: int
    #: at each event, the rest of the day: legs left unserved and miles, ours vs the baseline's re-solve (means)
    ours_unserved_mean: float
    baseline_unserved_mean: float
    ours_remaining_miles_mean: float
    baseline_remaining_miles_mean: float
    notes: list[str] = field(default_factory=list)


def event_times(rng: random.Random, events: int) -> list[tuple[dt.datetime, str]]:
    """``events`` events between 06:00 and 20:00 in time order, the kinds in equal shares."""
    kinds = [KINDS[i % len(KINDS)] for i in range(events)]
    rng.shuffle(kinds)
    minutes = sorted(rng.uniform(0, 14 * 60) for _ in range(events))
    return [(local(6) + dt.timedelta(minutes=m), kind) for m, kind in zip(minutes, kinds, strict=True)]


def route_miles(solution, miles) -> float:
    """The miles of a plan's routes (depot to depot) on the instance's miles matrix."""
    total = 0.0
    for route in solution.routes:
        places = [s.location for s in route.stops]
        total += sum(float(miles[a, b]) for a, b in zip(places, places[1:], strict=False))
    return total


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
        self.latencies: list[tuple[str, float]] = []
        self.refused: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self.verified = 0
        self.baseline: list[float] = []
        self.baseline_verified = 0
        self.failures: list[str] = []  # the re-checks that failed, in words
        self.stale = 0  # re-checks that found a run time had passed by (a leg it can no longer keep as planned)
        self.repaired = 0  # changes refused as "runs out of date", repaired and tried again
        self.compare: list[tuple[int, int, float, float]] = []  # ours unserved, baseline's, ours miles, baseline's

    def at(self, when: dt.datetime) -> None:
        """Move the platform's clock to ``when`` (never back)."""
        self.now = max(self.now, when)
        clock.start_at(self.now)

    def log(self, uow, key: str, kind: str, at: dt.datetime, data: dict | None = None) -> None:
        from nemt.services import trips

        trips.record_event(uow, APP, key, kind, data or {}, at=at)
        self.logged.setdefault(key, set()).add(str(kind))

    def assigned(self) -> list[Any]:
        from nemt.store.models import Leg

        with self.factory() as uow:
            rows = uow.session.scalars(select(Leg).where(Leg.service_date == DAY, Leg.vehicle_id.is_not(None),
                                                         Leg.status == LegStatus.ASSIGNED))
            return [(leg.key, aware(leg.planned_pickup), aware(leg.planned_dropoff), leg.miles, leg.vehicle_id,
                     leg.sequence, leg.trip.urgent) for leg in rows]

    def drive_until(self, when: dt.datetime, skip_vehicle: int | None = None) -> None:
        """The driver app logs every stop its run has reached by ``when``, at its planned time (the vehicle of the
        event's leg excepted: the event says where it is)."""
        self.at(when)
        for key, pickup, dropoff, miles, vehicle, _seq, _urgent in sorted(self.assigned(),
                                                                          key=lambda x: x[1] or when):
            done = self.logged.setdefault(key, set())
            picks = EventKind.PICKED_UP not in done and pickup is not None and pickup <= self.now
            drops = dropoff is not None and dropoff <= self.now
            if vehicle == skip_vehicle or pickup is None or not (picks or drops):
                continue
            with self.factory() as uow:
                if picks:
                    self.log(uow, key, EventKind.ARRIVED, pickup)
                    self.log(uow, key, EventKind.PICKED_UP, pickup, {"identity_verified": True})
                if EventKind.PICKED_UP in done and dropoff is not None and dropoff <= self.now:
                    self.log(uow, key, EventKind.DROPPED_OFF, max(dropoff, pickup),
                             {"loaded_miles": max(1, round(miles or 1)), "trip_confirmed_by": "member"})

    def upcoming(self, *, within: float = 45.0) -> tuple | None:
        """The assigned leg not yet picked up whose planned pick-up comes next (within ``within`` minutes if one
        does, else the next at all)."""
        ahead = sorted((x for x in self.assigned() if x[1] is not None and x[1] >= self.now
                        and EventKind.PICKED_UP not in self.logged.get(x[0], set())), key=lambda x: x[1])
        near = [x for x in ahead if x[1] <= self.now + dt.timedelta(minutes=within)]
        pool = near or ahead[:1]
        return self.rng.choice(pool) if pool else None

    def timed(self, kind: str, action: Callable[[Any], Any]) -> None:
        """Apply an event (``action`` of a fresh unit of work) and time it. A change refused because time has passed
        some run by ("runs out of date") is what a dispatcher meets too: the runs are repaired and it is tried again,
        both in the time."""
        from nemt.services import dispatch
        from nemt.services.platform.errors import ServiceError

        tic = time.perf_counter()
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
        self.latencies.append((kind, (time.perf_counter() - tic) * 1000))
        self.by_kind[kind] += 1

    # --- the events -------------------------------------------------------------------------------------------
    def cancellation(self) -> None:
        from nemt.services import rides
        from nemt.store.models import Leg

        cutoff = self.now + dt.timedelta(minutes=30)
        with self.factory() as uow:
            legs = [leg for leg in uow.session.scalars(select(Leg).where(Leg.service_date == DAY,
                                                                         Leg.status.in_(OPEN_LEG_STATUSES)))
                    if (aware(leg.planned_pickup or leg.pickup_earliest or leg.dropoff_latest) or cutoff) > cutoff
                    and not self.logged.get(leg.key)]
            if not legs:
                return
            leg = self.rng.choice(sorted(legs, key=lambda lg: lg.id))
            trip_key, sequence = leg.trip.key, leg.sequence
        self.timed("cancellation", lambda uow: rides.cancel_ride(uow, self.agent, trip_key, self.now, leg=sequence))

    def no_show(self) -> None:
        from nemt.services import trips

        target = self.upcoming()
        if target is None:
            return
        key, pickup, _dropoff, _miles, vehicle, _seq, _urgent = target
        self.drive_until(pickup + dt.timedelta(minutes=10), skip_vehicle=vehicle)
        with self.factory() as uow:
            self.log(uow, key, EventKind.ARRIVED, pickup)
        self.timed("no-show", lambda uow: trips.record_event(uow, APP, key, EventKind.NO_SHOW, {"wait_minutes": 10},
                                                             at=pickup + dt.timedelta(minutes=10)))
        self.logged[key].add(str(EventKind.NO_SHOW))

    def late_driver(self) -> None:
        from nemt.services import dispatch

        target = self.upcoming()
        if target is None:
            return
        key, pickup, _dropoff, _miles, vehicle, _seq, _urgent = target
        late = pickup + dt.timedelta(minutes=self.rng.randint(15, 45))
        self.drive_until(late + dt.timedelta(minutes=1), skip_vehicle=vehicle)
        with self.factory() as uow:
            self.log(uow, key, EventKind.ARRIVED, late)

        def apply(uow) -> None:
            self.log(uow, key, EventKind.PICKED_UP, late, {"identity_verified": True})
            dispatch.repair_runs(uow, self.dispatcher, "CO", DAY, self.now, why="late driver")
            dispatch.live_view(uow, self.dispatcher, "CO", DAY, now=self.now)

        self.timed("late driver", apply)

    def will_call(self) -> None:
        from nemt.services import dispatch
        from nemt.store.models import Leg

        with self.factory() as uow:
            legs = [leg for leg in uow.session.scalars(select(Leg).where(
                Leg.service_date == DAY, Leg.sequence == 2, Leg.status.in_(OPEN_LEG_STATUSES)))
                if not self.logged.get(leg.key) and (aware(leg.pickup_earliest) or self.now) > self.now
                and uow.live_day.will_call(leg.id) is None]
            ready = [leg for leg in legs if EventKind.DROPPED_OFF in self.logged.get(leg.trip.legs[0].key, set())]
            pool = ready or legs
            if not pool:
                return
            key = self.rng.choice(sorted(pool, key=lambda lg: lg.id)).key
        self.timed("will-call", lambda uow: dispatch.will_call_ready(uow, self.dispatcher, key, now=self.now))

    def urgent_discharge(self) -> None:
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

        with self.factory() as uow:
            live = load_live_day(uow, "CO", DAY, self.now)
            routes = LiveRoutes(live.model.instance, live.order, live.model.miles)
            ours = routes.solution()
            report = check_solution(live.model.instance, ours, not_before=live.state.now)
            self.stale += bool(routes.dropped)  # time passed a run by between two stops: the next change repairs it
            ok = report.only(ViolationKind.UNSERVED)
            self.verified += bool(ok)
            if not ok:
                after = self.latencies[-1][0] if self.latencies else "the plan"
                self.failures.append(f"{self.now:%H:%M} after {after}: " + "; ".join(report.messages[:2]))
        tic = time.perf_counter()
        with self.factory() as uow:
            live = load_live_day(uow, "CO", DAY, self.now)
            fresh = solve(live.model.instance, time_limit=self.baseline_seconds, seed=1)
        self.baseline.append((time.perf_counter() - tic) * 1000)
        report = check_solution(live.model.instance, fresh, not_before=live.state.now)
        self.baseline_verified += bool(report.only(ViolationKind.UNSERVED))
        self.compare.append((len(ours.unserved), len(fresh.unserved), route_miles(ours, live.model.miles),
                             route_miles(fresh, live.model.miles)))

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


def _quantile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return round(values[0], 1) if values else 0.0
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)


def replay(factory, *, legs: int, events: int, plan_seconds: float, baseline_seconds: float, seed: int,
           progress: Callable[[int], None] | None = None) -> LiveDayFigures:
    """Book the day, plan it at 05:00, replay ``events`` events from 06:00 to 20:00, drive the runs out."""
    resume, started = clock.now(), time.monotonic()
    try:
        return _replay(factory, legs=legs, events=events, plan_seconds=plan_seconds,
                       baseline_seconds=baseline_seconds, seed=seed, progress=progress)
    finally:  # the platform's clock goes on from where it was
        clock.start_at(resume + dt.timedelta(seconds=time.monotonic() - started))


def _replay(factory, *, legs: int, events: int, plan_seconds: float, baseline_seconds: float, seed: int,
            progress: Callable[[int], None] | None) -> LiveDayFigures:
    from nemt.services import dispatch

    rng = random.Random(seed)
    book_day(factory, legs, rng)
    r = Replay(factory, rng, baseline_seconds)
    r.at(local(5))
    with factory() as uow:
        planned = dispatch.schedule_day(uow, r.dispatcher, "CO", DAY, time_limit=plan_seconds, seed=seed, now=r.now)
        vehicles = len(uow.dispatch.fleet("CO"))
    apply = {"cancellation": r.cancellation, "no-show": r.no_show, "late driver": r.late_driver,
             "will-call": r.will_call, "urgent discharge": r.urgent_discharge}
    for n, (when, kind) in enumerate(event_times(rng, events)):
        r.drive_until(when)
        apply[kind]()
        r.check()
        if progress:
            progress(n + 1)
    r.drive_until(local(23, 59))
    day_legs, driven, in_window, miles = r.day_figures()
    ms = [m for _, m in r.latencies]
    per_kind = {k: _quantile([m for kk, m in r.latencies if kk == k], 95) for k in KINDS}
    return LiveDayFigures(
        legs=day_legs, vehicles=vehicles, plan_seconds=plan_seconds, planned_unassigned=len(planned.unassigned),
        events=len(r.latencies), by_kind=dict(r.by_kind), refused=dict(r.refused), p50_ms=_quantile(ms, 50),
        p95_ms=_quantile(ms, 95), max_ms=round(max(ms), 1) if ms else 0.0, p95_ms_by_kind=per_kind,
        verified=r.verified, stale_checks=r.stale, repaired_first=r.repaired, served=driven, served_in_window=in_window,
        share_in_window=round(in_window / day_legs, 3) if day_legs else 0.0, miles=round(miles, 1),
        baseline_time_limit_s=baseline_seconds, baseline_p50_ms=_quantile(r.baseline, 50),
        baseline_p95_ms=_quantile(r.baseline, 95), baseline_verified=r.baseline_verified,
        ours_unserved_mean=_mean([c[0] for c in r.compare]), baseline_unserved_mean=_mean([c[1] for c in r.compare]),
        ours_remaining_miles_mean=_mean([c[2] for c in r.compare]),
        baseline_remaining_miles_mean=_mean([c[3] for c in r.compare]),
        notes=r.failures + ([f"{events - len(r.latencies)} event(s) found no leg to act on"]
                            if len(r.latencies) < events else []))


def _mean(values: list[float]) -> float:
    return round(statistics.mean(values), 1) if values else 0.0


def run(*, legs: int = 500, events: int = 150, plan_seconds: float = 30.0, baseline_seconds: float = 2.0,
        seed: int = 13, database: Path | None = None,
        progress: Callable[[int], None] | None = None) -> LiveDayFigures:
    """The benchmark in a fresh SQLite database (``database``, or a temporary file in memory, ``/dev/shm``, where
    there is one: the figures are the platform's, not a shared disk's waits for its writes to be synced)."""
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as folder:
        path = database or Path(folder) / "live-day.db"
        factory = make_world(f"sqlite:///{path}")
        return replay(factory, legs=legs, events=events, plan_seconds=plan_seconds,
                      baseline_seconds=baseline_seconds, seed=seed, progress=progress)
