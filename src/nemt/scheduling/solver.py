"""``solve(instance, time_limit, seed)``: adaptive large neighbourhood search for the DARP.

The design follows the DARP literature (details and measurements in ``docs/scheduling.md``):

* Ropke & Pisinger (2006), *Transp. Sci.* 40:455-472 - ALNS framework: random, worst and Shaw removal,
  greedy and regret-k insertion with noise, adaptive weights, simulated-annealing acceptance.
* Ropke, Cordeau & Laporte (2007), *Networks* 49:258-272 and Gschwind & Drexl (2019), *Transp. Sci.*
  53:480-491 - the same ALNS applied to the DARP with exact ride-time feasibility of insertions.
* Cordeau & Laporte (2003), *Transp. Res. B* 37:579-594 - the DARP model and scheduling constraints.

The hot loops (feasibility, insertion, removal, one ALNS iteration) are compiled with numba in
:mod:`nemt.scheduling._kernels`; this module converts the model to arrays, drives the search for the
time limit and converts the best routes back into a :class:`~nemt.scheduling.model.Solution`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np

from . import _kernels as K_
from .kernel_arrays import kernel_instance, node_max_cost, node_mean_time, route_capacity
from .model import Instance, Route, Solution, Stop, StopKind
from .route_pool import RoutePool, vehicle_groups


@dataclass(frozen=True)
class SolverParams:
    """Tunable parameters; defaults measured on the benchmark (see docs/scheduling.md)."""

    #: removed requests per iteration: uniformly in [q_min, q_max], q_max = max(q_min, q_max_fraction * n)
    q_min: int = 2
    q_max_fraction: float = 0.25
    q_max_cap: int = 25
    #: insertion noise amplitude, as a fraction of the largest travel cost (Ropke & Pisinger: 0.025)
    noise: float = 0.025
    p_worst: float = 3.0
    p_shaw: float = 6.0
    #: start temperature: a solution this much worse than the first is accepted with probability 1/2
    start_worse: float = 0.01
    #: final temperature as a fraction of the start temperature
    end_temperature_ratio: float = 0.05
    reaction: float = 0.1
    segment: int = 100
    score_best: float = 33.0
    score_better: float = 9.0
    score_accepted: float = 13.0
    #: Shaw relatedness weights: distance, time, load, different vehicle
    shaw_weights: tuple[float, float, float, float] = (1.0, 1.0, 0.5, 0.5)
    #: annealing cycles; each restarts from the best solution
    annealing_cycles: int = 3
    #: start temperature of the cycles after the first, as a fraction of the first's: later cycles search
    #: near the best instead of wandering off it again (measured in docs/scheduling.md)
    reheat: float = 0.3
    #: relocate local search on repaired candidates (passes; 0 = off) within this window above the current cost
    local_search_passes: int = 0
    local_search_window: float = 0.02
    #: set-partitioning recombination of pooled routes at these fractions of the time limit
    sp_at: tuple[float, ...] = (0.25, 0.5, 0.75, 0.93)
    #: time limit of each set-partitioning solve, as a fraction of the time limit
    sp_time_fraction: float = 0.05
    #: rows of the kernel's route buffer between harvests
    pool_buffer: int = 20000


#: The model as the kernels' arrays (:func:`nemt.scheduling.kernel_arrays.kernel_instance`).
_kernel_instance = kernel_instance


def solve(instance: Instance, time_limit: float = 10.0, seed: int = 0, params: SolverParams | None = None,
          start: Solution | None = None) -> Solution:
    """Solve ``instance`` within ``time_limit`` seconds (wall clock) with random ``seed``.

    Returns the best solution found. ``Solution.unserved`` lists requests no vehicle could take
    (``feasible`` is then False). The first call in a process also pays numba's load/compile time
    (cached on disk after the first run), which is not counted against ``time_limit``.

    ``start``: search on from this plan of ``instance`` instead of a new construction (its unserved requests are
    offered to every vehicle first). The result is never worse than it: the search returns its best, and the
    start is its first. A plan with a route that breaks a constraint is refused (``ValueError``).
    """
    params = params or SolverParams()
    inst = _kernel_instance(instance)
    K_.seed_rng(int(seed) % (2**32))
    _warm_up(inst)  # numba load/compile happens here, outside the time limit
    search = _Search(instance, inst, params, time_limit, time.perf_counter(), start)
    if inst[10] >= 1:
        search.run()
    return search.result()


#: One set-partitioning solve: (seconds into the run, pooled routes, pool statistics, seconds spent, cost found).
SetPartitioningLog: TypeAlias = tuple[float, int, tuple[object, ...], float, float | None]


@dataclass(frozen=True)
class _Cooling:
    """Simulated-annealing temperature: geometric cooling from ``t0`` to ``t_end`` within each cycle."""

    t0: float
    t_end: float
    cycle_length: float
    #: start temperature of every cycle after the first, as a fraction of ``t0``
    reheat: float = 1.0

    @classmethod
    def for_run(cls, params: SolverParams, routing: float, time_limit: float) -> _Cooling:
        t0 = params.start_worse * max(routing, 1.0) / math.log(2.0)
        cycles = max(1, params.annealing_cycles)
        return cls(t0, t0 * params.end_temperature_ratio, max(time_limit, 1e-9) / cycles, params.reheat)

    def cycle(self, elapsed: float) -> int:
        return int(elapsed / self.cycle_length)

    def temperature(self, elapsed: float) -> float:
        # geometric cooling within each cycle; every cycle after the first starts again from the best
        # solution (a restart/reheat scheme, cf. the restarts of Braekers et al. 2014's annealing)
        frac = min(max((elapsed % self.cycle_length) / self.cycle_length, 0.0), 1.0)
        t0 = self.t0 if self.cycle(elapsed) == 0 else max(self.t0 * self.reheat, self.t_end)
        return float(t0 * (self.t_end / t0) ** frac)


def _construct(
    inst: K_.KernelInstance,
) -> tuple[K_.IntArray, K_.IntArray, K_.IntArray, K_.IntArray, K_.FloatArray, int]:
    """The initial solution (regret-2 insertion): routes, rlen, assign, bank, route costs, unserved count."""
    R, K, S = inst[10], inst[11], inst[12]
    M = route_capacity(inst)
    routes = np.zeros((K, M), dtype=np.int64)
    rlen = np.zeros(K, dtype=np.int64)
    assign = np.full(R, -1, dtype=np.int64)
    bank = np.zeros(R, dtype=np.int64)
    sched = np.zeros((2 * K, M))  # schedules and forward time slacks
    loads = np.zeros((K, M, S), dtype=np.int64)
    rcost = np.zeros(K)
    tmp = np.empty(M, dtype=np.int64)
    B = np.empty(M)
    lb = np.empty(M)
    ppos = np.zeros(max(R, 1), dtype=np.int64)
    nbank = K_.construct(routes, rlen, assign, bank, sched, loads, rcost, inst, tmp, B, lb, ppos)
    return routes, rlen, assign, bank, rcost, int(nbank)


def _from_plan(
    inst: K_.KernelInstance, plan: Solution,
) -> tuple[K_.IntArray, K_.IntArray, K_.IntArray, K_.IntArray, K_.FloatArray, int]:
    """``plan``'s routes as the kernel's arrays, its unserved requests then offered to every vehicle (regret-2
    insertion, as the construction does); the same six values as :func:`_construct`."""
    R, K, S = inst[10], inst[11], inst[12]
    chosen = [(route.vehicle, tuple(s.request if s.kind is StopKind.PICKUP else R + s.request
                                    for s in route.stops if s.request >= 0)) for route in plan.routes]
    _refuse_unpaired(chosen, R, K)
    M = max(route_capacity(inst), 2 + max((len(inner) for _, inner in chosen), default=0))
    routes = np.zeros((K, M), dtype=np.int64)
    rlen = np.zeros(K, dtype=np.int64)
    assign = np.full(R, -1, dtype=np.int64)
    _load_routes(chosen, R, K, routes, rlen, assign)
    sched = np.zeros((2 * K, M))
    loads = np.zeros((K, M, S), dtype=np.int64)
    rcost = np.zeros(K)
    lb = np.empty(M)
    ppos = np.zeros(max(R, 1), dtype=np.int64)
    if not K_.refresh_all(routes, rlen, sched, loads, rcost, inst, lb, ppos):
        raise ValueError("the start plan has a route that breaks a window, a ride time, a capacity or a shift")
    left = np.flatnonzero(assign < 0)
    bank = np.zeros(R, dtype=np.int64)
    bank[: len(left)] = left
    nbank = K_.repair(bank, len(left), routes, rlen, assign, sched, loads, rcost, inst, 2, 0.0,
                      np.empty(M, dtype=np.int64), np.empty(M), lb, ppos) if len(left) else 0
    return routes, rlen, assign, bank, rcost, int(nbank)


def _refuse_unpaired(chosen: Sequence[tuple[int, tuple[int, ...]]], R: int, K: int) -> None:
    """Refuse a start plan that is not one of the instance: a vehicle twice or unknown, a request on two routes or
    twice on one, a drop-off without its pick-up before it on the same route."""
    seen: set[int] = set()
    vehicles: set[int] = set()
    for vehicle, inner in chosen:
        if not 0 <= vehicle < K or vehicle in vehicles:
            raise ValueError(f"the start plan has vehicle {vehicle} unknown or on two routes")
        vehicles.add(vehicle)
        picked: set[int] = set()
        for node in inner:
            r = node if node < R else node - R
            if not 0 <= node < 2 * R or (node < R and (r in seen or r in picked)) or (node >= R and r not in picked):
                raise ValueError(f"the start plan serves request {r} other than once, pick-up before drop-off")
            if node < R:
                picked.add(r)
            else:
                picked.discard(r)
                seen.add(r)
        if picked:
            raise ValueError(f"the start plan picks up request {min(picked)} and never drops it off")


def _kernel_params(params: SolverParams, inst: K_.KernelInstance, max_cost: float) -> K_.FloatArray:
    """The ``params`` array of :func:`nemt.scheduling._kernels.alns_chunk`."""
    R = inst[10]
    q_min = min(params.q_min, R)
    q_max = max(q_min, min(params.q_max_cap, int(params.q_max_fraction * R)))
    xy_scale = max(node_mean_time(inst), 1e-9)
    return np.array([q_min, q_max, params.noise * max_cost, params.p_worst, params.p_shaw, xy_scale,
                     params.reaction, params.segment, params.score_best, params.score_better, params.score_accepted,
                     params.local_search_passes, params.local_search_window])


class _Search:
    """One run of the search: the kernel arrays of the current and best solutions, and the steps between
    ALNS chunks (restarts, route pool harvest, set-partitioning recombination, chunk sizing)."""

    def __init__(
        self, instance: Instance, inst: K_.KernelInstance, params: SolverParams, time_limit: float, start: float,
        plan: Solution | None = None,
    ) -> None:
        self.instance, self.inst, self.params = instance, inst, params
        self.time_limit, self.start = time_limit, start
        self.R, self.K = inst[10], inst[11]
        first = _construct(inst) if plan is None else _from_plan(inst, plan)
        self.routes, self.rlen, self.assign, self.bank, rcost, nbank = first
        max_cost = node_max_cost(inst) if self.R else 1.0
        penalty = 10.0 * max(max_cost, 1.0) + 1.0  # larger than any insertion cost: serving beats not serving
        routing = float(rcost.sum())
        #: [current objective, best objective, current bank size, best bank size, penalty]
        self.scal = np.array([routing + penalty * nbank, routing + penalty * nbank, nbank, nbank, penalty])
        self.best = (self.routes.copy(), self.rlen.copy(), self.assign.copy(), self.bank.copy())
        self.w_destroy = np.ones(K_.NUM_DESTROY)
        self.w_repair = np.ones(K_.NUM_REPAIR)
        self.counters = np.zeros(2 + 2 * K_.NUM_DESTROY + 2 * K_.NUM_REPAIR)
        self.kparams = _kernel_params(params, inst, max_cost)
        self.shaw_w = np.array(params.shaw_weights, dtype=np.float64)
        self.cooling = _Cooling.for_run(params, routing, time_limit)
        self.build_time = time.perf_counter() - start
        self._start_pool(rcost)
        self.sp_pending = sorted(params.sp_at)
        self.sp_log: list[SetPartitioningLog] = []
        self.chunk = 10
        self.current_cycle = 0
        self.trace = [(0.0, float(self.scal[1]))]  # (seconds, best objective) whenever the best improves

    def _start_pool(self, rcost: K_.FloatArray) -> None:
        """The route pool, seeded with the constructed routes, and the kernel's buffer of new routes."""
        M = self.routes.shape[1]
        size = self.params.pool_buffer
        self.pool = RoutePool(self.R, vehicle_groups(self.instance))
        self.pool_nodes = np.zeros((size, M), dtype=np.int64)
        self.pool_len = np.zeros(size, dtype=np.int64)
        self.pool_cost = np.zeros(size)
        self.pool_fill = np.zeros(1, dtype=np.int64)
        for k in range(self.K):
            if self.rlen[k] > 2:
                self.pool.add(self.routes[k, : self.rlen[k]], rcost[k])

    def _current(self) -> tuple[K_.IntArray, K_.IntArray, K_.IntArray, K_.IntArray]:
        return self.routes, self.rlen, self.assign, self.bank

    def run(self) -> None:
        """ALNS chunks until the time limit, with the set-partitioning recombination at its due times."""
        while True:
            elapsed = time.perf_counter() - self.start
            if self.time_limit - elapsed <= 0:
                break
            self._restart_on_new_cycle(elapsed)
            spent = self._alns_chunk(elapsed)
            if self._recombine_if_due():
                continue
            self._resize_chunk(spent)

    def _restart_on_new_cycle(self, elapsed: float) -> None:
        """A new annealing cycle restarts from the best solution."""
        cycle = self.cooling.cycle(elapsed)
        if cycle > self.current_cycle:
            self.current_cycle = cycle
            for arr, src in zip(self._current(), self.best, strict=True):
                arr[...] = src
            self.scal[0], self.scal[2] = self.scal[1], self.scal[3]

    def _alns_chunk(self, elapsed: float) -> float:
        """Run one chunk of ALNS iterations, then harvest its routes into the pool; returns its seconds."""
        tic = time.perf_counter()
        K_.alns_chunk(self.inst, self.chunk, self.cooling.temperature(elapsed), self.cooling.temperature(elapsed + 0.2),
                      self.routes, self.rlen, self.assign, self.bank, *self.best,
                      self.scal, self.w_destroy, self.w_repair, self.kparams, self.shaw_w, self.counters,
                      self.pool_nodes, self.pool_len, self.pool_cost, self.pool_fill)
        spent = time.perf_counter() - tic
        if self.scal[1] < self.trace[-1][1]:
            self.trace.append((time.perf_counter() - self.start, float(self.scal[1])))
        self.pool.harvest(self.pool_nodes, self.pool_len, self.pool_cost, int(self.pool_fill[0]))
        self.pool_fill[0] = 0
        return spent

    def _recombine_if_due(self) -> bool:
        """Solve the set-partitioning model over the pool if one of its times has come; True if it ran."""
        now = time.perf_counter() - self.start
        if not (self.sp_pending and now >= self.sp_pending[0] * self.time_limit):
            return False
        self.sp_pending = [x for x in self.sp_pending if x * self.time_limit > now]
        sp_limit = min(self.params.sp_time_fraction * self.time_limit, self.time_limit - now)
        tic_sp = time.perf_counter()
        best_routes, best_rlen = self.best[0], self.best[1]
        incumbent = [self.pool.key_of(best_routes[k, : best_rlen[k]]) for k in range(self.K) if best_rlen[k] > 2]
        found = self.pool.solve(sp_limit, float(self.scal[1]), incumbent)
        sp_seconds = round(time.perf_counter() - tic_sp, 2)
        self.sp_log.append(
            (round(now, 2), len(self.pool), self.pool.last_stats, sp_seconds, None if found is None else found[0])
        )
        if found is not None and found[0] < self.scal[1] - 1e-7 and int(self.scal[3]) == 0:  # improved
            self._adopt_cover(found[0], found[1])
        return True

    def _adopt_cover(self, cost: float, chosen: Sequence[tuple[int, tuple[int, ...]]]) -> None:
        """Make a better set-partitioning cover both the current and the best solution."""
        _load_routes(chosen, self.R, self.K, self.routes, self.rlen, self.assign)
        for arr, src in zip(self.best, self._current(), strict=True):
            arr[...] = src
        self.scal[0] = self.scal[1] = cost
        self.scal[2] = self.scal[3] = 0  # the cover serves every request
        self.trace.append((time.perf_counter() - self.start, float(self.scal[1])))

    def _resize_chunk(self, spent: float) -> None:
        """Aim for chunks of ~0.2 s so the time limit is respected closely."""
        per_iter = spent / self.chunk
        rate_guess = 0.2 / max(per_iter, 1e-6)
        remaining = self.time_limit - (time.perf_counter() - self.start)
        self.chunk = int(max(1, min(rate_guess, remaining / max(per_iter, 1e-6))))

    def result(self) -> Solution:
        """The best solution found, with the run's statistics."""
        best_routes, best_rlen, _, best_bank = self.best
        nb = int(self.scal[3])
        solution = _to_solution(self.instance, self.inst, best_routes, best_rlen, best_bank[:nb])
        solution.runtime = time.perf_counter() - self.start
        solution.iterations = int(self.counters[0])
        solution.stats = {
            "construction_seconds": self.build_time,
            "improvements": int(self.counters[1]),
            "trace": self.trace,
            "set_partitioning": self.sp_log,
            "destroy_weights": self.w_destroy.tolist(),
            "repair_weights": self.w_repair.tolist(),
        }
        return solution


