"""County outlines and the map projection of the dispatch board's map, offline.

The outlines are package data (``data/counties.json``, built by ``tools/build_map_outlines.py`` from the ``us-atlas``
package: the Census Bureau's cartographic county boundaries, 2017, 1:10,000,000; see ``data/PROVENANCE.md``): the 64
Colorado and 8 Connecticut counties as longitude/latitude rings. Nothing is fetched: no tiles, no files from the
internet. The repository carries no road data, so the map has no roads (a road graph imported from OpenStreetMap is an
operator's file; see docs/geo.md).

:class:`Projection` is the one projection of a program's map: equirectangular, x scaled by the cosine of the middle
latitude (true to scale along that parallel: a county-sized area in Colorado or Connecticut is drawn within a fraction
of a percent of its shape), fitted to a box of points. Outlines, stops and vehicles all go through it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class County:
    fips: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat) rings, outer and holes

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north)."""
        lons = [p[0] for r in self.rings for p in r]
        lats = [p[1] for r in self.rings for p in r]
        return min(lons), min(lats), max(lons), max(lats)


@cache
def _data() -> dict[str, list[dict[str, object]]]:
    text = resources.files("nemt.geo").joinpath("data/counties.json").read_text(encoding="utf-8")
    states: dict[str, list[dict[str, object]]] = json.loads(text)["states"]
    return states


@cache
def county_outlines(state: str) -> tuple[County, ...]:
    """The counties of ``state`` (postal code, e.g. "CO"); none for a state the package carries no outlines of."""
    out = []
    for c in _data().get(state.upper(), []):
        rings = c["rings"]
        assert isinstance(rings, list)
        out.append(County(str(c["fips"]), str(c["name"]),
                          tuple(tuple((float(p[0]), float(p[1])) for p in r) for r in rings)))
    return tuple(out)


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to SVG x/y (pixels, y down) for a box ``west..east`` × ``south..north`` drawn ``width``
    wide with ``margin`` pixels around it."""

    west: float
    south: float
    east: float
    north: float
    width: int = 640
    margin: int = 20

    @property
    def k(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def scale(self) -> float:
        span = max((self.east - self.west) * self.k, 1e-6)
        return (self.width - 2 * self.margin) / span

    @property
    def height(self) -> int:
        return int((self.north - self.south) * self.scale) + 2 * self.margin

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (self.margin + (lon - self.west) * self.k * self.scale,
                self.margin + (self.north - lat) * self.scale)

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    def overlaps(self, bounds: tuple[float, float, float, float]) -> bool:
        west, south, east, north = bounds
        return west <= self.east and east >= self.west and south <= self.north and north >= self.south


def fit(points: list[tuple[float, float]], *, width: int = 640, max_height: int = 460, pad: float = 0.08,
        min_span: float = 0.05) -> Projection:
    """The projection that shows every (lat, lon) of ``points`` with a margin of ``pad`` of the larger span, at least
    ``min_span`` degrees across, widened so that the map is at most ``max_height`` pixels high."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    margin = max(min_span / 2, pad * max(north - south, east - west))
    south, north, west, east = south - margin, north + margin, west - margin, east + margin
    k = math.cos(math.radians((south + north) / 2))
    # Too tall for the box: widen east-west around the middle so the height fits.
    needed = (north - south) * (width - 40) / max(max_height - 40, 1) / k
    if east - west < needed:
        middle, half = (west + east) / 2, needed / 2
        west, east = middle - half, middle + half
    return Projection(west, south, east, north, width)


def ring_path(ring: tuple[tuple[float, float], ...], projection: Projection) -> str:
    """An SVG path (``M x y L ... Z``) of one ring."""
    parts = []
    for i, (lon, lat) in enumerate(ring):
        x, y = projection.xy(lat, lon)
        parts.append(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}")
    return "".join(parts) + "Z"


def label_point(county: County) -> tuple[float, float]:
    """Where a county's name goes: the middle of its largest ring's box, as (lat, lon)."""
    ring = max(county.rings, key=len)
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
