"""A day split into regions, each solved on its own, stitched back and repaired across the seams (issue 18, item 1).
Pure functions over ``nemt.scheduling`` values; each region's solve is the unit a job of the queue runs
(``solve_region``; the jobs: ``nemt.jobs.region_jobs``), and the stitched day is verified whole by the independent
checker — never only its parts.

How a day is split — a vehicle is never split: each is given whole, with its whole shift, to one region:

- ``split``: by the group the caller gives each vehicle (a transportation provider, the broker area of its base);
  each request to the group with a capable vehicle (capacity by space type, credentials) based nearest its pick-up.
- ``split_clusters``: by geography — the pick-ups clustered around k centres by travel time (k-medoids), each kind
  of vehicle shared among the clusters in proportion to the work of the requests it can carry there (services, ride,
  approach and way back: ``_workload``), each vehicle kept in the cluster of its base up to that share and the rest
  sent to the clusters short of theirs, nearest first — and, with time slices, by time: a cluster's requests cut by
  pick-up time, its vehicles given whole to one slice each. A small family of vehicles that shares no request with
  the rest (the stretcher vans) is planned statewide as a region of its own (``_families``).
- ``split_by_routes``: along the routes of a first plan of the whole day (a vehicle with the requests it served).
- ``whole_day``: the day as one region.

Each split first sets aside the requests no vehicle of the day can serve even alone (``served_by_none``). A
region's solve sees only its own requests and vehicles, on the day's shared matrices (not copied), for its share of
the day's search time (``search_times``: by size). The repair across
the seams (``nemt.jobs.seams``) then places what the regions left unserved on any vehicle of the day.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from nemt.scheduling import Instance, Request, Route, Solution, Stop, Vehicle, solve


@dataclass(frozen=True)
class Region:
    label: Hashable
    vehicles: list[int]  # indices into the day's vehicles
    requests: list[int]  # indices into the day's requests


def _carries(vehicle: Vehicle, request: Request) -> bool:
    """Room for the request's load (by space type) on a vehicle whose credentials serve it (``Vehicle.can_serve``)."""
    return all(c >= q for c, q in zip(vehicle.capacity, request.load, strict=True)) and vehicle.can_serve(request)


def split(instance: Instance, group_of_vehicle: Sequence[Hashable]) -> tuple[list[Region], list[int]]:
    """The regions of the day (one per vehicle group, in first-seen order) and the requests set aside: those no
    vehicle can carry or serve even alone (``served_by_none``)."""
    aside = served_by_none(instance)
    labels = list(dict.fromkeys(group_of_vehicle))
    vehicles = {label: [k for k, g in enumerate(group_of_vehicle) if g == label] for label in labels}
    requests: dict[Hashable, list[int]] = {label: [] for label in labels}
    nobody: list[int] = []
    for r, request in enumerate(instance.requests):
        if r in aside:
            nobody.append(r)
            continue
        best: tuple[float, Hashable] | None = None
        for label in labels:
            near = [float(instance.travel_time[instance.vehicles[k].start_location, request.pickup_location])
                    for k in vehicles[label] if _carries(instance.vehicles[k], request)]
            if near and (best is None or min(near) < best[0]):
                best = (min(near), label)
        if best is None:
            nobody.append(r)
        else:
            requests[best[1]].append(r)
    return [Region(label, vehicles[label], requests[label]) for label in labels], nobody


def _between(instance: Instance, a: int, b: int) -> float:
    """Travel time between two locations, the mean of both directions (a distance for clustering)."""
    return 0.5 * float(instance.travel_time[a, b] + instance.travel_time[b, a])


