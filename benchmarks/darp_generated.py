"""Larger dial-a-ride instances, generated from a seed like the public a/b sets, with several depots.

What is kept from the public sets (``benchmarks/data/darp/FORMAT.md``, and read off the 48 files): coordinates
uniform in [-10, 10]² (three decimals), Euclidean travel time and cost, the first depot at (0, 0), the "a" set's
capacity 3, load 1, service 3 and ride time 30, the "b" set's capacity 6, load 1-6, service equal to the load and
ride time 45; the first half of the requests outbound (window on the delivery, [0, 1440] on the pickup), the second
half inbound (window on the pickup, [0, 1440] on the delivery); the horizon T is the longest route too. In the 48
files an outbound window ends in [60, T] and an inbound window starts in [0, T - 60]; the same ranges are used here.

What changes: more requests (any number; the benchmark's classes are 100, 200, 400, 800), window widths "tight"
(10 minutes) or "wide" (30-60 minutes, drawn per request), a fixed horizon T = 720 (the largest of the public sets)
with one vehicle per 12 requests (T / 60 requests a vehicle, as in the public sets), and several depots: depot 1
at (0, 0), the others uniform in the square, the vehicles shared out between them as evenly as possible. Every
window is drawn within the times at which a vehicle of any depot could serve that request alone, so no request is
impossible by construction. The multi-depot files use the extension of the format described in
``docs/generated-instances.md`` (``nemt.scheduling.cordeau``).

Generation depends only on the parameters and the seed (numpy's seeded generator), never on the date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from nemt.scheduling.cordeau import CordeauHeader, CordeauNodes, cordeau_instance, euclidean, write_cordeau
from nemt.scheduling.model import Instance

#: The horizon (and longest route) of every generated instance: 12 hours, the largest of the public sets.
HORIZON = 720
#: "Unconstrained" window end, as in the public files.
OPEN = 1440
#: Window width in minutes: a fixed width, or the range a width is drawn from per request.
WINDOWS: dict[str, tuple[int, int]] = {"tight": (10, 10), "wide": (30, 60)}
#: capacity Q, ride time L, and the load range of a request; service = 3 ("a") or the load ("b").
SETS: dict[str, tuple[int, int, tuple[int, int]]] = {"a": (3, 30, (1, 1)), "b": (6, 45, (1, 6))}
#: Requests a vehicle, as T / 60 in the public sets at T = 720.
REQUESTS_PER_VEHICLE = 12


def default_depots(requests: int) -> int:
    """Two depots at 100 requests and one more each time the requests double (3 at 200, 4 at 400, 5 at 800)."""
    return max(1, 1 + round(math.log2(max(requests, 1) / 50)))


def default_vehicles(requests: int, depots: int) -> int:
    """One vehicle per 12 requests, at least one per depot."""
    return max(depots, math.ceil(requests / REQUESTS_PER_VEHICLE))


@dataclass(frozen=True)
class Spec:
    """What one generated instance is: its size, set, windows, depots, vehicles and seed."""

    requests: int
    kind: str = "a"  # "a" or "b"
    windows: str = "tight"  # "tight" or "wide"
    depots: int = 0  # 0: default_depots(requests)
    vehicles: int = 0  # 0: default_vehicles(requests, depots)
    seed: int = 1

    def __post_init__(self) -> None:
        if self.requests < 2:
            raise ValueError(f"requests must be at least 2, not {self.requests}")
        if self.kind not in SETS:
            raise ValueError(f"unknown set {self.kind!r}; use one of {', '.join(SETS)}")
        if self.windows not in WINDOWS:
            raise ValueError(f"unknown windows {self.windows!r}; use one of {', '.join(WINDOWS)}")
        depots = self.depots or default_depots(self.requests)
        object.__setattr__(self, "depots", depots)
        object.__setattr__(self, "vehicles", self.vehicles or default_vehicles(self.requests, depots))
        if self.vehicles < self.depots:
            raise ValueError(f"{self.vehicles} vehicles cannot cover {self.depots} depots")

    @property
    def name(self) -> str:
        return f"g{self.kind}{self.requests}-{self.windows}-d{self.depots}-s{self.seed}"


def generate(spec: Spec) -> tuple[CordeauHeader, CordeauNodes]:
    """The header and node columns of the instance ``spec`` describes (write them with :func:`write_cordeau`)."""
    n, depots = spec.requests, spec.depots
    capacity, ride, (q_low, q_high) = SETS[spec.kind]
    w_low, w_high = WINDOWS[spec.windows]
    rng = np.random.default_rng([spec.seed, n, depots, spec.vehicles, list(SETS).index(spec.kind),
                                 list(WINDOWS).index(spec.windows)])
    share = [spec.vehicles // depots + (d < spec.vehicles % depots) for d in range(depots)]
    header = CordeauHeader(spec.vehicles, n, float(HORIZON), capacity, float(ride),
                           tuple(share) if depots > 1 else ())
    count = header.node_count
    xy = rng.integers(-10_000, 10_001, size=(count, 2)) / 1000.0  # a 0.001 grid, written exactly
    load = np.zeros(count, dtype=np.int64)
    load[1:n + 1] = rng.integers(q_low, q_high + 1, size=n)
    load[n + 1:2 * n + 1] = -load[1:n + 1]
    service = np.zeros(count)
    service[1:2 * n + 1] = 3.0 if spec.kind == "a" else np.abs(load[1:2 * n + 1])
    window = np.tile([0.0, float(OPEN)], (count, 1))
    depot_nodes = [header.depot_nodes(d) for d in range(depots)]
    for start, end in depot_nodes:
        xy[end] = xy[start]
        window[start] = window[end] = (0.0, float(HORIZON))
    xy[0] = xy[2 * n + 1] = (0.0, 0.0)
    widths = rng.integers(w_low, w_high + 1, size=n)
    _draw_windows(rng, euclidean(xy), service, window, widths, n, [s for s, _ in depot_nodes])
    return header, CordeauNodes(xy, service, load, window)


def _draw_windows(rng: np.random.Generator, t: npt.NDArray[np.float64], service: npt.NDArray[np.float64],
                  window: npt.NDArray[np.float64], widths: npt.NDArray[np.int64], n: int, depots: list[int]) -> None:
    """Each request's window, drawn within the times a vehicle of any depot could serve it alone."""
    for i in range(1, n + 1):
        p, q, w = i, n + i, int(widths[i - 1])
        to_p, from_q = float(t[depots, p].max()), float(t[q, depots].max())
        if i <= n // 2:  # outbound: the window [l - w, l] on the delivery must meet the feasible times
            earliest = to_p + service[p] + t[p, q]
            latest = HORIZON - service[q] - from_q
            end = int(rng.integers(max(60, math.ceil(earliest)), min(HORIZON, math.floor(latest + w)) + 1))
            window[q] = (end - w, end)
        else:  # inbound: the window [e, e + w] on the pickup
            latest = HORIZON - service[p] - t[p, q] - service[q] - from_q
            begin = int(rng.integers(max(0, math.ceil(to_p - w)), min(HORIZON - 60, math.floor(latest)) + 1))
            window[p] = (begin, begin + w)


def generated_instance(spec: Spec) -> Instance:
    """The instance of ``spec`` as the solver takes it (what reading its written file gives)."""
    return cordeau_instance(spec.name, *generate(spec))


def write_generated(spec: Spec, folder: Path) -> Path:
    """Write the instance of ``spec`` to ``folder/NAME.txt``; returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{spec.name}.txt"
    write_cordeau(path, *generate(spec))
    return path


def class_specs(sizes: list[int], per_class: int, seed: int, sets: list[str], windows: list[str],
                depots: int = 0) -> list[Spec]:
    """``per_class`` instances of each size: instance j has seed ``seed + j`` and cycles through the sets first,
    then the window widths (with a, b and tight, wide: a-tight, b-tight, a-wide, b-wide, a-tight, ...)."""
    if not sizes or not sets or not windows:
        raise ValueError("give at least one size, one set and one window width")
    return [
        Spec(size, sets[j % len(sets)], windows[(j // len(sets)) % len(windows)], depots, 0, seed + j)
        for size in sizes for j in range(per_class)
    ]