def _warm_up(inst: K_.KernelInstance) -> None:
    """Compile (or load from numba's on-disk cache) the kernels with this instance's types."""
    R, K = inst[10], inst[11]
    M = route_capacity(inst)
    z = np.zeros
    K_.alns_chunk(inst, 0, 1.0, 1.0, z((K, M), np.int64), z(K, np.int64), z(R, np.int64), z(R, np.int64),
                  z((K, M), np.int64), z(K, np.int64), z(R, np.int64), z(R, np.int64),
                  z(5), np.ones(K_.NUM_DESTROY), np.ones(K_.NUM_REPAIR), z(13) + 1, z(4),
                  z(2 + 2 * K_.NUM_DESTROY + 2 * K_.NUM_REPAIR),
                  z((1, M), np.int64), z(1, np.int64), z(1), z(1, np.int64))


def _load_routes(
    chosen: Sequence[tuple[int, tuple[int, ...]]], R: int, K: int, routes: K_.IntArray, rlen: K_.IntArray,
    assign: K_.IntArray,
) -> None:
    """Write set-partitioning routes [(vehicle, inner nodes)] into the kernel arrays."""
    for k in range(K):
        routes[k, 0] = 2 * R + k
        routes[k, 1] = 2 * R + K + k
        rlen[k] = 2
    for vehicle, inner in chosen:
        n = len(inner)
        routes[vehicle, 0] = 2 * R + vehicle
        routes[vehicle, 1 : n + 1] = inner
        routes[vehicle, n + 1] = 2 * R + K + vehicle
        rlen[vehicle] = n + 2
        for node in inner:
            if node < R:
                assign[node] = vehicle


