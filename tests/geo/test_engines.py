"""The same interface tests for both engines."""

import numpy as np
import pytest

from nemt.geo import DistanceEngine, EstimatorEngine, MatrixCache, Route, closest
from nemt.geo.roadgraph import RoadNetworkEngine
from tests.geo.hand_map import point

# Places on two-way streets of the hand map (so both engines must give symmetric matrices there).
TWO_WAY_PLACES = ["A", "E", "F", "H", "S"]


@pytest.fixture(params=["estimator", "road"])
def engine(request, hand_graph_file) -> DistanceEngine:
    if request.param == "estimator":
        return EstimatorEngine(cache=MatrixCache())
    return RoadNetworkEngine.from_file(hand_graph_file, cache=MatrixCache())


def places():
    return [point(name) for name in TWO_WAY_PLACES]


def test_engine_satisfies_the_protocol(engine):
    assert isinstance(engine, DistanceEngine)


def test_route_between_two_places(engine):
    route = engine.route(point("A"), point("F"))
    assert isinstance(route, Route) and route.engine == engine.name
    assert route.miles > 0 and route.minutes > 0
    assert engine.route(point("A"), point("A")) == Route(0.0, 0.0, engine.name)


def test_matrix_shape_diagonal_symmetry(engine):
    miles, minutes = engine.matrix(places())
    n = len(TWO_WAY_PLACES)
    assert miles.shape == minutes.shape == (n, n) and miles.dtype == np.float64
    assert (np.diag(miles) == 0).all() and (np.diag(minutes) == 0).all()
    off_diagonal = ~np.eye(n, dtype=bool)
    assert (miles[off_diagonal] > 0).all() and (minutes[off_diagonal] > 0).all()
    np.testing.assert_allclose(miles, miles.T, rtol=1e-9)
    np.testing.assert_allclose(minutes, minutes.T, rtol=1e-9)


def test_matrix_agrees_with_route_and_one_to_many(engine):
    points = places()
    miles, minutes = engine.matrix(points)
    for i, a in enumerate(points):
        row_miles, row_minutes = engine.one_to_many(a, points)
        np.testing.assert_allclose(row_miles, miles[i], rtol=1e-9)
        np.testing.assert_allclose(row_minutes, minutes[i], rtol=1e-9)
        for j, b in enumerate(points):
            route = engine.route(a, b)
            assert route.miles == pytest.approx(miles[i, j], rel=1e-9)
            assert route.minutes == pytest.approx(minutes[i, j], rel=1e-9)


def test_matrix_is_cached_by_point_set_and_read_only(engine):
    points = places()
    first = engine.matrix(points)
    hits = engine.cache.hits
    again = engine.matrix(list(points))
    assert again[0] is first[0] and again[1] is first[1] and engine.cache.hits == hits + 1
    assert not first[0].flags.writeable
    other_order = engine.matrix(points[::-1])
    assert other_order[0] is not first[0]
    np.testing.assert_allclose(other_order[0], first[0][::-1, ::-1], rtol=1e-9)


def test_repeated_points_are_zero_apart(engine):
    miles, minutes = engine.matrix([point("A"), point("F"), point("A")])
    assert miles[0, 2] == miles[2, 0] == minutes[0, 2] == 0.0


def test_empty_matrix(engine):
    miles, minutes = engine.matrix([])
    assert miles.shape == minutes.shape == (0, 0)


def test_disk_cache_is_read_by_a_new_engine(engine, tmp_path):
    engine.cache = MatrixCache(directory=tmp_path)
    miles, _ = engine.matrix(places())
    assert len(list(tmp_path.glob("*.npz"))) == 1
    engine.cache = MatrixCache(directory=tmp_path)
    again, _ = engine.matrix(places())
    assert engine.cache.hits == 1 and engine.cache.misses == 0
    np.testing.assert_array_equal(again, miles)


def test_closest_orders_nearest_first(engine):
    candidates = [point("S"), point("E"), point("A")]
    ranked = closest(point("A"), candidates, engine)
    assert ranked[0].index == 2 and ranked[0].route.miles == 0.0
    assert [r.route.miles for r in ranked] == sorted(r.route.miles for r in ranked)


def test_a_new_point_set_reuses_the_cached_overlap_and_matches_a_fresh_computation(engine, hand_graph_file):
    day = [point(n) for n in ["A", "E", "F", "H", "S", "C"]]
    engine.matrix(day)
    grown = [point("G")] + day[::-1]  # one new stop, order changed
    reused_miles, reused_minutes = engine.matrix(grown)
    fresh = (EstimatorEngine(cache=MatrixCache()) if engine.name == "estimator"
             else RoadNetworkEngine.from_file(hand_graph_file, cache=MatrixCache()))
    fresh_miles, fresh_minutes = fresh.matrix(grown)
    np.testing.assert_allclose(reused_miles, fresh_miles, rtol=1e-12)
    np.testing.assert_allclose(reused_minutes, fresh_minutes, rtol=1e-12)


def test_default_engine_is_the_estimator_unless_a_road_graph_is_configured(monkeypatch, hand_graph_file):
    from nemt.geo import default_engine
    from nemt.settings import reload_settings

    monkeypatch.delenv("NEMT_ROAD_GRAPH", raising=False)
    try:
        reload_settings()  # the settings are read once; read the changed environment again
        assert default_engine().name == "estimator"
        monkeypatch.setenv("NEMT_ROAD_GRAPH", str(hand_graph_file))
        reload_settings()
        assert default_engine().name == "road"
        assert closest(point("A"), [point("F"), point("C")])[0].index == 1
    finally:
        monkeypatch.undo()
        reload_settings()
