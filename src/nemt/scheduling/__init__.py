"""Dial-a-ride scheduling: data model, solver, independent checker, benchmark readers.

Public API::

    from nemt.scheduling import Instance, Request, Vehicle, TimeWindow, solve, check_solution
    solution = solve(instance, time_limit=10, seed=1)
    report = check_solution(instance, solution)   # independent of the solver
"""

from .checker import CheckResult, check_solution
from .cordeau import InstanceFormatError, read_bks, read_cordeau, solution_to_node_routes
from .model import (
    DEFAULT_SPACE_TYPES,
    Instance,
    Request,
    Route,
    Solution,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
)
from .solver import SolverParams, solve

__all__ = [
    "DEFAULT_SPACE_TYPES",
    "CheckResult",
    "Instance",
    "InstanceFormatError",
    "Request",
    "Route",
    "Solution",
    "SolverParams",
    "Stop",
    "StopKind",
    "TimeWindow",
    "Vehicle",
    "check_solution",
    "read_bks",
    "read_cordeau",
    "solution_to_node_routes",
    "solve",
]
