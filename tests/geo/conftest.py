"""Fixtures of the geography tests: the hand-written map (tests/geo/hand_map.py) as a file and as a graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.geo.hand_map import write_hand_map


@pytest.fixture(scope="session")
def hand_map_file(tmp_path_factory) -> Path:
    return write_hand_map(tmp_path_factory.mktemp("osm") / "hand.osm")


@pytest.fixture(scope="session")
def hand_graph_file(hand_map_file, tmp_path_factory) -> Path:
    from nemt.geo.roadgraph import build_road_graph

    return build_road_graph(hand_map_file, state="CO").save(tmp_path_factory.mktemp("graph") / "roads-CO.npz")
