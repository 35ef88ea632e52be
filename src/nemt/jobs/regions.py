"""A day split into regions, each solved on its own, stitched back and repaired across the seams (issue 18, item 1:
a first step). Pure functions over ``nemt.scheduling`` values; each region's solve is the unit a job of the queue
can run (``solve_region``), and the stitched day is verified whole by the independent checker — never only its
parts.

How the day is split: vehicles stay whole in the group they are given (by transportation provider, or by the
broker area of their base — the caller decides; a vehicle is never split), and each request goes to the group with
a vehicle that can carry it (capacity by space type, credentials) whose base is nearest, in travel time, to the
pick-up. A region's solve sees only its own requests and vehicles, on the day's shared matrices (not copied).

The repair pass: a request its region left unserved is offered to every vehicle of the day, across the seams, by
the exact cheapest insertion of ``nemt.scheduling.realtime`` (the urgent-insertion routine), one request at a time.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

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
    """The regions of the day (one per vehicle group, in first-seen order) and the requests no vehicle can carry."""
    labels = list(dict.fromkeys(group_of_vehicle))
    vehicles = {label: [k for k, g in enumerate(group_of_vehicle) if g == label] for label in labels}
    requests: dict[Hashable, list[int]] = {label: [] for label in labels}
    nobody: list[int] = []
    for r, request in enumerate(instance.requests):
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


def repair(instance: Instance, solution: Solution) -> Solution:
    """Offer each unserved request to every vehicle of the day (across the seams); the day's indices kept."""
    from nemt.scheduling.realtime import insert_request

    if not solution.unserved:
        return solution
    left = set(solution.unserved)
    order = [r for r in range(len(instance.requests)) if r not in left]  # position -> the day's index
    position = {r: p for p, r in enumerate(order)}
    work = Instance(instance.name, [instance.requests[r] for r in order], instance.vehicles, instance.travel_time,
                    instance.cost, instance.space_types)
    current = _renumber(solution, position, [])
    for r in sorted(left):
        result = insert_request(work, current, instance.requests[r])
        work, current = result.instance, result.solution
        order.append(r)
    back = dict(enumerate(order))
    return _renumber(current, back, sorted(back[p] for p in current.unserved))


def _renumber(solution: Solution, index: dict[int, int], unserved: list[int]) -> Solution:
    routes = [Route(route.vehicle, [Stop(s.kind, index[s.request] if s.request >= 0 else s.request, s.location,
                                         s.service_start) for s in route.stops]) for route in solution.routes]
    return Solution(solution.cost, routes, unserved, feasible=not unserved)
