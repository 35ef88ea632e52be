"""The default distance engine: great-circle miles x a road factor, / a speed. Needs no data files.

Why these formulas and numbers: docs/geo.md, "Estimator". In short, a road trip is longer than the straight
line by a circuity factor (about 1.16 between towns here), a short trip on a street grid more so (a grid
detour averages 4/pi = 1.27 over all directions), and a trip into the Colorado mountains more so again
(canyons and passes). Speed grows with trip length: short trips are city streets, long ones Interstates.
The constants are fitted on :data:`nemt.geo.calibration.KNOWN_ROUTES`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from nemt.geo.engines import CachedMatrixEngine, MatrixCache
from nemt.geo.points import great_circle_matrix

GRID_DETOUR = 4 / np.pi  # mean |dx|+|dy| over the straight line, for a random direction on a square grid


@dataclass(frozen=True)
class EstimatorParameters:
    long_trip_factor: float = 1.155 # road miles / straight miles between towns (fitted)
    short_trip_factor: float = GRID_DETOUR  # for a trip of 0 miles on a street grid
    short_trip_scale_miles: float = 5.0  # the short-trip factor fades to the long one over about this distance
    mountain_extra_factor: float = 0.18  # added for the share of the trip inside the Colorado mountains (fitted)
    city_speed_mph: float = 26.0  # average door-to-door speed of a trip of 0 miles (signals, turns)
    highway_speed_mph: float = 62.0  # average speed that long trips approach (Interstates at 65-75 mph)
    speed_scale_miles: float = 20.0  # the trip length over which the speed moves most of the way up


# The Rockies inside Colorado: west of the foothills line (about 105.3 W, just west of Boulder and Golden)
# to the Utah line, between the Wyoming and New Mexico lines. Crude, but it is the one effect the
# calibration shows: I-70 west of Denver is about 30 % longer than the straight line, I-25 about 10 %.
MOUNTAIN_BOX = {"lat_min": 37.0, "lat_max": 41.0, "lon_min": -109.05, "lon_max": -105.3}


def mountain_share(origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    """Share (0..1) of each straight origin->destination line (in lat/lon) inside :data:`MOUNTAIN_BOX`,
    shape (n, m). Exact clipping of the segment to the box (Liang-Barsky), vectorised over all pairs."""
    enter = np.zeros((len(origins), len(destinations)))
    leave = np.ones_like(enter)
    for axis, low, high in ((0, "lat_min", "lat_max"), (1, "lon_min", "lon_max")):
        start = origins[:, axis][:, None]
        delta = destinations[:, axis][None, :] - start
        with np.errstate(divide="ignore", invalid="ignore"):
            t_low = (MOUNTAIN_BOX[low] - start) / delta
            t_high = (MOUNTAIN_BOX[high] - start) / delta
        inside_on_axis = (start >= MOUNTAIN_BOX[low]) & (start <= MOUNTAIN_BOX[high])
        parallel = delta == 0  # the segment never crosses this axis' bounds: all in or all out
        enter = np.where(parallel, np.where(inside_on_axis, enter, 1.0), np.maximum(enter, np.minimum(t_low, t_high)))
        leave = np.where(parallel, np.where(inside_on_axis, leave, 0.0), np.minimum(leave, np.maximum(t_low, t_high)))
    return np.clip(leave - enter, 0.0, 1.0)


class EstimatorEngine(CachedMatrixEngine):
    """Road miles and minutes estimated from coordinates alone."""

    name = "estimator"

    def __init__(self, parameters: EstimatorParameters | None = None, cache: MatrixCache | None = None):
        super().__init__(cache)
        self.parameters = parameters or EstimatorParameters()

    def cache_key(self) -> str:
        return f"{self.name}:{sorted(asdict(self.parameters).items())}"

    def road_factor(self, straight_miles: np.ndarray, mountain: np.ndarray) -> np.ndarray:
        p = self.parameters
        fade = np.exp(-straight_miles / p.short_trip_scale_miles)
        return (
            p.long_trip_factor
            + (p.short_trip_factor - p.long_trip_factor) * fade
            + p.mountain_extra_factor * mountain
        )

    def speed_mph(self, road_miles: np.ndarray) -> np.ndarray:
        p = self.parameters
        decay = np.exp(-road_miles / p.speed_scale_miles)
        return p.highway_speed_mph - (p.highway_speed_mph - p.city_speed_mph) * decay

    def _rectangle(self, origins: np.ndarray, destinations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        straight = great_circle_matrix(origins, destinations)
        miles = straight * self.road_factor(straight, mountain_share(origins, destinations))
        minutes = miles / self.speed_mph(miles) * 60.0
        return miles, minutes
