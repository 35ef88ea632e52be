"""Which distance engine to use, and turning user text ("80203" or "39.7,-104.9") into a point."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from nemt.geo.engines import DistanceEngine
from nemt.geo.errors import GeoError
from nemt.geo.estimator import EstimatorEngine
from nemt.geo.points import Point, parse_point
from nemt.geo.zips import lookup_zip
from nemt.settings import get_settings

# Set to a graph file made by `nemt geo import-osm` to make the road engine the default (read by nemt.settings).
ROAD_GRAPH_ENV = "NEMT_ROAD_GRAPH"
# Where `nemt geo import-osm` writes graphs unless told otherwise.
GRAPH_DIR_ENV = "NEMT_GEO_DIR"


def graph_dir() -> Path:
    return get_settings().geo_dir or Path.home() / ".cache" / "nemt" / "geo"


def default_graph_path(state: str) -> Path:
    return graph_dir() / f"roads-{state.upper()}.npz"


def road_engine(path: str | Path):
    """The road engine over a graph file (loaded once per path and process)."""
    return _road_engine(str(Path(path).resolve()))


@lru_cache(maxsize=4)
def _road_engine(path: str):
    from nemt.geo.roadgraph import RoadNetworkEngine

    return RoadNetworkEngine.from_file(path)


@lru_cache(maxsize=1)
def _estimator() -> EstimatorEngine:
    return EstimatorEngine()


def default_engine() -> DistanceEngine:
    """The road engine when ``NEMT_ROAD_GRAPH`` names a graph file, otherwise the estimator. One instance
    per process, so its matrix cache is shared."""
    path = get_settings().road_graph
    return road_engine(path) if path else _estimator()


_LOOKS_LIKE_ZIP = re.compile(r"^\s*\d{5}(-?\d{4})?\s*$")


def resolve_location(text: str, field: str = "location") -> Point:
    """A ZIP code (its centroid) or "lat,lon" -> Point; anything else is a GeoError naming ``field``."""
    if _LOOKS_LIKE_ZIP.match(text or ""):
        return lookup_zip(text, field).point
    if "," in (text or ""):
        return parse_point(text, field)
    raise GeoError(field, f"{text!r} is neither a ZIP code nor 'lat,lon'")
