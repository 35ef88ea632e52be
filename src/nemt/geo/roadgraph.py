"""Road-network distances over OpenStreetMap data, in process: a road graph built once from an OSM extract
(``.osm.pbf`` or ``.osm`` XML, read with pyosmium), saved as one ``.npz`` file, and searched with
``scipy.sparse.csgraph.dijkstra``. Miles are the shortest route (the Colorado manual pays "the shortest trip
length in miles"); minutes are the quickest route, with speeds by highway type.

Why this and not pgRouting or OSRM: docs/geo.md, "Road network engine".
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from nemt.geo.engines import CachedMatrixEngine, MatrixCache
from nemt.geo.errors import GeoError
from nemt.geo.points import EARTH_RADIUS_MILES, chord_to_miles, unit_vectors

if TYPE_CHECKING:
    import osmium

GRAPH_FORMAT_VERSION = 1

# Typical average speeds (mph) by OSM highway type, used when a way has no usable maxspeed tag. Below the
# usual limits on purpose: they are averages over a trip with junctions, for a van, not limits.
HIGHWAY_SPEED_MPH: dict[str, float] = {
    "motorway": 65, "motorway_link": 40,
    "trunk": 55, "trunk_link": 35,
    "primary": 45, "primary_link": 30,
    "secondary": 40, "secondary_link": 30,
    "tertiary": 35, "tertiary_link": 25,
    "unclassified": 30, "residential": 25, "road": 25,
    "living_street": 10, "service": 15,
}
# Ways a car may not use even though they carry one of the highway values above.
_NO_ACCESS = {"no", "private"}
# Highway types that are one-way unless tagged otherwise.
_ONEWAY_BY_DEFAULT = {"motorway", "motorway_link"}
# The leg from a point (a ZIP centroid, a door) to the nearest graph node is counted as a straight line
# driven at this speed: the map does not know the driveway.
ACCESS_SPEED_MPH = 15.0
DEFAULT_MAX_SNAP_MILES = 5.0
# Dijkstra returns one full row per source; this caps the rows held at once to about 256 MB.
_DIJKSTRA_BYTES_PER_CHUNK = 256 * 1024 * 1024

_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


def parse_maxspeed_mph(value: str | None) -> float | None:
    """OSM maxspeed ("55 mph", "80", "80 km/h") -> mph; None for "signals", "none", lists and the like."""
    if not value:
        return None
    match = _MAXSPEED.match(value)
    if not match:
        return None
    number, unit = float(match.group(1)), (match.group(2) or "km/h")  # OSM's default unit is km/h
    mph = number if unit == "mph" else number / 1.609344
    return mph if mph > 0 else None


def _oneway_direction(tags: dict[str, str], highway: str) -> int:
    """+1 only along the way's node order, -1 only against it, 0 both ways."""
    oneway = tags.get("oneway", "")
    if oneway in ("yes", "true", "1"):
        return 1
    if oneway == "-1":
        return -1
    if oneway in ("no", "false", "0"):
        return 0
    if highway in _ONEWAY_BY_DEFAULT or tags.get("junction") in ("roundabout", "circular"):
        return 1
    return 0


