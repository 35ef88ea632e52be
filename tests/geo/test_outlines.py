"""The county outlines the board's map draws (package data built from us-atlas; no network) and its projection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemt import geo
from nemt.geo.outlines import county_outlines, fit, label_point, ring_path

DATA = Path(geo.__file__).parent / "data"


def test_the_package_carries_every_county_of_the_program_states_with_its_licence():
    assert len(county_outlines("CO")) == 64 and len(county_outlines("CT")) == 8
    assert county_outlines("XX") == ()
    names = {c.name for c in county_outlines("CO")}
    assert {"Denver", "El Paso", "Pueblo", "Mesa"} <= names
    data = json.loads((DATA / "counties.json").read_text())
    assert "us-atlas 3.0.1" in data["source"]
    assert "Permission to use, copy, modify" in (DATA / "us-atlas-LICENSE.txt").read_text()
    assert "tools/build_map_outlines.py" in (DATA / "PROVENANCE.md").read_text()


@pytest.mark.parametrize(("zip_code", "county"), [("80203", "Denver"), ("80909", "El Paso"), ("06103", "Hartford")])
def test_a_zip_centroid_falls_inside_the_box_of_its_county(zip_code, county):
    p = geo.point_of_zip(zip_code)
    state = geo.state_of_zip(zip_code)
    c = next(c for c in county_outlines(state) if c.name == county)
    west, south, east, north = c.bounds()
    assert west <= p.lon <= east and south <= p.lat <= north


def test_the_projection_fits_the_points_keeps_north_up_and_scales_by_latitude():
    denver, springs = (39.7392, -104.9903), (38.8339, -104.8214)
    projection = fit([denver, springs], width=640, max_height=460)
    (x1, y1), (x2, y2) = projection.xy(*denver), projection.xy(*springs)
    assert 0 < x1 < 640 and 0 < x2 < 640 and 0 < y1 < projection.height <= 460 and 0 < y2 < projection.height
    assert y1 < y2  # Denver is north of Colorado Springs: higher on the map
    assert projection.contains(*denver) and projection.contains(*springs)
    # A degree of longitude is cos(latitude) of a degree of latitude on the map.
    east = projection.xy(denver[0], denver[1] + 0.1)[0] - x1
    north = y1 - projection.xy(denver[0] + 0.1, denver[1])[1]
    assert east / north == pytest.approx(projection.k, rel=1e-9) and projection.k == pytest.approx(0.77, abs=0.01)


def test_a_county_is_drawn_as_a_closed_path_with_its_name_inside_its_box():
    denver = next(c for c in county_outlines("CO") if c.name == "Denver")
    projection = fit([(p[1], p[0]) for r in denver.rings for p in r])
    path = ring_path(denver.rings[0], projection)
    assert path.startswith("M") and path.endswith("Z") and path.count("L") == len(denver.rings[0]) - 1
    lat, lon = label_point(denver)
    assert projection.contains(lat, lon)