def _to_solution(
    instance: Instance, inst: K_.KernelInstance, routes: K_.IntArray, rlen: K_.IntArray,
    unserved: Sequence[int] | K_.IntArray, same: Mapping[int, Route] | None = None, checked: bool = False,
) -> Solution:
    """The routes (the kernels' node numbering) at their least schedules, as a :class:`Solution`. ``same``: routes
    known to hold the same nodes as ``routes`` (by vehicle), whose stops are kept where the times and places are
    still theirs (``checked``: known to be)."""
    R, K = inst[10], inst[11]
    M = routes.shape[1]
    times = np.zeros((K, M))
    ok = np.ones(K, dtype=np.bool_)
    total = K_.schedule_all(routes, rlen, inst, times, ok, np.empty(M), np.zeros(max(R, 1), dtype=np.int64))
    loc = inst[13].tolist()
    pickup, dropoff, start, end = StopKind.PICKUP, StopKind.DROPOFF, StopKind.START, StopKind.END
    out: list[Route] = []
    for k in np.flatnonzero(rlen > 2).tolist():
        n = int(rlen[k])
        at = times[k, :n].tolist()
        nodes = routes[k, :n].tolist()
        if same and k in same and (checked or _unchanged(same[k], at, [loc[node] for node in nodes])):
            out.append(Route(vehicle=k, stops=list(same[k].stops)))
            continue
        stops = [Stop(start, -1, loc[nodes[0]], at[0])]
        stops += [Stop(pickup, node, loc[node], t) if node < R else Stop(dropoff, node - R, loc[node], t)
                  for node, t in zip(nodes[1 : n - 1], at[1 : n - 1], strict=True)]
        stops.append(Stop(end, -1, loc[nodes[n - 1]], at[n - 1]))
        out.append(Route(vehicle=k, stops=stops))
    feasible = len(unserved) == 0 and bool(ok.all())
    return Solution(cost=float(total), routes=out, unserved=sorted(int(r) for r in unserved), feasible=feasible)


def _unchanged(route: Route, times: list[float], places: list[int]) -> bool:
    """Whether ``route``'s stops are at ``times`` and ``places``, one for one."""
    return (len(route.stops) == len(times) and [s.service_start for s in route.stops] == times
            and [s.location for s in route.stops] == places)
