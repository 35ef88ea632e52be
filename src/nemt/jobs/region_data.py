"""A day's instance and plans as data a database keeps and any worker reads back (``nemt.jobs.region_jobs``).

The instance is packed as one NumPy ``.npz`` archive (the two travel matrices, and the requests and vehicles as JSON
text), loaded with ``allow_pickle=False``: nothing in the database can run code in a worker. Its SHA-256 tells the
same day submitted twice from a different one under the same key. No member data is in it: request and vehicle ids,
locations as matrix indices, times in minutes, loads and credentials.
"""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import numpy as np

from nemt.scheduling import Instance, Request, Route, Solution, Stop, StopKind, TimeWindow, Vehicle


def _request(r: Request) -> list[Any]:
    return [r.id, r.pickup_location, r.dropoff_location, r.pickup_window.earliest, r.pickup_window.latest,
            r.dropoff_window.earliest, r.dropoff_window.latest, r.pickup_service, r.dropoff_service, list(r.load),
            r.max_ride_time, sorted(r.required_credentials)]


def _vehicle(v: Vehicle) -> list[Any]:
    return [v.id, v.start_location, v.end_location, v.shift.earliest, v.shift.latest, list(v.capacity),
            v.max_route_duration, sorted(v.credentials)]


def pack_instance(instance: Instance) -> tuple[bytes, str]:
    """(the instance as bytes, their SHA-256 in hex)."""
    spec = {"name": instance.name, "space_types": list(instance.space_types),
            "requests": [_request(r) for r in instance.requests], "vehicles": [_vehicle(v) for v in instance.vehicles],
            "same_cost": instance.cost is instance.travel_time}
    text = json.dumps(spec, separators=(",", ":")).encode()
    arrays: dict[str, np.ndarray] = {"spec": np.frombuffer(text, dtype=np.uint8), "travel_time": instance.travel_time}
    if instance.cost is not instance.travel_time:
        arrays["cost"] = instance.cost
    buffer = io.BytesIO()
    save: Any = np.savez_compressed  # its stub lets no ** mapping through
    save(buffer, **arrays)
    data = buffer.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def unpack_instance(data: bytes) -> Instance:
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        spec = json.loads(bytes(archive["spec"]).decode())
        travel = np.array(archive["travel_time"])
        cost = None if spec["same_cost"] else np.array(archive["cost"])
    requests = [Request(r[0], r[1], r[2], TimeWindow(r[3], r[4]), TimeWindow(r[5], r[6]), r[7], r[8], tuple(r[9]),
                        r[10], frozenset(r[11])) for r in spec["requests"]]
    vehicles = [Vehicle(v[0], v[1], v[2], TimeWindow(v[3], v[4]), tuple(v[5]), v[6], frozenset(v[7]))
                for v in spec["vehicles"]]
    return Instance(spec["name"], requests, vehicles, travel, cost, tuple(spec["space_types"]))


def solution_to_json(solution: Solution) -> dict[str, Any]:
    """A plan as JSON: each route's vehicle and stops ([kind, request, location, start of service]), the unserved."""
    return {"cost": float(solution.cost), "unserved": list(solution.unserved),
            "routes": [[route.vehicle, [[s.kind.value, s.request, s.location, s.service_start] for s in route.stops]]
                       for route in solution.routes]}


def solution_from_json(data: dict[str, Any]) -> Solution:
    routes = [Route(vehicle, [Stop(StopKind(kind), request, location, start)
                              for kind, request, location, start in stops]) for vehicle, stops in data["routes"]]
    unserved = list(data["unserved"])
    return Solution(float(data["cost"]), routes, unserved, feasible=not unserved)
