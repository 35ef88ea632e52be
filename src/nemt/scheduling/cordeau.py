"""Reader (and writer) of the Cordeau (2006) / Ropke et al. (2007) "a/b" DARP benchmark format.

See ``benchmarks/data/darp/FORMAT.md``. Line 1 is ``K n T Q L``; then 2n+2 lines ``id x y d q e l``.
Node 0 is the origin depot, nodes 1..n the pickups, node n+i the delivery of request i, node 2n+1
the destination depot. Travel time = cost = Euclidean distance in double precision.

**Several depots** (an extension for generated instances, ``docs/generated-instances.md``): the header may carry
one more field per depot, ``K n T Q L K_1 … K_D``, the vehicles based at each depot (they add up to K). Depot 1 is
nodes 0 and 2n+1 as before; depot d >= 2 adds two node lines at the end, its origin ``2n+2d-2`` and its destination
``2n+2d-1``, written like nodes 0 and 2n+1. The first K_1 vehicles start and end at depot 1, the next K_2 at depot 2,
and so on. A five-field header is the public format, read exactly as before.

Inside :mod:`nemt.scheduling` the locations of an instance read here are the node ids of the file,
so request ``r`` (0-based) picks up at location ``r + 1`` and drops off at ``n + r + 1``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .model import Instance, Request, Solution, StopKind, TimeWindow, Vehicle

SPACE_TYPES = ("seat",)


class InstanceFormatError(ValueError):
    """A file does not follow the format; the message names the file and the line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        super().__init__(f"{path}, line {line}: {message}")


@dataclass(frozen=True)
class CordeauHeader:
    vehicles: int
    requests: int
    max_route_duration: float
    capacity: int
    max_ride_time: float
    #: Vehicles based at each depot, in depot order; one depot (all K vehicles) in the public format.
    depot_vehicles: tuple[int, ...] = ()

    @property
    def depots(self) -> int:
        return max(1, len(self.depot_vehicles))

    @property
    def node_count(self) -> int:
        return 2 * self.requests + 2 * self.depots

    def depot_nodes(self, depot: int) -> tuple[int, int]:
        """The origin and destination node of depot ``depot`` (0-based)."""
        n = self.requests
        return (0, 2 * n + 1) if depot == 0 else (2 * n + 2 * depot, 2 * n + 2 * depot + 1)


@dataclass(frozen=True)
class CordeauNodes:
    """The node lines' columns, indexed by node id."""

    xy: npt.NDArray[np.float64]
    service: npt.NDArray[np.float64]
    load: npt.NDArray[np.int64]
    window: npt.NDArray[np.float64]


def _numbers(path: Path | str, line_no: int, text: str, count: int, what: str) -> list[float]:
    fields = text.split()
    if len(fields) != count:
        raise InstanceFormatError(
            path, line_no, f"{what}: expected {count} fields, found {len(fields)}: {text.strip()!r}"
        )
    try:
        return [float(f) for f in fields]
    except ValueError:
        raise InstanceFormatError(path, line_no, f"{what}: non-numeric field in {text.strip()!r}") from None


def _integer(path: Path | str, line_no: int, value: float, what: str) -> int:
    if value != int(value):
        raise InstanceFormatError(path, line_no, f"{what} must be an integer, found {value}")
    return int(value)


def read_cordeau(path: Path | str, name: str | None = None) -> Instance:
    """Parse one instance file. Raises :class:`InstanceFormatError` naming the offending line."""
    path = Path(path)
    header, nodes = parse_cordeau(path)
    return cordeau_instance(name or path.stem, header, nodes)


def parse_cordeau(path: Path | str) -> tuple[CordeauHeader, CordeauNodes]:
    """The header and the node columns of one file, checked line by line."""
    path = Path(path)
    lines = _read_lines(path)
    header = _read_header(path, lines[0])
    expected = header.node_count
    if len(lines) - 1 < expected:
        raise InstanceFormatError(
            path, len(lines) + 1, f"expected {expected} node lines after the header, found {len(lines) - 1}"
        )
    if len(lines) - 1 > expected:
        raise InstanceFormatError(path, expected + 2, f"unexpected extra line after the {expected} node lines")
    nodes = _read_nodes(path, lines[1:])
    _check_loads(path, nodes.load, header)
    return header, nodes


