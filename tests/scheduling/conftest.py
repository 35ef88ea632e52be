"""Fixtures for the scheduling tests: the DARP benchmark folder and a small hand-built instance."""

from __future__ import annotations

import numpy as np
import pytest

from nemt.scheduling import Instance, Request, Route, Solution, Stop, StopKind, TimeWindow, Vehicle


def tiny_instance() -> Instance:
    """Locations on a line: 0 depot, 1..4 stops at x = 10, 20, 30, 40; travel time = |dx|.

    Two requests: r0 picks up at 1 and drops at 3 (one wheelchair), r1 picks up at 2 and drops at 4
    (one ambulatory seat, needs the "door-to-door" credential). Vehicle 0 has one
    seat and one wheelchair position; vehicle 1 has only one seat and no credentials.
    """
    x = np.array([0.0, 10.0, 20.0, 30.0, 40.0])
    tt = np.abs(x[:, None] - x[None, :])
    wide = TimeWindow(0.0, 200.0)
    requests = [
        Request("r0", 1, 3, wide, wide, 1.0, 1.0, load=(0, 1, 0), max_ride_time=40.0),
        Request("r1", 2, 4, wide, TimeWindow(0.0, 60.0), 1.0, 1.0, load=(1, 0, 0), max_ride_time=40.0,
                required_credentials=frozenset({"door-to-door"})),
    ]
    vehicles = [
        Vehicle("v0", 0, 0, TimeWindow(0.0, 200.0), capacity=(1, 1, 0), max_route_duration=150.0,
                credentials=frozenset({"door-to-door"})),
        Vehicle("v1", 0, 0, TimeWindow(0.0, 200.0), capacity=(1, 0, 0), max_route_duration=150.0),
    ]
    return Instance("tiny", requests, vehicles, tt)


def tiny_solution() -> Solution:
    """A feasible solution of :func:`tiny_instance`: v0 does 0 -> p0 -> p1 -> d0 -> d1 -> 0."""
    stops = [
        Stop(StopKind.START, -1, 0, 0.0),
        Stop(StopKind.PICKUP, 0, 1, 10.0),
        Stop(StopKind.PICKUP, 1, 2, 21.0),
        Stop(StopKind.DROPOFF, 0, 3, 32.0),
        Stop(StopKind.DROPOFF, 1, 4, 43.0),
        Stop(StopKind.END, -1, 0, 84.0),
    ]
    return Solution(cost=80.0, routes=[Route(0, stops)])


@pytest.fixture
def tiny() -> Instance:
    return tiny_instance()


@pytest.fixture
def tiny_sol() -> Solution:
    return tiny_solution()
