"""Plain data model of the dial-a-ride problem (DARP), in the style of PyVRP's public API.

An :class:`Instance` holds requests, vehicles and a travel-time/cost matrix over *locations*
(row/column indices of the matrices). A :class:`Solution` lists, for every vehicle, the ordered
stops with the start of service at each, so that any checker can verify it without the solver.

Conventions (the same as Cordeau 2006, *Oper. Res.* 54(3):573-586):

* Time windows constrain the **start of service** at a stop; a vehicle may arrive early and wait.
* Ride time of a request = start of service at drop-off - (start of service at pickup + pickup service time).
* Route duration = start of service at the end depot - start of service at the start depot.
* Loads are vectors, one entry per space type (e.g. ambulatory seat, wheelchair position, stretcher).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

#: A matrix over locations (travel time, cost), as :class:`Instance` stores it.
FloatMatrix: TypeAlias = npt.NDArray[np.float64]

#: The space types a NEMT vehicle offers. Instances may use any tuple of names; this is the default.
DEFAULT_SPACE_TYPES: tuple[str, ...] = ("ambulatory", "wheelchair", "stretcher")


@dataclass(frozen=True)
class TimeWindow:
    """Earliest and latest start of service."""

    earliest: float
    latest: float


@dataclass(frozen=True)
class Request:
    """One passenger trip: picked up at one location, dropped off at another by the same vehicle."""

    id: str
    pickup_location: int
    dropoff_location: int
    pickup_window: TimeWindow
    dropoff_window: TimeWindow
    pickup_service: float
    dropoff_service: float
    #: Spaces used on board, one entry per space type of the instance.
    load: tuple[int, ...]
    #: Maximum ride time (see module docstring).
    max_ride_time: float
    #: Credentials/modes a serving vehicle must hold (e.g. {"stretcher-certified"}); empty = any vehicle.
    required_credentials: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Vehicle:
    """A vehicle with its depots, shift, capacity per space type and credentials."""

    id: str
    start_location: int
    end_location: int
    #: Window on leaving the start depot (earliest) and reaching the end depot (latest).
    shift: TimeWindow
    capacity: tuple[int, ...]
    max_route_duration: float
    credentials: frozenset[str] = frozenset()

    def can_serve(self, request: Request) -> bool:
        return request.required_credentials <= self.credentials


@dataclass(init=False)
class Instance:
    """A DARP instance. ``travel_time[a, b]`` and ``cost[a, b]`` are indexed by location.

    The matrices are given as any array-like and stored as float arrays; without ``cost`` the routing cost is
    the travel time.
    """

    name: str
    requests: list[Request]
    vehicles: list[Vehicle]
    travel_time: FloatMatrix
    cost: FloatMatrix
    space_types: tuple[str, ...]

    def __init__(
        self,
        name: str,
        requests: list[Request],
        vehicles: list[Vehicle],
        travel_time: npt.ArrayLike,
        cost: npt.ArrayLike | None = None,
        space_types: tuple[str, ...] = DEFAULT_SPACE_TYPES,
    ) -> None:
        self.name, self.requests, self.vehicles, self.space_types = name, requests, vehicles, space_types
        self.travel_time = np.asarray(travel_time, dtype=np.float64)
        self.cost = self.travel_time if cost is None else np.asarray(cost, dtype=np.float64)
        width = len(self.space_types)
        for r in self.requests:
            if len(r.load) != width:
                raise ValueError(f"request {r.id}: load has {len(r.load)} entries, expected {width}")
        for v in self.vehicles:
            if len(v.capacity) != width:
                raise ValueError(f"vehicle {v.id}: capacity has {len(v.capacity)} entries, expected {width}")

    @property
    def num_requests(self) -> int:
        return len(self.requests)

    @property
    def num_vehicles(self) -> int:
        return len(self.vehicles)


class StopKind(str, Enum):  # noqa: UP042 - StrEnum would change str()/format() from 'StopKind.PICKUP' to 'pickup'
    START = "start"
    PICKUP = "pickup"
    DROPOFF = "dropoff"
    END = "end"


@dataclass(frozen=True)
class Stop:
    """A visit on a route. ``request`` is the request's index in ``Instance.requests`` (-1 at depots)."""

    kind: StopKind
    request: int
    location: int
    service_start: float


@dataclass
class Route:
    """The stops of one vehicle, from its start depot to its end depot. An unused vehicle has no route."""

    vehicle: int
    stops: list[Stop]

    def requests(self) -> list[int]:
        return [s.request for s in self.stops if s.kind is StopKind.PICKUP]


@dataclass
class Solution:
    """What :func:`nemt.scheduling.solve` returns.

    ``cost`` is the routing cost of the routes; ``unserved`` lists requests no vehicle could take
    (``feasible`` is False then). ``feasible`` is the solver's own claim: verify it with
    :func:`nemt.scheduling.checker.check_solution`.
    """

    cost: float
    routes: list[Route]
    unserved: list[int] = field(default_factory=list)
    feasible: bool = True
    runtime: float = 0.0
    iterations: int = 0
    stats: dict[str, Any] = field(default_factory=dict)

    def num_routes(self) -> int:
        return sum(1 for r in self.routes if len(r.stops) > 2)