def _segment_miles(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Haversine miles between consecutive nodes of a way."""
    lat_r, lon_r = np.radians(lat), np.radians(lon)
    h = np.sin(np.diff(lat_r) / 2) ** 2 + np.cos(lat_r[:-1]) * np.cos(lat_r[1:]) * np.sin(np.diff(lon_r) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(h)))


@dataclass
class RoadGraph:
    """Junctions (and dead ends) of the drivable roads, and directed edges between them."""

    node_lat_lon: np.ndarray  # (n, 2) degrees
    edge_from: np.ndarray  # (e,) int32 node index
    edge_to: np.ndarray  # (e,) int32
    edge_miles: np.ndarray  # (e,) float64
    edge_minutes: np.ndarray  # (e,) float64
    meta: dict  # source file name, state, counts; informational

    @property
    def node_count(self) -> int:
        return len(self.node_lat_lon)

    @property
    def edge_count(self) -> int:
        return len(self.edge_from)

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for array in (self.node_lat_lon, self.edge_from, self.edge_to, self.edge_miles, self.edge_minutes):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:16]

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = dict(self.meta, format_version=GRAPH_FORMAT_VERSION)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, node_lat_lon=self.node_lat_lon, edge_from=self.edge_from, edge_to=self.edge_to,
                     edge_miles=self.edge_miles, edge_minutes=self.edge_minutes, meta=json.dumps(meta))
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> RoadGraph:
        path = Path(path)
        if not path.is_file():
            raise GeoError("map", f"road graph file {path} not found (build it with `nemt geo import-osm`)")
        with np.load(path) as stored:
            meta = json.loads(str(stored["meta"]))
            if meta.get("format_version") != GRAPH_FORMAT_VERSION:
                raise GeoError("map", f"{path} is graph format {meta.get('format_version')}, "
                                      f"this version reads {GRAPH_FORMAT_VERSION}: import the OSM file again")
            return cls(stored["node_lat_lon"], stored["edge_from"], stored["edge_to"],
                       stored["edge_miles"], stored["edge_minutes"], meta)


# One drivable way: node ids, latitudes, longitudes, speed (mph), direction (see _oneway_direction).
_Way = tuple[np.ndarray, np.ndarray, np.ndarray, float, int]
# Directed edges before the strongly connected part is kept: node lat/lon, from, to, miles, minutes.
_Edges = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def build_road_graph(osm_path: str | Path, state: str | None = None) -> RoadGraph:
    """Read the drivable roads of an OSM extract into a :class:`RoadGraph`.

    Ways are cut at every node shared with another way (a junction) and at their ends, so graph nodes are
    junctions and dead ends and an edge is the stretch of road between two of them. Only the largest
    strongly connected part is kept, so that every node can reach every other (islands of parking lots or
    gated streets would otherwise give "no route").
    """
    osm_path = Path(osm_path)
    if not osm_path.is_file():
        raise GeoError("map", f"OSM file {osm_path} not found")
    ways = _read_drivable_ways(osm_path)
    if not ways:
        raise GeoError("map", f"{osm_path.name} has no drivable roads")
    graph = _largest_strong_component(*_edges_between_junctions(ways))
    graph.meta = {
        "source": osm_path.name,
        "state": (state or "").upper(),
        "ways": len(ways),
        "nodes": graph.node_count,
        "edges": graph.edge_count,
    }
    return graph


def _read_drivable_ways(osm_path: Path) -> list[_Way]:
    """The ways of the extract a car may drive, in file order."""
    import osmium  # imported here: only the import needs it

    ways: list[_Way] = []
    try:
        reader = (osmium.FileProcessor(str(osm_path), osmium.osm.NODE | osmium.osm.WAY)
                  .with_locations()
                  .with_filter(osmium.filter.KeyFilter("highway")))
        for way in reader:
            if not isinstance(way, osmium.osm.Way):  # what `way.is_way()` tests, in a form mypy narrows on
                continue
            drivable = _drivable_way(way)
            if drivable is not None:
                ways.append(drivable)
    except RuntimeError as error:  # pyosmium reports unreadable files this way
        raise GeoError("map", f"cannot read {osm_path.name} as OSM data: {error}") from None
    return ways


def _drivable_way(way: osmium.osm.Way) -> _Way | None:
    """The way's located nodes, speed and direction; None for a way a car may not use (or too short)."""
    tags = dict(way.tags)
    highway = tags.get("highway", "")
    if highway not in HIGHWAY_SPEED_MPH or tags.get("area") == "yes":
        return None
    if tags.get("access") in _NO_ACCESS or tags.get("motor_vehicle") in _NO_ACCESS:
        return None
    nodes = [n for n in way.nodes if n.location.valid()]
    if len(nodes) < 2:
        return None
    refs = np.fromiter((n.ref for n in nodes), dtype=np.int64, count=len(nodes))
    lat = np.fromiter((n.location.lat for n in nodes), dtype=np.float64, count=len(nodes))
    lon = np.fromiter((n.location.lon for n in nodes), dtype=np.float64, count=len(nodes))
    mph = parse_maxspeed_mph(tags.get("maxspeed")) or HIGHWAY_SPEED_MPH[highway]
    return refs, lat, lon, mph, _oneway_direction(tags, highway)


def _edges_between_junctions(ways: list[_Way]) -> _Edges:
    """Cut every way at its junctions; the junctions' positions and the directed edges between them."""
    # A junction is a node used more than once over all ways (shared, or a loop), or the end of a way.
    all_refs = np.concatenate([refs for refs, *_ in ways])
    unique_refs, counts = np.unique(all_refs, return_counts=True)
    way_ends = np.array([refs[i] for refs, *_ in ways for i in (0, -1)], dtype=np.int64)
    junction_refs = np.union1d(unique_refs[counts > 1], way_ends)  # sorted: searchsorted gives the index
    junction_lat_lon = np.zeros((len(junction_refs), 2))
    # One vectorised membership test over all ways, then sliced per way.
    at_junction = np.isin(all_refs, junction_refs)
    way_start = np.concatenate(([0], np.cumsum([len(refs) for refs, *_ in ways])))

    edge_from: list[np.ndarray] = []
    edge_to: list[np.ndarray] = []
    edge_miles: list[np.ndarray] = []
    edge_mph: list[np.ndarray] = []
    for way_number, (refs, lat, lon, mph, direction) in enumerate(ways):
        cuts = np.flatnonzero(at_junction[way_start[way_number]:way_start[way_number + 1]])
        # Miles from the way's start to each node; an edge's length is the difference between two cuts.
        along = np.concatenate(([0.0], np.cumsum(_segment_miles(lat, lon))))
        index = np.searchsorted(junction_refs, refs[cuts])
        junction_lat_lon[index, 0], junction_lat_lon[index, 1] = lat[cuts], lon[cuts]
        length = np.diff(along[cuts])
        pairs = []
        if direction >= 0:  # along the way
            pairs.append((index[:-1], index[1:]))
        if direction <= 0:  # against it
            pairs.append((index[1:], index[:-1]))
        for start, end in pairs:
            edge_from.append(start)
            edge_to.append(end)
            edge_miles.append(length)
            edge_mph.append(np.full(len(length), mph))

    miles = np.concatenate(edge_miles)
    return (junction_lat_lon, np.concatenate(edge_from).astype(np.int64), np.concatenate(edge_to).astype(np.int64),
            miles, miles / np.concatenate(edge_mph) * 60.0)


def _largest_strong_component(lat_lon, frm, to, miles, minutes) -> RoadGraph:
    n = len(lat_lon)
    adjacency = csr_matrix((np.ones(len(frm)), (frm, to)), shape=(n, n))
    _, labels = connected_components(adjacency, directed=True, connection="strong")
    keep_label = np.bincount(labels).argmax()
    kept = labels == keep_label
    new_index = np.cumsum(kept) - 1
    edge_kept = kept[frm] & kept[to] & (frm != to)
    return RoadGraph(
        node_lat_lon=lat_lon[kept],
        edge_from=new_index[frm[edge_kept]].astype(np.int32),
        edge_to=new_index[to[edge_kept]].astype(np.int32),
        edge_miles=miles[edge_kept],
        edge_minutes=minutes[edge_kept],
        meta={},
    )


def _shortest_edge_csr(n: int, frm: np.ndarray, to: np.ndarray, weight: np.ndarray) -> csr_matrix:
    """Sparse adjacency with, for parallel edges, the smallest weight (csr_matrix would add them up)."""
    order = np.lexsort((weight, to, frm))
    frm, to, weight = frm[order], to[order], weight[order]
    first = np.ones(len(frm), dtype=bool)
    first[1:] = (frm[1:] != frm[:-1]) | (to[1:] != to[:-1])
    # csgraph reads an explicit 0 as "no edge" in some paths; a zero-length edge must stay an edge.
    weight = np.maximum(weight[first], 1e-9)
    return csr_matrix((weight, (frm[first], to[first])), shape=(n, n))


class RoadNetworkEngine(CachedMatrixEngine):
    """Shortest-route miles and quickest-route minutes on a :class:`RoadGraph`."""

    name = "road"

    def __init__(self, graph: RoadGraph, cache: MatrixCache | None = None,
                 max_snap_miles: float = DEFAULT_MAX_SNAP_MILES):
        super().__init__(cache)
        self.graph = graph
        self.max_snap_miles = max_snap_miles
        n = graph.node_count
        self._miles_graph = _shortest_edge_csr(n, graph.edge_from, graph.edge_to, graph.edge_miles)
        self._minutes_graph = _shortest_edge_csr(n, graph.edge_from, graph.edge_to, graph.edge_minutes)
        # Edges reversed: one search from a destination gives the distances from every node to it.
        self._miles_graph_reversed = self._miles_graph.T.tocsr()
        self._minutes_graph_reversed = self._minutes_graph.T.tocsr()
        self._node_tree = cKDTree(unit_vectors(graph.node_lat_lon))
        self._fingerprint = graph.fingerprint()

    @classmethod
    def from_file(cls, path: str | Path, cache: MatrixCache | None = None) -> RoadNetworkEngine:
        return cls(RoadGraph.load(path), cache)

    def cache_key(self) -> str:
        return f"{self.name}:{self._fingerprint}:{self.max_snap_miles}"

    def snap(self, lat_lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest graph node of each point and the straight miles to it. A point farther than
        ``max_snap_miles`` from any road of the map is a GeoError (it is off the map)."""
        chord, node = self._node_tree.query(unit_vectors(lat_lon))
        miles = chord_to_miles(chord)
        too_far = np.flatnonzero(miles > self.max_snap_miles)
        if len(too_far):
            i = int(too_far[0])
            raise GeoError("point", f"{lat_lon[i, 0]:.6f},{lat_lon[i, 1]:.6f} is {miles[i]:.1f} miles from the "
                                    f"nearest road of the loaded map (limit {self.max_snap_miles:g})")
        return node.astype(np.int64), miles

    def _rectangle(self, origins: np.ndarray, destinations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        origin_nodes, origin_access = self.snap(origins)
        destination_nodes, destination_access = self.snap(destinations)
        # One Dijkstra search per distinct node on the smaller side: from each origin over the roads, or
        # from each destination over the reversed roads (a few new stops against a whole day of them).
        if len(np.unique(destination_nodes)) < len(np.unique(origin_nodes)):
            path_miles = self._node_distances(self._miles_graph_reversed, destination_nodes, origin_nodes).T
            path_minutes = self._node_distances(self._minutes_graph_reversed, destination_nodes, origin_nodes).T
        else:
            path_miles = self._node_distances(self._miles_graph, origin_nodes, destination_nodes)
            path_minutes = self._node_distances(self._minutes_graph, origin_nodes, destination_nodes)
        if not np.isfinite(path_miles).all():  # cannot happen on one strong component; kept as a guard
            i, j = np.argwhere(~np.isfinite(path_miles))[0]
            raise GeoError("points", f"no road route from {origins[i, 0]:.6f},{origins[i, 1]:.6f} "
                                     f"to {destinations[j, 0]:.6f},{destinations[j, 1]:.6f} in the loaded map")
        access = origin_access[:, None] + destination_access[None, :]
        return path_miles + access, path_minutes + access / ACCESS_SPEED_MPH * 60.0

    def _node_distances(self, graph: csr_matrix, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Shortest distances between graph nodes, (len(sources), len(targets)). Each distinct source node
        is searched once, in chunks so that the full rows Dijkstra returns stay within memory."""
        distinct_sources, source_row = np.unique(sources, return_inverse=True)
        result = np.empty((len(distinct_sources), len(targets)))
        chunk = max(1, _DIJKSTRA_BYTES_PER_CHUNK // (8 * graph.shape[0]))
        for start in range(0, len(distinct_sources), chunk):
            rows = dijkstra(graph, directed=True, indices=distinct_sources[start:start + chunk])
            result[start:start + chunk] = rows[:, targets]
        return result[source_row]
