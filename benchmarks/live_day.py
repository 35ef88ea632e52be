"""Benchmark of the live day (issue 13): a whole Colorado day driven through the dispatch services, event by event.

The demo's Colorado world (``nemt.services.demo.seed``, without its week of rides) in a fresh SQLite database, its
fleet grown by a Denver provider's 20 more vans (the demo's fleet of 23 is sized for its 15-leg days), and a day of
``trips`` legs (round trips of the demo's Denver-metro members to the demo's metro clinics, appointments 07:00–16:00,
a quarter of them wheelchair or stretcher) planned at 05:00 with ``services.dispatch.schedule_day``. Then the day is
replayed: ``events`` events (cancellations, no-shows, late drivers, will-call returns, urgent hospital discharges, in
equal shares, drawn from the seed) arrive in time order, each kind in the hours of the planned day that have legs it
can act on (``live_day_replay.event_plan``), and between them the driver app logs every stop its run reaches (the
Standard Trip Log, through ``services.trips.record_event``, at the planned times). Each event is applied through the
services a dispatcher's page calls, with the platform's clock (``nemt.clock.start_at``) at the event's time:

* cancellation — ``rides.cancel_ride`` (the booking service; it repairs the runs after its commit);
* no-show — ``trips.record_event`` ``no-show`` at the planned pick-up (the trip-log service repairs the runs);
* late driver — ``trips.record_event`` ``picked-up`` 15–45 minutes after the planned pick-up, then
  ``dispatch.repair_runs`` (the runs re-timed from where the log last saw the vehicle) and ``dispatch.live_view``
  (the board's estimated times and vehicle choices);
* will-call return — ``dispatch.will_call_ready`` (the member is ready; inserted within the policy's promise);
* urgent discharge — a new urgent leg from a clinic home, then ``dispatch.insert_urgent``.

The time to apply an event is the service calls alone (their reads, checks, writes and commits), wall-clock and
the CPU time of this process (``time.process_time``), with the independent checker's share of it. After each event
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.live_day_replay import KINDS, Replay, event_plan
from benchmarks.live_day_world import DAY, book_day, local, make_world
from nemt import clock

__all__ = ["KINDS", "LiveDayFigures", "replay", "run"]


@dataclass
class LiveDayFigures:
    legs: int
    vehicles: int
    plan_seconds: float
    planned_unassigned: int
    events: int  # events applied (each timed), of `events_drawn`
    events_drawn: int
    by_kind: dict[str, int]  # events applied, by kind
    refused: dict[str, int]  # events the services refused in words (no vehicle could take the leg in time)
    nothing_to_act_on: dict[str, int]  # events drawn that found no leg to act on, by kind
    spans: dict[str, str]  # the hours each kind was drawn in (local time)
    #: minutes between an event's drawn time and the clock it was applied at (a no-show or late driver moves the
    #: clock to its pick-up, and the events drawn in between wait for it): mean and largest
    lag_mean_min: float
    lag_max_min: float
    p50_ms: float  # wall-clock time per event
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float  # CPU time of this process per event (time.process_time)
    cpu_p95_ms: float
    checker_cpu_share: float  # of the events' CPU time, the independent checker's (the services' checked saves)
    p95_ms_by_kind: dict[str, float]
    cpu_p95_ms_by_kind: dict[str, float]
    verified: int  # intermediate plans the checker passed (of `events_drawn`: one re-check after each)
    recheck_p50_ms: float  # the benchmark's own re-check after each event (outside the timing)
    stale_checks: int  # re-checks where time had passed some run by between two logged stops (repaired next change)
    repaired_first: int  # changes refused as "runs out of date": the runs were repaired and the change tried again
    served: int  # legs driven (dropped off)
    served_in_window: int
    share_in_window: float  # of the day's legs (not cancelled), urgent ones included
    miles: float
    baseline_time_limit_s: float
    baseline_p50_ms: float
    baseline_p95_ms: float
    baseline_cpu_p50_ms: float
    baseline_cpu_p95_ms: float
    baseline_verified: int
    #: at each event, the rest of the day: legs left unserved and miles, ours vs the baseline's re-solve (means)
    ours_unserved_mean: float
    baseline_unserved_mean: float
    #: of ours unserved at each re-check: open legs whose pick-up window had closed before now (missed), mean and
    #: at the last event
    missed_mean: float
    missed_last: int
    ours_unserved_last: int
    #: unserved legs whose pick-up window is still open at the event (the rest of the day proper), means
    ours_unserved_ahead_mean: float
    baseline_unserved_ahead_mean: float
    ours_remaining_miles_mean: float
    baseline_remaining_miles_mean: float
    notes: list[str] = field(default_factory=list)


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
    shape = r.shape()
    apply = {"cancellation": r.cancellation, "no-show": r.no_show, "late driver": r.late_driver,
             "will-call": r.will_call, "urgent discharge": r.urgent_discharge}
    plan = event_plan(rng, events, shape)
    starts = sorted((when - early, n) for n, (when, _kind, early) in enumerate(plan) if early)
    for n, (when, kind, _early) in enumerate(plan):
        while starts and starts[0][0] <= when:  # no-shows and late drivers begin before they are seen
            start, m = starts.pop(0)
            r.drive_until(start)
            r.hold(m, plan[m][1])
        r.drawn = when
        r.drive_until(when)
        apply[kind](n)
        r.check()
        if progress:
            progress(n + 1)
    r.drive_until(local(23, 59))
    day_legs, driven, in_window, miles = r.day_figures()
    return _figures(r, shape, day_legs=day_legs, driven=driven, in_window=in_window, miles=miles, vehicles=vehicles,
                    plan_seconds=plan_seconds, planned_unassigned=len(planned.unassigned), events=events,
                    baseline_seconds=baseline_seconds)


def _figures(r: Replay, shape, *, day_legs: int, driven: int, in_window: int, miles: float, vehicles: int,
             plan_seconds: float, planned_unassigned: int, events: int, baseline_seconds: float) -> LiveDayFigures:
    from benchmarks.live_day_replay import KINDS as kinds

    wall = [t.wall_ms for t in r.timings]
    cpu = [t.cpu_ms for t in r.timings]
    zone = local(0).tzinfo
    spans = {k: "{:%H:%M}–{:%H:%M}".format(*(t.astimezone(zone) for t in shape.span(k))) for k in kinds}
    return LiveDayFigures(
        legs=day_legs, vehicles=vehicles, plan_seconds=plan_seconds, planned_unassigned=planned_unassigned,
        events=len(r.timings), events_drawn=events, by_kind=dict(r.by_kind), refused=dict(r.refused),
        nothing_to_act_on={k: r.nothing[k] for k in kinds}, spans=spans, lag_mean_min=_mean(r.lags),
        lag_max_min=round(max(r.lags), 1) if r.lags else 0.0,
        p50_ms=_quantile(wall, 50), p95_ms=_quantile(wall, 95), max_ms=round(max(wall), 1) if wall else 0.0,
        cpu_p50_ms=_quantile(cpu, 50), cpu_p95_ms=_quantile(cpu, 95),
        checker_cpu_share=round(sum(t.checker_cpu_ms for t in r.timings) / sum(cpu), 3) if sum(cpu) else 0.0,
        p95_ms_by_kind={k: _quantile([t.wall_ms for t in r.timings if t.kind == k], 95) for k in kinds},
        cpu_p95_ms_by_kind={k: _quantile([t.cpu_ms for t in r.timings if t.kind == k], 95) for k in kinds},
        verified=r.verified, recheck_p50_ms=_quantile(r.check_ms, 50), stale_checks=r.stale,
        repaired_first=r.repaired, served=driven, served_in_window=in_window,
        share_in_window=round(in_window / day_legs, 3) if day_legs else 0.0, miles=round(miles, 1),
        baseline_time_limit_s=baseline_seconds, baseline_p50_ms=_quantile([b[0] for b in r.baseline], 50),
        baseline_p95_ms=_quantile([b[0] for b in r.baseline], 95),
        baseline_cpu_p50_ms=_quantile([b[1] for b in r.baseline], 50),
        baseline_cpu_p95_ms=_quantile([b[1] for b in r.baseline], 95), baseline_verified=r.baseline_verified,
        ours_unserved_mean=_mean([c[0] for c in r.compare]), baseline_unserved_mean=_mean([c[1] for c in r.compare]),
        missed_mean=_mean([float(m) for m in r.missed]), missed_last=r.missed[-1] if r.missed else 0,
        ours_unserved_last=r.compare[-1][0] if r.compare else 0,
        ours_unserved_ahead_mean=_mean([float(a[0]) for a in r.ahead]),
        baseline_unserved_ahead_mean=_mean([float(a[1]) for a in r.ahead]),
        ours_remaining_miles_mean=_mean([c[2] for c in r.compare]),
        baseline_remaining_miles_mean=_mean([c[3] for c in r.compare]),
        notes=r.failures + ([f"{events - len(r.timings)} event(s) found no leg to act on"]
                            if len(r.timings) < events else []))


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
