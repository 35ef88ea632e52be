"""The road engine on the hand-written map (tests/geo/hand_map.py): routes known by hand."""

from itertools import pairwise

import numpy as np
import pytest

from nemt.geo import GeoError, closest, great_circle_miles
from nemt.geo.roadgraph import RoadGraph, RoadNetworkEngine, build_road_graph, parse_maxspeed_mph
from tests.geo.hand_map import GRAPH_NODES, NODES, point


def along(*names: str) -> float:
    """Miles along straight road segments through the named nodes."""
    return sum(great_circle_miles(point(a), point(b)) for a, b in pairwise(names))


def minutes_along(*legs: tuple[str, str, float]) -> float:
    return sum(great_circle_miles(point(a), point(b)) / mph * 60 for a, b, mph in legs)


@pytest.fixture(scope="module")
def road(hand_graph_file) -> RoadNetworkEngine:
    return RoadNetworkEngine.from_file(hand_graph_file)


def test_import_keeps_junctions_and_dead_ends_of_the_connected_roads(hand_graph_file):
    graph = RoadGraph.load(hand_graph_file)
    kept = {tuple(np.round(row, 6)) for row in graph.node_lat_lon}
    assert kept == {NODES[name] for name in GRAPH_NODES}
    assert graph.meta["state"] == "CO" and graph.meta["source"] == "hand.osm"


def test_saved_graph_loads_back_identical(hand_map_file, hand_graph_file):
    assert RoadGraph.load(hand_graph_file).fingerprint() == build_road_graph(hand_map_file).fingerprint()


def test_shortest_miles_take_the_short_residential_street(road):
    route = road.route(point("A"), point("C"))
    assert route.miles == pytest.approx(along("A", "B", "C"), rel=1e-9)
    assert route.engine == "road"


def test_minutes_take_the_fast_detour(road):
    detour = minutes_along(("A", "E", 45), ("E", "F", 65), ("F", "C", 45))  # primary, trunk at maxspeed, primary
    direct = minutes_along(("A", "B", 25), ("B", "C", 25))  # residential
    assert detour < direct
    assert road.route(point("A"), point("C")).minutes == pytest.approx(detour, rel=1e-9)


def test_one_way_street_is_used_only_in_its_direction(road):
    assert road.route(point("G"), point("C")).miles == pytest.approx(along("G", "C"), rel=1e-9)
    assert road.route(point("C"), point("G")).miles == pytest.approx(along("C", "H", "I", "G"), rel=1e-9)


def test_footways_and_private_roads_are_not_driven(road):
    assert road.route(point("A"), point("H")).miles == pytest.approx(along("A", "B", "C", "H"), rel=1e-9)
    # A to F: round either side of the square (the north side is a little shorter), never the private diagonal.
    either_side = min(along("A", "E", "F"), along("A", "B", "C", "F"))
    assert road.route(point("A"), point("F")).miles == pytest.approx(either_side, rel=1e-9)
    assert either_side > 1.2 * along("A", "F")


def test_a_point_off_the_road_snaps_to_the_nearest_node_and_adds_the_access_leg(road):
    near_a = type(point("A"))(39.701, -105.000)
    access = great_circle_miles(near_a, point("A"))
    route = road.route(near_a, point("C"))
    assert route.miles == pytest.approx(access + along("A", "B", "C"), rel=1e-9)


def test_a_point_off_the_map_is_a_geo_error(road):
    with pytest.raises(GeoError) as caught:
        road.route(point("J"), point("A"))  # the dropped island, 7 miles from the kept roads
    assert caught.value.field == "point" and "nearest road" in caught.value.reason


def test_matrix_is_asymmetric_where_a_one_way_street_is(road):
    miles, _ = road.matrix([point("C"), point("G")])
    assert miles[0, 1] > miles[1, 0]


def test_closest_ranks_by_road_miles(road):
    candidates = [point("S"), point("F"), point("H"), point("C")]
    ranked = closest(point("A"), candidates, road)
    assert [r.index for r in ranked] == [3, 2, 1, 0]  # C 1.38, H 1.65, F 1.91, S 2.34 road miles
    assert [r.index for r in closest(point("A"), candidates, road, k=2)] == [3, 2]
    assert [r.index for r in closest(point("A"), candidates, road, max_miles=1.7)] == [3, 2]


def test_triangle_inequality_on_miles(road):
    names = sorted(GRAPH_NODES)
    miles, _ = road.matrix([point(n) for n in names])
    n = len(names)
    for i in range(n):
        for j in range(n):
            assert (miles[i, j] <= miles[i, :] + miles[:, j] + 1e-9).all()


@pytest.mark.parametrize("text, mph", [("55 mph", 55), ("80", 80 / 1.609344), ("50 km/h", 50 / 1.609344),
                                       ("signals", None), ("", None), ("30;40", None)])
def test_parse_maxspeed(text, mph):
    assert parse_maxspeed_mph(text) == (pytest.approx(mph) if mph else None)


def test_unreadable_map_file_is_a_geo_error(tmp_path):
    with pytest.raises(GeoError) as caught:
        build_road_graph(tmp_path / "missing.osm.pbf")
    assert caught.value.field == "map"
    bad = tmp_path / "bad.osm"
    bad.write_text("this is not osm")
    with pytest.raises(GeoError):
        build_road_graph(bad)


def test_searching_from_the_destinations_gives_the_same_distances(road):
    # Many origins, one destination: the engine searches backwards from the destination.
    names = sorted(GRAPH_NODES)
    lat_lon = np.array([NODES[n] for n in names])
    backwards_miles, backwards_minutes = road._rectangle(lat_lon, lat_lon[:1])
    forwards_miles, forwards_minutes = road._rectangle(lat_lon, lat_lon)
    np.testing.assert_allclose(backwards_miles[:, 0], forwards_miles[:, 0], rtol=1e-12)
    np.testing.assert_allclose(backwards_minutes[:, 0], forwards_minutes[:, 0], rtol=1e-12)


def test_pbf_and_xml_give_the_same_graph(hand_map_file, tmp_path):
    import osmium

    pbf = tmp_path / "hand.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(hand_map_file)):
            writer.add(obj)
    assert build_road_graph(pbf).fingerprint() == build_road_graph(hand_map_file).fingerprint()
