"""Benchmark of real-time urgent insertion (at most 200 ms at the 95th percentile; issue 18: at most 20 ms at 5,000
trips, every plan verified).

A live day of the demo's Colorado world: 500 trips (``--trips``) between members' ZIP codes in the broker counties and
the demo's medical providers, 40 vehicles per 500 trips (mobility, wheelchair and stretcher vans in the same shares:
the fleet scales with a bigger day; a smaller one keeps the 40), travel times and miles from ``nemt.geo``.
The day is planned once with ``nemt.scheduling.solve``; then urgent requests (hospital discharges: pick-up within
30 minutes of the call, 10 minutes from now) arrive through the day and each is inserted into the live plan with
:meth:`nemt.scheduling.live.LiveRoutes.insert`, the routine the dispatch service's urgent insertion uses
(``services.dispatch.urgent``): the runs as they stand are loaded into the kernels, then the request goes to its
cheapest feasible place on any vehicle. The service builds the instance of what remains from the trip log
(``live_instance``); here, with no trip log, every stop the plan has served by the call is held at its planned time
instead (``LiveRoutes(driven=plan, now=now)``), which leaves the insertion the same choice: nothing served moves.
Each insertion — loading the runs included, as the service does it, and the new plan built — is timed alone and its
plan verified by the independent checker (outside the timing).

Baseline, run side by side on the same requests: re-optimizing the whole day with the solver (``solve`` with a short
time limit), which is what a dispatcher would do without an insertion routine.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import time
from dataclasses import dataclass, replace

import numpy as np

from nemt import geo
from nemt.scheduling import Instance, Request, Solution, TimeWindow, Vehicle, check_solution, solve
from nemt.scheduling.live import LiveRoutes, Option

SEAT, WHEELCHAIR, STRETCHER = (1, 0, 0), (0, 1, 0), (0, 0, 1)
FLEET = [("mobility", 20, (6, 0, 0), {"mode:mobility-ambulatory"}),
         ("wheelchair", 16, (3, 2, 0), {"mode:mobility-ambulatory", "mode:wheelchair-van"}),
         ("stretcher", 4, (2, 0, 1), {"mode:stretcher-van"})]
METRO = ["Denver", "Adams", "Arapahoe", "Jefferson", "Douglas", "Boulder", "Broomfield"]


@dataclass
class InsertionFigures:
    trips: int
    vehicles: int
    initial_cost: float
    initial_unserved: int
    insertions: int
    inserted: int
    verified: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    cpu_p50_ms: float  # the same insertions in CPU time of this process (what a loaded machine does not inflate)
    cpu_p95_ms: float
    baseline_runs: int
    baseline_p50_ms: float
    baseline_time_limit_s: float
    insertion_cost_increase: float  # mean added miles per inserted request (ours)
    baseline_cost_increase: float  # mean change of total miles when re-solving instead (same requests)
    plan_peak_rss_mb: float  # peak resident memory of the process once the day is built and planned
    p95_target_ms: float  # 200 ms (issue 6); 20 ms from 5,000 trips (issue 18)
    p95_met: bool  # p95 within the target and every inserted plan verified by the checker
    load_before: float  # 1-minute load average of the machine before the day was built, and after the insertions
    load_after: float


def fleet_size(per_500: int, trips: int) -> int:
    """Vehicles of a kind for a day of ``trips``: ``per_500`` of the kind per 500 trips, so the fleet scales with a
    bigger day in the same shares (400 vehicles for 5,000 trips); a smaller day keeps the 500-trip day's fleet."""
    return max(per_500, round(per_500 * trips / 500))


def _day(rng: random.Random, trips: int, engine) -> tuple[Instance, list[str], list[str]]:
    from nemt.services.demo import CO_MEDICAL, zips_by_county

    zips = zips_by_county("CO")
    homes = [z["zip_code"] for county in METRO for z in zips.get(county, [])]
    clinics = [m[1] for m in CO_MEDICAL if m[2] in METRO]
    places = sorted(set(homes) | set(clinics))
    index = {z: i for i, z in enumerate(places)}
    miles, minutes = engine.matrix([geo.point_of_zip(z) for z in places])
    requests = []
    for n in range(trips):
        home, clinic = index[rng.choice(homes)], index[rng.choice(clinics)]
        load, mode = rng.choices([(SEAT, "mobility-ambulatory"), (WHEELCHAIR, "wheelchair-van"),
                                  (STRETCHER, "stretcher-van")], weights=[70, 25, 5])[0]
        riders = rng.choice([1, 1, 1, 2]) if load == SEAT else 1
        load = (riders, 0, 0) if load == SEAT else load
        t = rng.uniform(7 * 60, 17 * 60)
        direct = float(minutes[home, clinic])
        ride = max(60.0, 2.0 * direct)
        if n % 5 < 3:  # to an appointment at t
            req = Request(f"T{n}", home, clinic, TimeWindow(5 * 60, t - direct - 5), TimeWindow(t - 45, t), 5, 5,
                          load, ride, frozenset({f"mode:{mode}"}))
        else:  # a return picked up from t
            req = Request(f"T{n}", clinic, home, TimeWindow(t, t + 30), TimeWindow(t, 21 * 60), 5, 5, load, ride,
                          frozenset({f"mode:{mode}"}))
        requests.append(req)
    vehicles = []
    depots = [index[c] for c in clinics]
    for name, count, capacity, creds in FLEET:
        for i in range(fleet_size(count, trips)):
            base = depots[i % len(depots)]
            vehicles.append(Vehicle(f"{name}-{i}", base, base, TimeWindow(5 * 60, 21 * 60), capacity, 16 * 60,
                                    frozenset(creds)))
    instance = Instance("co-live-day", requests, vehicles, np.asarray(minutes), cost=np.asarray(miles))
    return instance, [p for p in places if p in set(homes)], clinics


