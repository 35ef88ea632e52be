"""The estimator against the documented road distances (nemt/geo/calibration.py, docs/geo.md)."""

import numpy as np
import pytest

from nemt.geo import EstimatorEngine, point_of_zip
from nemt.geo.calibration import KNOWN_ROUTES
from nemt.geo.estimator import mountain_share

TOLERANCE = 0.15


@pytest.mark.parametrize("known", KNOWN_ROUTES, ids=lambda r: r.label)
def test_estimate_within_15_percent_of_the_known_road_distance(known):
    route = EstimatorEngine().route(point_of_zip(known.from_zip), point_of_zip(known.to_zip))
    assert route.miles == pytest.approx(known.road_miles, rel=TOLERANCE)


@pytest.mark.parametrize("known", KNOWN_ROUTES, ids=lambda r: r.label)
def test_drive_time_within_15_percent_of_the_typical_time(known):
    route = EstimatorEngine().route(point_of_zip(known.from_zip), point_of_zip(known.to_zip))
    assert route.minutes == pytest.approx(known.drive_minutes, rel=TOLERANCE)


def test_the_brief_example_denver_to_fort_collins_is_about_65_miles():
    route = EstimatorEngine().route(point_of_zip("80203"), point_of_zip("80521"))
    assert 60 <= route.miles <= 72 and route.engine == "estimator"


def test_short_trips_are_slower_per_mile_than_long_ones():
    engine = EstimatorEngine()
    short, long = engine.speed_mph(np.array([2.0, 200.0]))
    assert short < 35 < 55 < long


def test_mountain_share_is_the_part_of_the_line_west_of_the_foothills():
    origins = np.array([[38.0, -106.0], [39.7, -104.9]])
    destinations = np.array([[38.0, -104.0], [40.5, -104.9]])
    share = mountain_share(origins, destinations)
    assert share[0, 0] == pytest.approx(0.35)  # from 106 W to 104 W, 105.3 W is the line: 0.7 of 2 degrees
    assert share[1, 1] == 0.0  # along I-25, all on the plains