def _medoids(instance: Instance, weights: dict[int, int], k: int, seed: int, rounds: int = 20) -> list[int]:
    """k locations that serve as centres of the weighted pick-up locations (k-medoids: seeded k-means++ start, then
    assign each location to its nearest centre and move each centre to the location of its cluster with the least
    weighted travel time to the others, until nothing moves). Distances: travel time, both directions averaged."""
    rng = random.Random(seed)
    places = sorted(weights)
    at = np.asarray(places)
    gap = 0.5 * (instance.travel_time[np.ix_(at, at)] + instance.travel_time[np.ix_(at, at)].T)
    np.fill_diagonal(gap, 0.0)
    mass = np.asarray([weights[p] for p in places], dtype=float)
    centres = [rng.choices(range(len(places)), weights=list(mass))[0]]
    while len(centres) < min(k, len(places)):
        far = mass * gap[:, centres].min(axis=1) ** 2
        if not far.any():
            break
        centres.append(rng.choices(range(len(places)), weights=list(far))[0])
    for _ in range(rounds):
        nearest = np.asarray(centres)[gap[:, centres].argmin(axis=1)]
        moved = []
        for c in centres:
            group = np.flatnonzero(nearest == c)
            if len(group):
                inner = (gap[np.ix_(group, group)] * mass[group][:, None]).sum(axis=0)
                moved.append(int(group[int(inner.argmin())]))
        if sorted(moved) == sorted(centres):
            break
        centres = moved
    return sorted(places[c] for c in centres)


def _quotas(total: int, shares: list[float]) -> list[int]:
    """``total`` whole vehicles in proportion to ``shares`` (largest remainder)."""
    mass = sum(shares)
    if not mass:
        return [0] * len(shares)
    exact = [total * s / mass for s in shares]
    whole = [int(x) for x in exact]
    for i in sorted(range(len(shares)), key=lambda i: whole[i] - exact[i])[: total - sum(whole)]:
        whole[i] += 1
    return whole


def _workload(instance: Instance, hub: Sequence[int]) -> list[float]:
    """The vehicle time each request takes, the measure by which a region's share of the fleet is set: its two
    services, its ride, the approach from its region's centre ``hub[r]`` to its pick-up and the way back from its
    drop-off. Counting requests instead gave the metro cluster of the statewide day 0.4 minutes of ride and service
    per minute of vehicle shift and the rural ones 0.8 to 1.15, more than their vehicles could drive, and left 55
    requests unserved where shares by work left 45 (at 200 s; docs/jobs.md, "Shares by work")."""
    out = []
    for r, request in enumerate(instance.requests):
        ride = float(instance.travel_time[request.pickup_location, request.dropoff_location])
        approach = _between(instance, hub[r], request.pickup_location)
        back = _between(instance, request.dropoff_location, hub[r])
        out.append(request.pickup_service + request.dropoff_service + ride + approach + back)
    return out


def served_by_none(instance: Instance) -> set[int]:
    """The requests that no vehicle of the day can serve even alone, on an otherwise empty route (the solver's exact
    insertion test: windows, ride time, shift, route duration, capacity, credentials). Vehicles alike in base, shift,
    capacity and credentials are asked once, the nearest first. A region's solve would try such a request at every
    iteration and never place it (on the statewide day of 10,000 trips as first generated: 288 of them, 94 in the
    metro cluster, whose solve served 10 more of the others at 60 s without them; 4 on the day as now generated);
    they are set aside for the repair, which offers them to every vehicle once more at the end — so a travel-time
    matrix where a detour is quicker than the direct road still gets its chance."""
    from nemt.scheduling.live import LiveRoutes

    alike: dict[tuple[object, ...], Vehicle] = {}
    for v in instance.vehicles:
        alike.setdefault((v.start_location, v.end_location, v.shift, v.capacity, v.max_route_duration,
                          v.credentials), v)
    kinds = list(alike.values())
    if not kinds:
        return set(range(len(instance.requests)))
    empty = LiveRoutes(Instance(instance.name, instance.requests, kinds, instance.travel_time, instance.cost,
                                instance.space_types), {})
    bases = np.asarray([v.start_location for v in kinds])
    nobody = set()
    for r, request in enumerate(instance.requests):
        nearest = np.argsort(instance.travel_time[bases, request.pickup_location], kind="stable")
        if not any(empty.fits(r, int(k)) for k in nearest):
            nobody.add(r)
    return nobody


def _kinds(instance: Instance) -> dict[tuple[object, ...], list[int]]:
    """The day's vehicles by kind (capacity and credentials), in first-seen order."""
    kinds: dict[tuple[object, ...], list[int]] = {}
    for v, vehicle in enumerate(instance.vehicles):
        kinds.setdefault((vehicle.capacity, vehicle.credentials), []).append(v)
    return kinds


