"""Reader for the Cordeau (2006) / Ropke et al. (2007) "a/b" DARP benchmark format.

See ``shared/data/darp/FORMAT.md``. Line 1 is ``K n T Q L``; then 2n+2 lines ``id x y d q e l``.
Node 0 is the origin depot, nodes 1..n the pickups, node n+i the delivery of request i, node 2n+1
the destination depot. Travel time = cost = Euclidean distance in double precision.

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
    lines = _read_lines(path)
    header = _read_header(path, lines[0])
    expected = 2 * header.requests + 2
    if len(lines) - 1 < expected:
        raise InstanceFormatError(
            path, len(lines) + 1, f"expected {expected} node lines after the header, found {len(lines) - 1}"
        )
    if len(lines) - 1 > expected:
        raise InstanceFormatError(path, expected + 2, f"unexpected extra line after the {expected} node lines")
    nodes = _read_nodes(path, lines[1:])
    _check_loads(path, nodes.load, header.requests)
    diff = nodes.xy[:, None, :] - nodes.xy[None, :, :]
    distance = np.sqrt((diff**2).sum(axis=2))
    return Instance(
        name=name or path.stem,
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
    k, n, t_max, q_cap, l_ride = _numbers(path, 1, text, 5, "header 'K n T Q L'")
    header = CordeauHeader(
        vehicles=_integer(path, 1, k, "K"),
        requests=_integer(path, 1, n, "n"),
        max_route_duration=t_max,
        capacity=_integer(path, 1, q_cap, "Q"),
        max_ride_time=l_ride,
    )
    if header.vehicles < 1 or header.requests < 1:
        raise InstanceFormatError(path, 1, "K and n must be positive")
    return header


@dataclass(frozen=True)
class _Nodes:
    """The node lines' columns, indexed by node id."""

    xy: npt.NDArray[np.float64]
    service: npt.NDArray[np.float64]
    load: npt.NDArray[np.int64]
    window: npt.NDArray[np.float64]


def _read_nodes(path: Path, node_lines: list[str]) -> _Nodes:
    """Parse the node lines ``id x y d q e l`` (the file's line 2 onwards)."""
    count = len(node_lines)
    nodes = _Nodes(np.zeros((count, 2)), np.zeros(count), np.zeros(count, dtype=np.int64), np.zeros((count, 2)))
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


def _check_loads(path: Path, load: npt.NDArray[np.int64], n: int) -> None:
    """Deliveries carry minus their pickup's load, pickups a non-negative one, depots none."""
    for i in range(1, n + 1):
        if load[n + i] != -load[i]:
            raise InstanceFormatError(
                path, n + i + 2, f"delivery load {load[n + i]} is not minus the pickup load {load[i]} of node {i}"
            )
        if load[i] < 0:
            raise InstanceFormatError(path, i + 2, f"pickup load {load[i]} is negative")
    for depot in (0, 2 * n + 1):
        if load[depot] != 0:
            raise InstanceFormatError(path, depot + 2, "depot load must be 0")


def _requests(header: CordeauHeader, nodes: _Nodes) -> list[Request]:
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


def _vehicles(header: CordeauHeader, nodes: _Nodes) -> list[Vehicle]:
    end = 2 * header.requests + 1
    shift = TimeWindow(float(nodes.window[0, 0]), float(nodes.window[end, 1]))
    return [
        Vehicle(
            id=str(v),
            start_location=0,
            end_location=end,
            shift=shift,
            capacity=(header.capacity,),
            max_route_duration=header.max_route_duration,
        )
        for v in range(header.vehicles)
    ]


def raw_line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_bks(path: Path | str) -> dict[str, float]:
    """Best known (here: proven optimal) costs by instance name from ``bks.csv``."""
    with open(path, newline="") as fh:
        return {row["instance"]: float(row["bks"]) for row in csv.DictReader(fh)}


def solution_to_node_routes(instance: Instance, solution: Solution) -> list[list[tuple[int, float]]]:
    """Routes as ``[[node_id, service_start], ...]`` with the file's node ids (0 ... 2n+1).

    For an instance read by :func:`read_cordeau` the location of a stop is its node id.
    Unused vehicles are left out.
    """
    out = []
    for route in solution.routes:
        if not any(s.kind is StopKind.PICKUP for s in route.stops):
            continue
        out.append([(int(s.location), float(s.service_start)) for s in route.stops])
    return out
