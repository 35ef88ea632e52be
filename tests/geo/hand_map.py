"""A hand-written OpenStreetMap file whose shortest routes are known by hand."""

from __future__ import annotations

from pathlib import Path

from nemt.geo.points import Point

# Node positions. 0.01 degree of latitude is 0.691 mile; 0.005 degree of longitude here is 0.266 mile.
#
#   I --------- G          G -> C is one-way (southbound), so C -> G goes round: C - H - I - G.
#   |           v
#   H --------- C --------- F      C - F primary, F - E trunk at 65 mph, E - A primary: the quick way.
#   |  .        |           |
#   S     .     B           |      B . H is a footway (no cars); H - S is a dead-end spur.
#               |           |
#               A --------- E      A - B - C residential: the short way. A - F (diagonal) is private.
NODES: dict[str, tuple[float, float]] = {
    "A": (39.700, -105.000),
    "B": (39.710, -105.000),
    "C": (39.720, -105.000),
    "E": (39.700, -104.990),
    "F": (39.720, -104.990),
    "H": (39.720, -105.005),
    "S": (39.710, -105.005),
    "I": (39.730, -105.005),
    "G": (39.730, -105.000),
    # A separate island far from the rest: must be dropped (no route in or out).
    "J": (39.800, -105.100),
    "K": (39.801, -105.100),
}
WAYS: list[tuple[list[str], dict[str, str]]] = [
    (["A", "B", "C"], {"highway": "residential"}),
    (["A", "E"], {"highway": "primary"}),
    (["E", "F"], {"highway": "trunk", "maxspeed": "65 mph"}),
    (["F", "C"], {"highway": "primary"}),
    (["G", "C"], {"highway": "residential", "oneway": "yes"}),
    (["C", "H", "I", "G"], {"highway": "residential"}),
    (["H", "S"], {"highway": "residential"}),
    (["B", "H"], {"highway": "footway"}),
    (["A", "F"], {"highway": "residential", "access": "private"}),
    (["J", "K"], {"highway": "service"}),
    (["A", "C"], {"building": "yes"}),  # not a road at all
]
# Graph nodes after import: junctions and dead ends of the kept roads (B, a bend inside A-B-C, and I, a
# bend inside C-H-I-G, are not; J and K are the dropped island).
GRAPH_NODES = {"A", "C", "E", "F", "G", "H", "S"}


def point(name: str) -> Point:
    return Point(*NODES[name])


def write_hand_map(path: Path) -> Path:
    ids = {name: number for number, name in enumerate(NODES, start=1)}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="nemt tests">']
    for name, (lat, lon) in NODES.items():
        lines.append(f'  <node id="{ids[name]}" version="1" lat="{lat}" lon="{lon}"/>')
    for way_id, (names, tags) in enumerate(WAYS, start=100):
        lines.append(f'  <way id="{way_id}" version="1">')
        lines += [f'    <nd ref="{ids[n]}"/>' for n in names]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n")
    return path