def _families(instance: Instance, aside: Collection[int]) -> list[tuple[list[int], list[int]]]:
    """The day's vehicles in families that share no request, each with its requests: two kinds of vehicle (capacity
    and credentials) are of one family when a request of the day (not set aside) can ride either. No request can
    ride vehicles of two families, so each family's plan is independent of the others'."""
    fleets = list(_kinds(instance).values())
    parent = list(range(len(fleets)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[int, int] = {}  # request -> a kind that can carry it
    for r, request in enumerate(instance.requests):
        if r in aside:
            continue
        able = [f for f, fleet in enumerate(fleets) if _carries(instance.vehicles[fleet[0]], request)]
        if able:
            first[r] = able[0]
        for f in able[1:]:
            parent[root(f)] = root(able[0])
    families: dict[int, tuple[list[int], list[int]]] = {}
    for f, fleet in enumerate(fleets):
        families.setdefault(root(f), ([], []))[0].extend(fleet)
    for r, f in first.items():
        families[root(f)][1].append(r)
    return [(sorted(vehicles), requests) for vehicles, requests in families.values()]


def _pooled(instance: Instance, aside: Collection[int], k: int) -> tuple[dict[int, str], dict[int, str]]:
    """The families (``_families``) planned statewide by ``split_clusters``: each but the largest whose requests are
    fewer than an average cluster's (of ``k``). Their vehicles' and their requests' regions (``s1``, ``s2``, ...)."""
    servable = len(instance.requests) - len(aside)
    families = sorted(_families(instance, aside), key=lambda family: -len(family[1]))
    vehicles: dict[int, str] = {}
    requests: dict[int, str] = {}
    for fleet, theirs in families[1:]:  # the largest family is always cut by geography
        if theirs and len(theirs) * k < servable:
            label = f"s{len(set(vehicles.values())) + 1}"
            vehicles.update(dict.fromkeys(fleet, label))
            requests.update(dict.fromkeys(theirs, label))
    return vehicles, requests


def split_clusters(instance: Instance, k: int, *, seed: int = 1, slices: int = 1,
                   pool_small: bool = True) -> tuple[list[Region], list[int]]:
    """The day split by geography (and, with ``slices`` > 1, by time): the pick-ups clustered around ``k`` centres
    by travel time, each vehicle given whole to one cluster: each kind of vehicle (capacity and credentials) shared
    among the clusters in proportion to the work of the requests it can carry there (``_workload``), a vehicle kept
    in the cluster of its base (the centre nearest it) up to that share, the rest sent to the clusters short of
    theirs, the nearest first. With time slices, a cluster's requests are cut by pick-up time into ``slices`` parts
    of equal size and its vehicles are given whole to one slice each (a vehicle is never split). A request whose part
    has no vehicle able to carry it goes to the part with the nearest capable vehicle (as ``split`` does); the
    requests no vehicle can serve even alone are set aside for the repair (``served_by_none``).

    With ``pool_small``, a family of vehicles that shares no request with the rest of the fleet (``_families``: the
    stretcher vans of the statewide day, which carry only stretcher trips) and whose requests are fewer than a
    cluster's average is planned statewide, as a region of its own (``s1``, ``s2``, ...), rather than cut k ways:
    a scarce kind cut by geography leaves a rural cluster one or two such vehicles for trips spread over the day.
    The largest family is always cut by geography (``_pooled``)."""
    aside = served_by_none(instance)
    pooled_label, pooled_request = _pooled(instance, aside, k) if pool_small and k > 1 else ({}, {})
    weights: dict[int, int] = {}
    for r, request in enumerate(instance.requests):  # the centres of what the day can serve (all if nothing)
        if r in pooled_request:
            continue
        if r not in aside or len(aside) == len(instance.requests):
            weights[request.pickup_location] = weights.get(request.pickup_location, 0) + 1
    centres = _medoids(instance, weights, k, seed)
    home = {p: min(range(len(centres)), key=lambda c: (_between(instance, p, centres[c]), c))
            for p in {request.pickup_location for request in instance.requests}}
    cluster_of = [home[r.pickup_location] for r in instance.requests]
    parts = [(c, s) for c in range(len(centres)) for s in range(slices)]
    part_of = list(cluster_of)
    if slices > 1:
        for c in range(len(centres)):
            mine = sorted((r for r, x in enumerate(cluster_of) if x == c),
                          key=lambda r: (instance.requests[r].pickup_window.earliest, r))
            for n, r in enumerate(mine):
                part_of[r] = c * slices + n * slices // max(1, len(mine))
    else:
        part_of = cluster_of
    work = _workload(instance, [centres[c] for c in cluster_of])
    kinds = [[v for v in fleet if v not in pooled_label] for fleet in _kinds(instance).values()]
    owner: dict[int, int] = {}
    home_of_base = [min(range(len(centres)), key=lambda c: (_between(instance, v.start_location, centres[c]), c))
                    for v in instance.vehicles]
    for fleet in filter(None, kinds):
        sample = instance.vehicles[fleet[0]]
        demand = [0.0] * len(parts)
        for r, request in enumerate(instance.requests):
            if r not in aside and r not in pooled_request and _carries(sample, request):
                demand[part_of[r]] += work[r]
        quota = _quotas(len(fleet), demand)
        # Each vehicle first to its home cluster (its base's nearest centre), up to the quotas; what a home cluster
        # has beyond its quota then goes to the parts still short, the nearest first.
        pairs = sorted((parts[p][0] != home_of_base[v], _between(instance, instance.vehicles[v].start_location,
                                                                  centres[parts[p][0]]), v, p)
                       for v in fleet for p in range(len(parts)))
        for _away, _gap, v, p in pairs:
            if v not in owner and quota[p] > 0:
                owner[v], quota[p] = p, quota[p] - 1
        for _away, _gap, v, p in pairs:  # a kind nothing of the day needs: each to its home
            owner.setdefault(v, p)
    labels = [f"c{c + 1}" + (f"t{s + 1}" if slices > 1 else "") for c, s in parts]
    groups = [pooled_label.get(v) or labels[owner[v]] for v in range(len(instance.vehicles))]
    return _assign(instance, groups, [pooled_request.get(r) or labels[p] for r, p in enumerate(part_of)], aside)


def split_by_routes(instance: Instance, plan: Solution, k: int, *, seed: int = 1) -> tuple[list[Region], list[int]]:
    """The day split along the routes of a first plan: the pick-ups clustered around ``k`` centres (as
    ``split_clusters``), each vehicle given whole, with the requests its route serves, to the cluster where most of
    its route's pick-ups are; a vehicle without a route to the centre nearest its base; a request the plan left
    unserved to its pick-up's cluster. Requests that rode together stay together, so each region's solve starts from
    groups the first plan found good (and ``keep_better`` keeps the first plan's part where it is not beaten)."""
    weights: dict[int, int] = {}
    for request in instance.requests:
        weights[request.pickup_location] = weights.get(request.pickup_location, 0) + 1
    centres = _medoids(instance, weights, k, seed)

    def nearest(location: int) -> str:
        return f"r{min(range(len(centres)), key=lambda c: (_between(instance, location, centres[c]), c)) + 1}"

    group = [nearest(v.start_location) for v in instance.vehicles]
    wanted = [nearest(r.pickup_location) for r in instance.requests]
    for route in plan.routes:
        served = route.requests()
        if served:
            votes: dict[str, int] = {}
            for r in served:
                votes[wanted[r]] = votes.get(wanted[r], 0) + 1
            group[route.vehicle] = label = max(sorted(votes), key=lambda g: votes[g])
            for r in served:
                wanted[r] = label
    return _assign(instance, group, wanted)


def keep_better(instance: Instance, region: Region, first: Solution, second: Solution) -> Solution:
    """Of two plans of ``region`` in the day's indices, the one serving more of its requests, then the cheaper:
    ``first`` is the first plan's routes of the region's vehicles (a region's solve never makes the day worse)."""
    mine, vehicles = set(region.requests), set(region.vehicles)
    part = Solution(0.0, [route for route in first.routes if route.vehicle in vehicles],
                    sorted(r for r in first.unserved if r in mine))
    part.cost = sum(float(instance.cost[a.location, b.location]) for route in part.routes
                    for a, b in zip(route.stops, route.stops[1:], strict=False))
    return min((second, part), key=lambda plan: (len(plan.unserved), plan.cost))


def _assign(instance: Instance, group_of_vehicle: Sequence[Hashable], wanted: Sequence[Hashable],
            aside: Collection[int] = ()) -> tuple[list[Region], list[int]]:
    """Regions of the vehicles' groups, each request in the group it was given when a vehicle there can carry it,
    else in the group of the nearest capable vehicle; regions with neither requests nor vehicles are left out. The
    requests ``aside``, and those no vehicle can carry, are in no region (the second value)."""
    labels = list(dict.fromkeys([*wanted, *group_of_vehicle]))
    vehicles = {label: [v for v, g in enumerate(group_of_vehicle) if g == label] for label in labels}
    requests: dict[Hashable, list[int]] = {label: [] for label in labels}
    nobody: list[int] = []
    for r, request in enumerate(instance.requests):
        if r in aside:
            nobody.append(r)
            continue
        if any(_carries(instance.vehicles[v], request) for v in vehicles[wanted[r]]):
            requests[wanted[r]].append(r)
            continue
        near = [(float(instance.travel_time[vehicle.start_location, request.pickup_location]), group_of_vehicle[v])
                for v, vehicle in enumerate(instance.vehicles) if _carries(vehicle, request)]
        if near:
            requests[min(near, key=lambda pair: pair[0])[1]].append(r)
        else:
            nobody.append(r)
    return [Region(label, vehicles[label], requests[label]) for label in labels
            if vehicles[label] or requests[label]], nobody


def whole_day(instance: Instance) -> tuple[list[Region], list[int]]:
    """The day as one region (every vehicle, every request a vehicle can serve: ``served_by_none`` set aside)."""
    return _assign(instance, ["all"] * len(instance.vehicles), ["all"] * len(instance.requests),
                   served_by_none(instance))


#: The least search time a region is given, in seconds (a region of a few requests is solved in less).
LEAST_SEARCH = 2.0


def search_times(regions: Sequence[Region], time_limit: float, most: float = float("inf")) -> list[float]:
    """Each region's search time: the day's search time, ``time_limit`` for every region, shared among the regions
    by their number of requests — none less than ``LEAST_SEARCH`` (or ``time_limit`` if less), nor more than half
    the day's (two workers then finish together, the largest region on one of them), nor more than ``most``. The
    same time for every region gave the statewide day's metro region of 5,000 requests no more than a rural one of
    84, and left it 11 unserved where a share by size left 1 (docs/jobs.md, "The stretcher vans statewide, and
    search time by size")."""
    total = time_limit * len(regions)
    requests = sum(len(region.requests) for region in regions)
    least = min(LEAST_SEARCH, time_limit)
    if not requests:
        return [time_limit] * len(regions)
    return [min(max(least, total * len(region.requests) / requests), max(time_limit, total / 2), most)
            for region in regions]


def sub_instance(instance: Instance, region: Region) -> Instance:
    return Instance(f"{instance.name}/{region.label}", [instance.requests[r] for r in region.requests],
                    [instance.vehicles[k] for k in region.vehicles], instance.travel_time, instance.cost,
                    instance.space_types)


def solve_region(instance: Instance, region: Region, time_limit: float, seed: int = 1) -> Solution:
    """One region's plan, in the region's own indices (what a region job computes)."""
    return solve(sub_instance(instance, region), time_limit=time_limit, seed=seed)


def stitch(instance: Instance, regions: Sequence[Region], solutions: Sequence[Solution],
           nobody: Sequence[int] = ()) -> Solution:
    """The regions' plans as one plan of the day, in the day's indices (cost: the routes' cost, summed)."""
    routes: list[Route] = []
    unserved = list(nobody)
    for region, solution in zip(regions, solutions, strict=True):
        for route in solution.routes:
            stops = [Stop(s.kind, region.requests[s.request] if s.request >= 0 else s.request, s.location,
                          s.service_start) for s in route.stops]
            routes.append(Route(region.vehicles[route.vehicle], stops))
        unserved += [region.requests[r] for r in solution.unserved]
    cost = sum(float(instance.cost[a.location, b.location]) for route in routes
               for a, b in zip(route.stops, route.stops[1:], strict=False))
    return Solution(cost, routes, sorted(unserved), feasible=not unserved)


def merge(instance: Instance, plans: Sequence[Solution], nobody: Sequence[int] = ()) -> Solution:
    """Plans already in the day's indices (each region's, as ``stitch`` of that region gives it) as one plan."""
    routes = [route for plan in plans for route in plan.routes]
    unserved = sorted({*nobody, *(r for plan in plans for r in plan.unserved)})
    cost = sum(float(instance.cost[a.location, b.location]) for route in routes
               for a, b in zip(route.stops, route.stops[1:], strict=False))
    return Solution(cost, routes, unserved, feasible=not unserved)
