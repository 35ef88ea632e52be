"""Why a change cannot be made, in a dispatcher's words, from the independent checker's typed violations.

When the exact feasibility test refuses a request on a vehicle (or on every vehicle), :func:`closest_miss` finds the
place that misses by the least: each vehicle, each pair of positions for the pick-up and the drop-off, timed as early
as the vehicle could make it (a pick-up delayed only to keep a ride within its limit). That candidate route goes to
:func:`nemt.scheduling.checker.check_solution`, and its :class:`~nemt.scheduling.checker.Violation` values — kind,
amount, limit, request — are what :func:`describe` puts into words ("the member of T-3/1 would ride 97 minutes; the
limit is 60", "pick-up would be at 12:00, 3 h 10 min after the window closes (08:50)"). No message text is parsed;
no value of the member is used beyond the label the caller gives for a request.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nemt.domain.decisions.words import minutes_words, mode_words

from .checker import Violation, ViolationKind, check_solution
from .model import Instance, Route, Solution, Stop, StopKind

_K = ViolationKind
#: Kinds that describe the rest of the candidate solution, not the candidate route.
_ELSEWHERE = frozenset({_K.UNSERVED, _K.SPLIT, _K.COST})
#: How bad a violation is, to pick the closest miss: minutes over for times; a missing seat or credential cannot be
#: waited out, so it weighs more than any lateness.
_WEIGHT = {_K.CAPACITY: 10_000.0, _K.CREDENTIAL: 1_000_000.0}


@dataclass(frozen=True)
class Miss:
    """The closest a request comes to fitting: on ``vehicle``, with these violations (empty: it fits)."""

    vehicle: int | None
    violations: list[Violation]


def closest_miss(instance: Instance, order: Mapping[int, Sequence[tuple[int, StopKind]]], r: int,
                 vehicles: Sequence[int] | None = None) -> Miss:
    """The place for request ``r`` on the routes ``order`` (each vehicle's stops, without ``r``) that breaks the
    fewest constraints by the least, on ``vehicles`` (default: all), with the checker's violations there."""
    best: tuple[float, int | None, list[Violation]] = (float("inf"), None, [])
    request = instance.requests[r]
    for k in vehicles if vehicles is not None else range(len(instance.vehicles)):
        # A vehicle without the credentials misses by at least that weight: it cannot beat a closer miss found.
        if not instance.vehicles[k].can_serve(request) and _WEIGHT[_K.CREDENTIAL] >= best[0]:
            continue
        stops = [s for s in order.get(k, []) if s[0] != r]
        run = _OneRun(instance, k, [q for q, kind in stops if kind is StopKind.PICKUP] + [r])
        for i, j in _positions(instance, k, stops, r):
            trial = [*stops[:i], (r, StopKind.PICKUP), *stops[i:j], (r, StopKind.DROPOFF), *stops[j:]]
            found = run.violations(trial)
            score = sum(_badness(v) for v in found)
            if score < best[0]:
                best = (score, k, found)
            if not found:
                return Miss(k, [])
    closest = best[1]  # the checker named the vehicle of a one-vehicle instance: name it in the day's
    return Miss(closest, [dataclasses.replace(v, vehicle=closest) if v.vehicle is not None else v for v in best[2]])


#: Places tried around the request's pick-up time on a long run: positions of the pick-up (before and after the stops
#: nearest in time), and how many stops may come between the pick-up and the drop-off.
_NEAR_PICKUPS = 8
_BETWEEN = 8


def _positions(instance: Instance, k: int, stops: Sequence[tuple[int, StopKind]], r: int) -> list[tuple[int, int]]:
    """The (pick-up, drop-off) insertion positions tried on vehicle ``k``: every pair on a short run; on a long one,
    the pick-up near the stops closest in time to the request's pick-up window, a few stops before its drop-off."""
    n = len(stops)
    if n <= 2 * _BETWEEN:
        return [(i, j) for i in range(n + 1) for j in range(i, n + 1)]
    times = [s.service_start for s in timed_route(instance, k, stops)[1:-1]]
    req = instance.requests[r]
    direct = float(instance.travel_time[req.pickup_location, req.dropoff_location]) + req.pickup_service
    lo = max(req.pickup_window.earliest, req.dropoff_window.earliest - direct - req.max_ride_time)
    hi = max(lo, min(req.pickup_window.latest, req.dropoff_window.latest - direct))

    def off(i: int) -> float:  # how far the stop before position i is from when the pick-up can be
        t = times[i - 1] if i else times[0]
        return max(lo - t, t - hi, 0.0)

    nearest = sorted(range(n + 1), key=lambda i: (off(i), i))[:_NEAR_PICKUPS]
    return [(i, j) for i in sorted(nearest) for j in range(i, min(n, i + _BETWEEN) + 1)]


class _OneRun:
    """Candidate routes of vehicle ``k`` through ``requests``, checked by the checker against an instance of that
    vehicle and those requests alone (the same locations and matrices): what it says of the route is what it would
    say within the whole day, without walking every other request of the day to call it unserved (``_ELSEWHERE``,
    dropped anyway) — 40,000 checks of a 500-leg day took minutes that way."""

    def __init__(self, instance: Instance, k: int, requests: Sequence[int]) -> None:
        self.index = {q: n for n, q in enumerate(requests)}
        self.part = Instance(instance.name, [instance.requests[q] for q in requests], [instance.vehicles[k]],
                             instance.travel_time, instance.cost, instance.space_types)

    def violations(self, stops: Sequence[tuple[int, StopKind]]) -> list[Violation]:
        local = [(self.index[q], kind) for q, kind in stops]
        report = check_solution(self.part, Solution(0.0, [Route(0, timed_route(self.part, 0, local))]))
        return [v for v in report.violations if v.kind not in _ELSEWHERE]  # on vehicle 0: the caller renames it


def _badness(v: Violation) -> float:
    if v.kind in _WEIGHT:
        return _WEIGHT[v.kind]
    if v.amount is None or v.limit is None:
        return 1.0
    over = v.amount - v.limit if v.lower is None or v.amount >= v.lower else v.lower - v.amount
    return max(abs(over), 0.01)


def timed_route(instance: Instance, k: int, stops: Sequence[tuple[int, StopKind]]) -> list[Stop]:
    """Vehicle ``k`` through ``stops`` as early as it could make each one (waiting for a window to open), a pick-up
    delayed only as far as its window allows to keep a ride within its limit; windows that close too early are left
    broken, so the checker measures by how much."""
    vehicle, requests, tt = instance.vehicles[k], instance.requests, instance.travel_time
    places = [vehicle.start_location] + [
        requests[q].pickup_location if kind is StopKind.PICKUP else requests[q].dropoff_location for q, kind in stops
    ] + [vehicle.end_location]
    opens = [vehicle.shift.earliest] + [
        (requests[q].pickup_window if kind is StopKind.PICKUP else requests[q].dropoff_window).earliest
        for q, kind in stops] + [0.0]
    service = [0.0] + [requests[q].pickup_service if kind is StopKind.PICKUP else requests[q].dropoff_service
                       for q, kind in stops] + [0.0]
    pickup_at = {q: p + 1 for p, (q, kind) in enumerate(stops) if kind is StopKind.PICKUP}
    times = sweep(places, opens, service, tt)
    budget = 4 * len(stops) ** 2 + 64  # the pushes of the kernels' least schedule, to a fixpoint (or the budget)
    changed = True
    while changed and budget > 0:
        changed = False
        for p, (q, kind) in enumerate(stops, start=1):
            i = pickup_at.get(q)
            if kind is not StopKind.DROPOFF or i is None or i > p:
                continue
            limit = requests[q].max_ride_time
            ride = times[p] - times[i] - service[i]
            need = min(times[p] - service[i] - limit, requests[q].pickup_window.latest)
            if ride <= limit + 1e-9 or need <= times[i] + 1e-9:
                continue
            trial = opens.copy()
            trial[i] = need
            later = sweep(places, trial, service, tt)
            if later[p] - later[i] - service[i] >= ride - 1e-9:  # the drop-off moved as much: no use
                continue
            opens, times, changed, budget = trial, later, True, budget - 1
    if len(places) > 2:  # leave the base as late as the first stop allows
        times[0] = max(vehicle.shift.earliest, times[1] - float(tt[places[0], places[1]]))
    kinds = [StopKind.START] + [kind for _q, kind in stops] + [StopKind.END]
    ids = [-1] + [q for q, _kind in stops] + [-1]
    return [Stop(kind, q, loc, t) for kind, q, loc, t in zip(kinds, ids, places, times, strict=True)]


def sweep(places: Sequence[int], opens: Sequence[float], service: Sequence[float], tt: object) -> list[float]:
    """One forward pass: leave each place after its service, drive to the next, wait for it to open. The time at
    each place; the first is ``opens[0]``. (``timed_route`` builds on it; ``live.estimated_times`` too.)"""
    times = [opens[0]]
    for p in range(1, len(places)):
        arrive = times[-1] + service[p - 1] + float(tt[places[p - 1], places[p]])  # type: ignore[index]
        times.append(max(arrive, opens[p]))
    return times


# -- words ---------------------------------------------------------------------------------------------------------

def span(minutes: float) -> str:
    """``190`` -> "3 h 10 min": to the nearest minute, at least one (a miss is never "0 min")."""
    return minutes_words(minutes, rounding=round, least=1)


def describe(v: Violation, instance: Instance, *, who: Callable[[str], str], clock: Callable[[float], str]) -> str:
    """One violation in a dispatcher's words. ``who(request id)`` labels a request ("the member of T-3/1");
    ``clock(minutes)`` gives a time of day ("12:00")."""
    label = who(v.request) if v.request is not None else "a member"
    amount, limit = v.amount or 0.0, v.limit or 0.0
    if v.kind is _K.RIDE_TIME:
        return f"{label} would ride {round(amount)} minutes; the limit is {round(limit)}"
    if v.kind is _K.TIME_WINDOW:
        return _window_words(v, label, clock)
    if v.kind is _K.CAPACITY:
        return (f"the vehicle would carry {int(amount)} {_space(v.detail, int(amount))} at once; it has room for "
                f"{int(limit)}")
    if v.kind is _K.CREDENTIAL:
        return _credential_words(v, instance, label)
    if v.kind is _K.SHIFT_END:
        return (f"the vehicle would be back at its base at {clock(amount)}, {span(amount - limit)} after its shift "
                f"ends ({clock(limit)})")
    if v.kind is _K.SHIFT_START:
        return f"the vehicle would have to leave at {clock(amount)}, before its shift starts ({clock(limit)})"
    if v.kind is _K.ROUTE_DURATION:
        return f"the run would last {span(amount)}; the limit is {span(limit)}"
    if v.kind is _K.BEFORE_NOW:
        return f"a stop would be at {clock(amount)}, before now ({clock(limit)})"
    if v.kind is _K.TRAVEL_TIME:
        return f"the vehicle cannot reach a stop by {clock(amount)}; the earliest it can be there is {clock(limit)}"
    return f"the run would break a rule of the plan ({v.kind.value.replace('-', ' ')})"


def _window_words(v: Violation, label: str, clock: Callable[[float], str]) -> str:
    amount, limit, lower = v.amount or 0.0, v.limit or 0.0, v.lower or 0.0
    what = "pick-up" if v.detail == StopKind.PICKUP.value else "drop-off"
    # Whole minutes, rounded away from the window, so the times shown never contradict "after" or "before".
    if amount > limit:
        return (f"{what} of {label} would be at {clock(math.ceil(amount))}, {span(amount - limit)} after the window "
                f"closes ({clock(math.floor(limit))})")
    return (f"{what} of {label} would be at {clock(math.floor(amount))}, {span(lower - amount)} before the window "
            f"opens ({clock(math.ceil(lower))})")


def _credential_words(v: Violation, instance: Instance, label: str) -> str:
    """What the vehicle lacks, from the instance (the request's needs less the vehicle's credentials)."""
    request = next((q for q in instance.requests if q.id == v.request), None)
    if request is None or v.vehicle is None:
        return f"the vehicle may not carry {label}"
    missing = sorted(request.required_credentials - instance.vehicles[v.vehicle].credentials)
    words = []
    for need in missing:
        kind, _, value = need.partition(":")
        if kind == "mode":
            words.append(f"is not credentialed (vehicle and driver, today) for {mode_words(value)} trips")
        elif kind == "county":
            words.append(f"does not serve {value} County")
        elif kind == "vehicle":
            words.append("is not the vehicle the member is riding in")
        else:
            words.append(f"lacks {need}")
    return f"the vehicle {' and '.join(words)}" if words else f"the vehicle may not carry {label}"


def _space(detail: str, count: int) -> str:
    names = {"ambulatory": ("seated rider", "seated riders"), "wheelchair": ("wheelchair", "wheelchairs"),
             "stretcher": ("stretcher", "stretchers")}
    one, many = names.get(detail, (detail, detail))
    return one if count == 1 else many
