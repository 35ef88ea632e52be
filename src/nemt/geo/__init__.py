"""Geography: where a ZIP or address is (offline), and how far and how long it is between places.

Lookups: :func:`point_of_zip`, :func:`county_of_zip`, :func:`state_of_zip`, :func:`timezone_of_zip`,
:func:`county_fips_of_zip`, :func:`lookup_zip`; addresses through a :class:`Geocoder` (default
:class:`ZipCentroidGeocoder`).

Distances: a :class:`DistanceEngine` gives ``route(a, b) -> Route(miles, minutes, engine)``,
``one_to_many`` and a cached N x N ``matrix(points) -> (miles, minutes)``. Two engines:
:class:`EstimatorEngine` (no data, the default) and :class:`RoadNetworkEngine` (a road graph imported from
OpenStreetMap with ``nemt geo import-osm``). :func:`default_engine` picks one; :func:`closest` ranks
candidates by road miles. Every bad input is a :class:`GeoError` with ``field`` and ``reason``.
"""

from nemt.geo.closest import RankedCandidate, closest
from nemt.geo.engine_choice import default_engine, default_graph_path, resolve_location, road_engine
from nemt.geo.engines import CachedMatrixEngine, DistanceEngine, MatrixCache, Route
from nemt.geo.errors import GeoError
from nemt.geo.estimator import EstimatorEngine, EstimatorParameters
from nemt.geo.geocoder import Address, GeocodedPlace, Geocoder, ZipCentroidGeocoder
from nemt.geo.points import Point, great_circle_miles, parse_point
from nemt.geo.zips import (
    ZipRecord,
    county_fips_of_zip,
    county_of_zip,
    lookup_zip,
    normalize_zip,
    point_of_zip,
    state_of_zip,
    timezone_of_zip,
)


def __getattr__(name: str):
    # The road engine pulls in scipy.sparse and cKDTree; load it only when asked for.
    if name in ("RoadNetworkEngine", "RoadGraph", "build_road_graph"):
        from nemt.geo import roadgraph

        return getattr(roadgraph, name)
    raise AttributeError(f"module 'nemt.geo' has no attribute {name!r}")


__all__ = [
    "Address", "CachedMatrixEngine", "DistanceEngine", "EstimatorEngine", "EstimatorParameters",
    "GeoError", "GeocodedPlace", "Geocoder", "MatrixCache", "Point", "RankedCandidate", "RoadGraph",
    "RoadNetworkEngine", "Route", "ZipCentroidGeocoder", "ZipRecord", "build_road_graph", "closest",
    "county_fips_of_zip", "county_of_zip", "default_engine", "default_graph_path", "great_circle_miles",
    "lookup_zip", "normalize_zip", "parse_point", "point_of_zip", "resolve_location", "road_engine",
    "state_of_zip", "timezone_of_zip",
]
