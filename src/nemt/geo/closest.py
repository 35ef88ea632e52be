"""Ranking candidate places by road miles from an origin (the provider network's closest-provider rule)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nemt.geo.engine_choice import default_engine
from nemt.geo.engines import DistanceEngine, Route
from nemt.geo.points import Point


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    index: int  # position in the candidates given
    point: Point
    route: Route  # origin -> candidate


def closest(origin: Point, candidates: Sequence[Point], engine: DistanceEngine | None = None,
            k: int | None = None, max_miles: float | None = None) -> list[RankedCandidate]:
    """Candidates nearest first by road miles from ``origin`` (ties by position, so the order is stable).
    ``k`` keeps the first k; ``max_miles`` drops those farther (e.g. 25 for the 25-mile rule)."""
    engine = engine or default_engine()
    if not candidates:
        return []
    miles, minutes = engine.one_to_many(origin, candidates)
    order = np.lexsort((np.arange(len(candidates)), miles))
    ranked = [RankedCandidate(int(i), candidates[i], Route(float(miles[i]), float(minutes[i]), engine.name))
              for i in order if max_miles is None or miles[i] <= max_miles]
    return ranked if k is None else ranked[:k]
