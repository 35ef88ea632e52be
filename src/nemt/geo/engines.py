"""The distance interface: :class:`Route`, the :class:`DistanceEngine` protocol, and the matrix cache that
every engine shares through :class:`CachedMatrixEngine`."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from nemt.geo.errors import GeoError
from nemt.geo.points import Point, as_lat_lon_array


@dataclass(frozen=True, slots=True)
class Route:
    # Shortest-route miles, unrounded: billing rounds them per the program's rule and keeps this figure.
    miles: float
    # Quickest-route minutes. On the road engine this can be another path than the shortest one.
    minutes: float
    engine: str  # which engine produced it: "estimator" or "road"


@runtime_checkable
class DistanceEngine(Protocol):
    name: str

    def route(self, a: Point, b: Point) -> Route:
        """Distance and drive time from ``a`` to ``b``."""
        ...

    def one_to_many(self, origin: Point, destinations: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """(miles, minutes), each of shape (len(destinations),), from ``origin`` to every destination."""
        ...

    def matrix(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """(miles, minutes), each N x N float64, ``[i, j]`` from point i to point j, zero diagonal.
        The arrays are cached and read-only: copy them to change them."""
        ...


class MatrixCache:
    """Matrices by engine and point set: the most recent ``max_entries`` in memory, and, when ``directory``
    is given, every one as an ``.npz`` file there (safe to delete at any time)."""

    def __init__(self, max_entries: int = 8, directory: str | Path | None = None):
        self.max_entries = max_entries
        self.directory = Path(directory) if directory else None
        self._memory: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        # For reuse by a point set that overlaps a cached one: key -> (engine key, rounded lat/lon).
        self._points_of: dict[str, tuple[str, np.ndarray]] = {}
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(engine_key: str, lat_lon: np.ndarray) -> str:
        # Rounded to 1e-6 degree (about 10 cm) so that the same place parsed twice gives the same key.
        coords = np.round(lat_lon, 6).astype(np.float64).tobytes()
        return hashlib.sha256(engine_key.encode() + b"\0" + coords).hexdigest()

    def get(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        if key in self._memory:
            self._memory.move_to_end(key)
            self.hits += 1
            return self._memory[key]
        if self.directory is not None:
            path = self.directory / f"{key}.npz"
            if path.exists():
                with np.load(path) as stored:
                    entry = _read_only(stored["miles"], stored["minutes"])
                self._remember(key, entry)
                self.hits += 1
                return entry
        self.misses += 1
        return None

    def put(self, key: str, miles: np.ndarray, minutes: np.ndarray,
            engine_key: str = "", lat_lon: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        entry = _read_only(miles, minutes)
        self._remember(key, entry)
        if lat_lon is not None:
            self._points_of[key] = (engine_key, np.round(lat_lon, 6))
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                np.savez(handle, miles=entry[0], minutes=entry[1])
            os.replace(tmp, self.directory / f"{key}.npz")
        return entry

    def clear(self) -> None:
        self._memory.clear()
        self._points_of.clear()

    def largest_overlap(self, engine_key: str, lat_lon: np.ndarray):
        """The in-memory matrix of this engine sharing the most points with ``lat_lon``, as
        (rounded lat/lon of its points, miles, minutes), or None."""
        wanted = {tuple(row) for row in np.round(lat_lon, 6).tolist()}
        best, best_shared = None, 0
        for key, (entry_engine, points) in self._points_of.items():
            if entry_engine != engine_key or key not in self._memory:
                continue
            shared = sum(1 for row in points.tolist() if tuple(row) in wanted)
            if shared > best_shared:
                best, best_shared = (points, *self._memory[key]), shared
        return best

    def _remember(self, key: str, entry: tuple[np.ndarray, np.ndarray]) -> None:
        self._memory[key] = entry
        self._memory.move_to_end(key)
        while len(self._memory) > self.max_entries:
            dropped, _ = self._memory.popitem(last=False)
            self._points_of.pop(dropped, None)


def _read_only(miles: np.ndarray, minutes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    miles = np.array(miles, dtype=np.float64)
    minutes = np.array(minutes, dtype=np.float64)
    miles.setflags(write=False)
    minutes.setflags(write=False)
    return miles, minutes


class CachedMatrixEngine:
    """Base of the engines: a subclass computes one rectangle of the matrix, origins x destinations, in
    :meth:`_rectangle`; this class turns that into ``route``, ``one_to_many`` and the cached ``matrix``."""

    name = "abstract"

    def __init__(self, cache: MatrixCache | None = None):
        self.cache = cache if cache is not None else MatrixCache()

    # Subclasses: (n, 2) and (m, 2) arrays of lat/lon degrees -> (miles, minutes), each (n, m).
    def _rectangle(self, origins: np.ndarray, destinations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    # Subclasses: a string that changes whenever the engine's answers would (parameters, map file).
    def cache_key(self) -> str:
        return self.name

    def route(self, a: Point, b: Point) -> Route:
        # Computed even when a == b, so that a point off the map is an error, not a zero trip.
        miles, minutes = self._rectangle(as_lat_lon_array([a]), as_lat_lon_array([b]))
        if a == b:
            return Route(0.0, 0.0, self.name)
        return Route(float(miles[0, 0]), float(minutes[0, 0]), self.name)

    def one_to_many(self, origin: Point, destinations: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        if not destinations:
            return np.zeros(0), np.zeros(0)
        miles, minutes = self._rectangle(as_lat_lon_array([origin]), as_lat_lon_array(destinations))
        same = np.array([d == origin for d in destinations])
        miles, minutes = miles[0].copy(), minutes[0].copy()
        miles[same] = 0.0
        minutes[same] = 0.0
        return miles, minutes

    def matrix(self, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        if not all(isinstance(p, Point) for p in points):
            raise GeoError("points", "every item must be a Point")
        lat_lon = as_lat_lon_array(points)
        key = MatrixCache.key(self.cache_key(), lat_lon)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if len(points) == 0:
            return self.cache.put(key, np.zeros((0, 0)), np.zeros((0, 0)))
        miles, minutes = self._matrix_reusing_cache(lat_lon)
        # A trip to the same place is zero (the diagonal, and repeated points), even when the engine adds
        # access legs to and from the road.
        rounded = np.round(lat_lon, 6)
        same_place = (rounded[:, None, :] == rounded[None, :, :]).all(axis=2)
        miles[same_place] = 0.0
        minutes[same_place] = 0.0
        return self.cache.put(key, miles, minutes, self.cache_key(), lat_lon)

    def _matrix_reusing_cache(self, lat_lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """N x N, copying every entry between points of a cached matrix and computing only the rows and
        columns of the new points: adding a stop to a scheduled day costs one row and one column."""
        previous = self.cache.largest_overlap(self.cache_key(), lat_lon)
        if previous is None:
            return self._rectangle(lat_lon, lat_lon)
        old_points, old_miles, old_minutes = previous
        old_index = {tuple(row): i for i, row in enumerate(old_points.tolist())}
        found = [old_index.get(tuple(row), -1) for row in np.round(lat_lon, 6).tolist()]
        known = np.array([i for i, f in enumerate(found) if f >= 0], dtype=np.int64)
        new = np.array([i for i, f in enumerate(found) if f < 0], dtype=np.int64)
        if len(known) < len(lat_lon) // 2:  # too little to gain
            return self._rectangle(lat_lon, lat_lon)
        source = np.array([found[i] for i in known], dtype=np.int64)
        miles = np.empty((len(lat_lon), len(lat_lon)))
        minutes = np.empty_like(miles)
        miles[np.ix_(known, known)] = old_miles[np.ix_(source, source)]
        minutes[np.ix_(known, known)] = old_minutes[np.ix_(source, source)]
        if len(new):
            miles[new, :], minutes[new, :] = self._rectangle(lat_lon[new], lat_lon)
            miles[:, new], minutes[:, new] = self._rectangle(lat_lon, lat_lon[new])
        return miles, minutes