def euclidean(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The matrix of Euclidean distances between the rows of ``xy`` (travel time = cost in this format)."""
    diff = xy[:, None, :] - xy[None, :, :]
    out: npt.NDArray[np.float64] = np.sqrt((diff**2).sum(axis=2))
    return out


def cordeau_instance(name: str, header: CordeauHeader, nodes: CordeauNodes) -> Instance:
    """The instance a file of this format describes (its locations are the node ids)."""
    distance = euclidean(nodes.xy)
    return Instance(
        name=name,
        requests=_requests(header, nodes),
        vehicles=_vehicles(header, nodes),
        travel_time=distance,
        cost=distance,
        space_types=SPACE_TYPES,
    )


def _read_lines(path: Path) -> list[str]:
    """The file's lines, trailing blank lines dropped; at least one."""
    try:
        raw = path.read_text(encoding="ascii")
    except UnicodeDecodeError as exc:
        line = raw_line_of_offset(path.read_bytes(), exc.start)
        raise InstanceFormatError(path, line, "non-ASCII byte") from None
    lines = raw.splitlines()
    # Trailing blank lines are tolerated; blank lines inside the body are not.
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise InstanceFormatError(path, 1, "empty file, expected header 'K n T Q L'")
    return lines


def _read_header(path: Path, text: str) -> CordeauHeader:
    count = max(5, len(text.split()))  # fields past the fifth are the vehicles of each depot
    k, n, t_max, q_cap, l_ride, *per_depot = _numbers(path, 1, text, count, "header 'K n T Q L [K_1 ... K_D]'")
    header = CordeauHeader(
        vehicles=_integer(path, 1, k, "K"),
        requests=_integer(path, 1, n, "n"),
        max_route_duration=t_max,
        capacity=_integer(path, 1, q_cap, "Q"),
        max_ride_time=l_ride,
        depot_vehicles=tuple(_integer(path, 1, v, f"K_{d}") for d, v in enumerate(per_depot, start=1)),
    )
    if header.vehicles < 1 or header.requests < 1:
        raise InstanceFormatError(path, 1, "K and n must be positive")
    if per_depot and (min(header.depot_vehicles) < 1 or sum(header.depot_vehicles) != header.vehicles):
        raise InstanceFormatError(
            path, 1, f"the vehicles of the depots {list(header.depot_vehicles)} must be positive and add up to "
                     f"K = {header.vehicles}")
    return header


def _read_nodes(path: Path, node_lines: list[str]) -> CordeauNodes:
    """Parse the node lines ``id x y d q e l`` (the file's line 2 onwards)."""
    count = len(node_lines)
    nodes = CordeauNodes(np.zeros((count, 2)), np.zeros(count), np.zeros(count, dtype=np.int64), np.zeros((count, 2)))
    for node in range(count):
        line_no = node + 2
        node_id, x, y, d, q, e, late = _numbers(path, line_no, node_lines[node], 7, "node line 'id x y d q e l'")
        if node_id != node:
            raise InstanceFormatError(path, line_no, f"node id {node_id:g} does not match its position {node}")
        if e > late:
            raise InstanceFormatError(path, line_no, f"time window [{e:g}, {late:g}] is empty")
        if d < 0:
            raise InstanceFormatError(path, line_no, f"negative service duration {d:g}")
        nodes.xy[node] = (x, y)
        nodes.service[node] = d
        nodes.load[node] = _integer(path, line_no, q, "q")
        nodes.window[node] = (e, late)
    return nodes


def _check_loads(path: Path, load: npt.NDArray[np.int64], header: CordeauHeader) -> None:
    """Deliveries carry minus their pickup's load, pickups a non-negative one, depots none."""
    n = header.requests
    for i in range(1, n + 1):
        if load[n + i] != -load[i]:
            raise InstanceFormatError(
                path, n + i + 2, f"delivery load {load[n + i]} is not minus the pickup load {load[i]} of node {i}"
            )
        if load[i] < 0:
            raise InstanceFormatError(path, i + 2, f"pickup load {load[i]} is negative")
    for depot in range(header.depots):
        for node in header.depot_nodes(depot):
            if load[node] != 0:
                raise InstanceFormatError(path, node + 2, "depot load must be 0")


def _requests(header: CordeauHeader, nodes: CordeauNodes) -> list[Request]:
    n = header.requests
    service, load, window = nodes.service, nodes.load, nodes.window
    return [
        Request(
            id=str(i),
            pickup_location=i,
            dropoff_location=n + i,
            pickup_window=TimeWindow(*window[i]),
            dropoff_window=TimeWindow(*window[n + i]),
            pickup_service=float(service[i]),
            dropoff_service=float(service[n + i]),
            load=(int(load[i]),),
            max_ride_time=header.max_ride_time,
        )
        for i in range(1, n + 1)
    ]


def _vehicles(header: CordeauHeader, nodes: CordeauNodes) -> list[Vehicle]:
    per_depot = header.depot_vehicles or (header.vehicles,)
    vehicles: list[Vehicle] = []
    for depot, count in enumerate(per_depot):
        start, end = header.depot_nodes(depot)
        shift = TimeWindow(float(nodes.window[start, 0]), float(nodes.window[end, 1]))
        vehicles += [
            Vehicle(
                id=str(len(vehicles) + v),
                start_location=start,
                end_location=end,
                shift=shift,
                capacity=(header.capacity,),
                max_route_duration=header.max_route_duration,
            )
            for v in range(count)
        ]
    return vehicles


def write_cordeau(path: Path | str, header: CordeauHeader, nodes: CordeauNodes) -> None:
    """Write a file :func:`parse_cordeau` reads back to the same header and nodes.

    Coordinates are written with three decimals and the other node fields as integers, as in the public files, so
    give coordinates on a 0.001 grid and integer service times, loads and windows. The depots' vehicles go on the
    header only when there is more than one depot (one depot is the public format unchanged).
    """
    fields = [header.vehicles, header.requests, header.max_route_duration, header.capacity, header.max_ride_time]
    if header.depots > 1:
        fields += list(header.depot_vehicles)
    lines = [" ".join(_number(v) for v in fields)]
    for node in range(header.node_count):
        x, y = (_number(float(c), 3).rjust(7) for c in nodes.xy[node])
        d, q = _number(float(nodes.service[node])).rjust(3), f"{int(nodes.load[node]):3d}"
        e, late = (_number(float(t)).rjust(4) for t in nodes.window[node])
        lines.append(f"{node:3d} {x} {y} {d} {q} {e} {late}")
    Path(path).write_text("\n".join(lines) + "\n", encoding="ascii")


def _number(value: float, decimals: int = 0) -> str:
    """``value`` with ``decimals`` decimals when that reads back exactly, else in full (``repr``)."""
    text = f"{value:.{decimals}f}"
    return text if float(text) == value else repr(float(value))


def raw_line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_bks(path: Path | str) -> dict[str, float]:
    """Best known (here: proven optimal) costs by instance name from ``bks.csv``."""
    with open(path, newline="") as fh:
        return {row["instance"]: float(row["bks"]) for row in csv.DictReader(fh)}


def solution_to_node_routes(instance: Instance, solution: Solution) -> list[list[tuple[int, float]]]:
    """Routes as ``[[node_id, service_start], ...]`` with the file's node ids (0 ... 2n+1, and a further depot's).

    For an instance read by :func:`read_cordeau` the location of a stop is its node id.
    Unused vehicles are left out.
    """
    out = []
    for route in solution.routes:
        if not any(s.kind is StopKind.PICKUP for s in route.stops):
            continue
        out.append([(int(s.location), float(s.service_start)) for s in route.stops])
    return out
