"""Points on the earth and great-circle distances (scalar and vectorised)."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nemt.geo.errors import GeoError

EARTH_RADIUS_MILES = 3958.8  # mean radius (IUGG)


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS 84 position in decimal degrees. Built only through validation, so a Point is always usable."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        for name, value, limit in (("lat", self.lat, 90.0), ("lon", self.lon, 180.0)):
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
                raise GeoError("point", f"{name} must be a finite number, got {value!r}")
            if abs(value) > limit:
                raise GeoError("point", f"{name} {value} is outside -{limit:g}..{limit:g}")
        object.__setattr__(self, "lat", float(self.lat))
        object.__setattr__(self, "lon", float(self.lon))

    def __str__(self) -> str:
        return f"{self.lat:.6f},{self.lon:.6f}"


_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_LAT_LON = re.compile(rf"^\s*({_NUMBER})\s*,\s*({_NUMBER})\s*$")


def parse_point(text: str, field: str = "point") -> Point:
    """``"39.7392,-104.9903"`` -> Point. Latitude first, as on most maps; anything else is a GeoError."""
    match = _LAT_LON.match(text or "")
    if not match:
        raise GeoError(field, f"{text!r} is not 'lat,lon' in decimal degrees (e.g. '39.7392,-104.9903')")
    try:
        return Point(float(match.group(1)), float(match.group(2)))
    except GeoError as error:
        raise GeoError(field, f"{text!r}: {error.reason}") from None


def great_circle_miles(a: Point, b: Point) -> float:
    """Haversine distance in miles between two points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def as_lat_lon_array(points: Sequence[Point]) -> np.ndarray:
    """Points -> float array of shape (n, 2), columns lat and lon in degrees."""
    return np.array([(p.lat, p.lon) for p in points], dtype=np.float64).reshape(len(points), 2)


def great_circle_matrix(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """Haversine miles between every row of ``origins`` (n, 2) and of ``destinations`` (m, 2): shape (n, m)."""
    lat1 = np.radians(origins[:, 0])[:, None]
    lon1 = np.radians(origins[:, 1])[:, None]
    lat2 = np.radians(destinations[:, 0])[None, :]
    lon2 = np.radians(destinations[:, 1])[None, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def unit_vectors(lat_lon: np.ndarray) -> np.ndarray:
    """(n, 2) degrees -> (n, 3) points on the unit sphere. Straight-line (chord) nearest neighbours among
    these are the great-circle nearest neighbours, so a k-d tree over them snaps correctly at any latitude."""
    lat = np.radians(lat_lon[:, 0])
    lon = np.radians(lat_lon[:, 1])
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def chord_to_miles(chord: np.ndarray) -> np.ndarray:
    """Unit-sphere chord length -> great-circle miles."""
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.asarray(chord) / 2))