def _insert(instance: Instance, plan: Solution, request: Request,
            now: float) -> tuple[Instance, Solution, Option | None]:
    """The live plan with ``request`` at its cheapest feasible place (the instance with it, the plan, where it went;
    None: no vehicle can take it). Every stop ``plan`` has served by ``now`` is held at its planned time and each
    vehicle that has started at its start (``LiveRoutes(driven=plan, now=now)``): nothing driven moves."""
    grown = replace(instance, requests=[*instance.requests, request])
    routes = LiveRoutes(grown, driven=plan, now=now)
    placed = routes.insert(len(grown.requests) - 1)
    return grown, routes.solution(), placed


def run(*, trips: int = 500, urgent: int = 100, plan_seconds: float = 20.0, baseline_runs: int = 10,
        baseline_seconds: float = 2.0, seed: int = 7, progress=None) -> InsertionFigures:
    load_before = os.getloadavg()[0]
    rng = random.Random(seed)
    engine = geo.default_engine()
    instance, homes, clinics = _day(rng, trips, engine)
    plan = solve(instance, time_limit=plan_seconds, seed=seed)
    plan_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    initial_cost, initial_unserved = plan.cost, len(plan.unserved)
    # The urgent calls, spread over the day; each pick-up within 30 minutes, starting 10 minutes after the call.
    places = {z: i for i, z in enumerate(sorted(set(homes) | set(clinics)))}
    calls = sorted(rng.uniform(8 * 60, 16 * 60) for _ in range(urgent))
    live_instance, live = instance, plan
    _insert(live_instance, live, replace(instance.requests[0], id="warm-up"), 0.0)  # compile/load kernels
    latencies, cpu_times, added, verified, inserted = [], [], [], 0, 0
    base_latencies, base_delta = [], []
    for n, now in enumerate(calls):
        if progress:
            progress(n + 1)
        clinic, home = places[rng.choice(clinics)], places[rng.choice(homes)]
        request = Request(f"U{n}", clinic, home, TimeWindow(now + 10, now + 40), TimeWindow(now + 10, 21 * 60), 5,
                          5, rng.choice([SEAT, SEAT, WHEELCHAIR]), 90.0,
                          frozenset({"mode:mobility-ambulatory"}))
        if request.load == WHEELCHAIR:
            request = replace(request, required_credentials=frozenset({"mode:wheelchair-van"}))
        tic, cpu = time.perf_counter(), time.process_time()
        grown, solution, placed = _insert(live_instance, live, request, now)
        latencies.append((time.perf_counter() - tic) * 1000)
        cpu_times.append((time.process_time() - cpu) * 1000)
        if placed is None:
            continue  # no vehicle can take it: the dispatcher looks elsewhere; the live plan stays as it was
        inserted += 1
        added.append(placed.added)
        if check_solution(grown, solution).feasible:
            verified += 1
        if n < baseline_runs:  # the baseline: re-solve the whole day with the new request
            tic = time.perf_counter()
            again = solve(grown, time_limit=baseline_seconds, seed=seed)
            base_latencies.append((time.perf_counter() - tic) * 1000)
            base_delta.append(again.cost - live.cost)
        live_instance, live = grown, solution
    q = statistics.quantiles(latencies, n=20, method="inclusive") if len(latencies) >= 2 else latencies * 19
    target = 20.0 if trips >= 5000 else 200.0
    cpu_q = statistics.quantiles(cpu_times, n=20, method="inclusive") if len(cpu_times) >= 2 else cpu_times * 19
    return InsertionFigures(
        trips=trips, vehicles=len(instance.vehicles), initial_cost=round(initial_cost, 1),
        initial_unserved=initial_unserved, insertions=urgent, inserted=inserted, verified=verified,
        p50_ms=round(statistics.median(latencies), 1), p95_ms=round(q[18], 1), max_ms=round(max(latencies), 1),
        cpu_p50_ms=round(statistics.median(cpu_times), 1), cpu_p95_ms=round(cpu_q[18], 1),
        baseline_runs=len(base_latencies),
        baseline_p50_ms=round(statistics.median(base_latencies), 1) if base_latencies else 0.0,
        baseline_time_limit_s=baseline_seconds,
        insertion_cost_increase=round(statistics.mean(added), 2) if added else 0.0,
        baseline_cost_increase=round(statistics.mean(base_delta), 2) if base_delta else 0.0,
        plan_peak_rss_mb=round(plan_peak_mb, 1), p95_target_ms=target,
        p95_met=q[18] <= target and verified == inserted, load_before=round(load_before, 2),
        load_after=round(os.getloadavg()[0], 2))
