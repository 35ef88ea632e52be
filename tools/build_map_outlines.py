"""Build the county outlines the dispatch board's map draws (``src/nemt/geo/data/counties.json``), offline.

Source: the npm package ``us-atlas`` 3.0.1 (ISC licence, © Michael Bostock), ``counties-10m.json``: the Census
Bureau's cartographic boundary files, 2017 edition (1:10,000,000, public domain), as TopoJSON — quantized and
simplified, not projected. This script keeps the counties of the program states (Colorado, FIPS 08; Connecticut, 09),
decodes their arcs to longitude/latitude rings, rounds them to 0.001° (about 100 m, well under a pixel of the board's
map), drops repeated points, and writes one small JSON file; the package's licence goes beside it.

    npm pack us-atlas@3.0.1            # us-atlas-3.0.1.tgz, from the npm registry
    python tools/build_map_outlines.py us-atlas-3.0.1.tgz

Nothing is fetched at run time: the platform reads the JSON file it carries (``nemt.geo.outlines``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tarfile
from pathlib import Path

STATES = {"08": "CO", "09": "CT"}
OUT = Path(__file__).resolve().parents[1] / "src" / "nemt" / "geo" / "data"
MEMBER = "package/counties-10m.json"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs as (lon, lat) points (delta-decoded and de-quantized)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """One ring from its arc indices (``~i``: arc ``i`` reversed); each arc's first point repeats the last one's."""
    points: list[tuple[float, float]] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc if not points else arc[1:])
    out: list[list[float]] = []
    for lon, lat in points:
        p = [round(lon, 3), round(lat, 3)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def counties(topology: dict) -> dict[str, list[dict]]:
    arcs = decode_arcs(topology)
    by_state: dict[str, list[dict]] = {code: [] for code in STATES.values()}
    for g in topology["objects"]["counties"]["geometries"]:
        state = STATES.get(str(g["id"])[:2])
        if state is None:
            continue
        polygons = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        rings = [ring(r, arcs) for polygon in polygons for r in polygon]
        by_state[state].append({"fips": g["id"], "name": g["properties"]["name"],
                                "rings": [r for r in rings if len(r) >= 4]})
    for state in by_state.values():
        state.sort(key=lambda c: c["fips"])
    return by_state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="us-atlas-3.0.1.tgz (npm pack us-atlas@3.0.1)")
    args = parser.parse_args()
    with tarfile.open(args.package) as tar:
        topology = json.load(tar.extractfile(MEMBER))  # type: ignore[arg-type]
        licence = tar.extractfile("package/LICENSE").read().decode()  # type: ignore[union-attr]
    data = {"source": "us-atlas 3.0.1 counties-10m.json (Census cartographic boundaries 2017, 1:10,000,000)",
            "licence": "ISC (us-atlas), public domain (Census Bureau)", "states": counties(topology)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "counties.json").write_text(json.dumps(data, separators=(",", ":")) + "\n")
    (OUT / "us-atlas-LICENSE.txt").write_text(licence)
    digest = hashlib.sha256(args.package.read_bytes()).hexdigest()
    n = {state: len(c) for state, c in data["states"].items()}
    print(f"counties.json: {n}; from {args.package.name} (sha256 {digest})")


if __name__ == "__main__":
    main()
