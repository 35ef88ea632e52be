"""`python -m benchmarks geo`: travel-time matrices for the scheduler, each timed beside a named baseline.

1. Estimator: N x N over random Colorado ZIP centroids; baseline: a plain-Python haversine loop (the
   straight-line part alone, one pair at a time).
2. Road engine: N x N over random points on a synthetic street grid (a stand-in for an imported OSM
   graph: real state extracts cannot be downloaded here); baseline: one Dijkstra search per pair (what a
   loop of single routes costs), timed on a sample of pairs and scaled to N x N. Also: the same matrix
   again (cached) and with one stop added (only its row and column are searched).
"""

from __future__ import annotations

import math
import random
import time

import numpy as np
from scipy.sparse.csgraph import dijkstra

from nemt.geo.engines import MatrixCache
from nemt.geo.estimator import EstimatorEngine
from nemt.geo.points import EARTH_RADIUS_MILES, Point
from nemt.geo.roadgraph import HIGHWAY_SPEED_MPH, RoadGraph, RoadNetworkEngine
from nemt.geo.zips import point_of_zip, zip_codes_of_state

# Grid streets a tenth of a mile apart (a town block), every tenth street an arterial (45 mph), every
# fiftieth a highway (65 mph), the rest residential: speeds vary, so quickest and shortest routes differ.
_BLOCK_DEGREES = 0.0015  # ~0.10 mile of latitude


def synthetic_grid_graph(side: int, seed: int = 7, origin: tuple[float, float] = (39.5, -105.2)) -> RoadGraph:
    """A side x side street grid with two-way streets and slightly jittered block lengths."""
    rng = np.random.default_rng(seed)
    rows, cols = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    lat = origin[0] + rows * _BLOCK_DEGREES + rng.uniform(-0.0002, 0.0002, rows.shape)
    lon = (
        origin[1]
        + cols * _BLOCK_DEGREES / math.cos(math.radians(origin[0]))
        + rng.uniform(-0.0002, 0.0002, rows.shape)
    )
    node_lat_lon = np.column_stack((lat.ravel(), lon.ravel()))
    index = np.arange(side * side).reshape(side, side)
    starts = np.concatenate((index[:, :-1].ravel(), index[:-1, :].ravel()))
    ends = np.concatenate((index[:, 1:].ravel(), index[1:, :].ravel()))
    # Street class by the row (east-west streets) or column (north-south streets) the edge runs along.
    line = np.concatenate((rows[:, :-1].ravel(), cols[:-1, :].ravel()))
    mph = np.where(line % 50 == 0, HIGHWAY_SPEED_MPH["motorway"],
                   np.where(line % 10 == 0, HIGHWAY_SPEED_MPH["primary"], HIGHWAY_SPEED_MPH["residential"]))
    a, b = node_lat_lon[starts], node_lat_lon[ends]
    miles = _haversine_rows(a, b)
    frm = np.concatenate((starts, ends)).astype(np.int32)
    to = np.concatenate((ends, starts)).astype(np.int32)
    miles2 = np.concatenate((miles, miles))
    minutes2 = miles2 / np.concatenate((mph, mph)) * 60.0
    return RoadGraph(node_lat_lon, frm, to, miles2, minutes2, {"source": f"synthetic grid {side}x{side}"})


def _haversine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(x) for x in (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(h))


def _python_haversine_matrix(points: list[Point]) -> list[list[float]]:
    """The baseline: the textbook loop, one pair at a time."""
    out = []
    for a in points:
        row = []
        for b in points:
            lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
            h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
            row.append(2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h)))
        out.append(row)
    return out


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def run_benchmark(points: int = 500, grid_side: int = 300, baseline_pairs: int = 100, seed: int = 1) -> dict:
    rng = random.Random(seed)
    zips = rng.sample(zip_codes_of_state("CO"), points)
    zip_points = [point_of_zip(z) for z in zips]

    estimator = EstimatorEngine(cache=MatrixCache())
    estimator_seconds, (miles, _) = _timed(estimator.matrix, zip_points)
    cached_seconds, _ = _timed(estimator.matrix, zip_points)
    loop_seconds, _ = _timed(_python_haversine_matrix, zip_points)

    build_seconds, graph = _timed(synthetic_grid_graph, grid_side)
    engine_seconds, road = _timed(RoadNetworkEngine, graph, MatrixCache())
    span = graph.node_lat_lon.max(axis=0) - graph.node_lat_lon.min(axis=0)
    low = graph.node_lat_lon.min(axis=0)
    grid_rng = np.random.default_rng(seed)
    grid_points = [Point(float(lat), float(lon)) for lat, lon in low + grid_rng.uniform(0.02, 0.98, (points, 2)) * span]
    road_seconds, (road_miles, road_minutes) = _timed(road.matrix, grid_points)
    road_cached_seconds, _ = _timed(road.matrix, grid_points)
    # A new request arrives: the same day plus one stop. Only its row and column are searched.
    extra_stop = Point(float(low[0] + 0.5 * span[0]), float(low[1] + 0.5 * span[1]))
    road_add_seconds, _ = _timed(road.matrix, grid_points + [extra_stop])

    # Baseline: a fresh Dijkstra search for each (origin, destination) pair, on a sample of pairs, over the
    # engine's own graphs (its private attributes, on purpose: the same data, only the method differs).
    nodes, _ = road.snap(np.array([(p.lat, p.lon) for p in grid_points]))
    pairs = [(rng.randrange(points), rng.randrange(points)) for _ in range(baseline_pairs)]
    start = time.perf_counter()
    for i, j in pairs:
        dijkstra(road._miles_graph, indices=int(nodes[i]))[nodes[j]]
        dijkstra(road._minutes_graph, indices=int(nodes[i]))[nodes[j]]
    per_pair = (time.perf_counter() - start) / baseline_pairs

    return {
        "points": points,
        "estimator": {
            "what": f"{points}x{points} miles+minutes over random Colorado ZIP centroids",
            "matrix_seconds": round(estimator_seconds, 4),
            "cached_matrix_seconds": round(cached_seconds, 6),
            "baseline": "plain-Python haversine loop (straight miles only)",
            "baseline_seconds": round(loop_seconds, 4),
            "speedup": round(loop_seconds / estimator_seconds, 1),
            "mean_miles": round(float(miles[~np.eye(points, dtype=bool)].mean()), 1),
        },
        "road": {
            "what": f"{points}x{points} shortest miles + quickest minutes on a synthetic grid",
            "graph_nodes": graph.node_count,
            "graph_edges": graph.edge_count,
            "graph_build_seconds": round(build_seconds, 3),
            "engine_setup_seconds": round(engine_seconds, 3),
            "matrix_seconds": round(road_seconds, 3),
            "cached_matrix_seconds": round(road_cached_seconds, 6),
            "add_one_stop_seconds": round(road_add_seconds, 3),
            "baseline": f"one scipy Dijkstra per pair (miles and minutes), {baseline_pairs} pairs timed, "
                        f"scaled to {points}x{points}",
            "baseline_seconds_per_pair": round(per_pair, 5),
            "baseline_seconds_estimated": round(per_pair * points * points, 1),
            "speedup": round(per_pair * points * points / road_seconds, 1),
            "mean_miles": round(float(road_miles[~np.eye(points, dtype=bool)].mean()), 2),
        },
    }
