"""Travel-matrix preparation as a job (issue 18, item 2): ``prepare-matrix:CO:2026-11-24`` computes the road minutes
and miles between the stops of a program's day — every place its plan needs: the fleet's bases, the open legs'
pick-ups and drop-offs, as ``services.dispatch.day.build_day`` gathers them — with the platform's distance engine
(``nemt.geo.default_engine``), and keeps them in the database (``travel_matrices``), so that the plan of the day,
on any worker of any machine, reads them rather than computing them.

- **Kept, then read.** A plan-day job (``tasks.plan_day``, and the regions' parent ``region_day.start``) first puts
  the kept matrix of its day into its engine's matrix cache (``warm``): ``build_day`` then finds the whole matrix
  there, or — a leg added since, a place a vehicle was last seen — copies every entry it knows and computes only the
  new places' rows and columns (``CachedMatrixEngine._matrix_reusing_cache``). A matrix of another engine or map
  (the engine's cache key) is not used.
- **Idempotent.** The job puts the kept matrix in its cache first too, so run again it computes only what is new
  and keeps the matrix only when it changed (one row per program and day, replaced whole).
- **Before the plans.** The nightly day-ahead plan (``nemt.jobs.submit_day_ahead``) submits one prepare-matrix job
  per program; each submits its program's plan-day job when it ends — done or failed (a plan computes what it does
  not find) — so that the plan never races the preparation for the same matrix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from nemt.jobs import records

if TYPE_CHECKING:
    from nemt.jobs.records import JobView, UowFactory
    from nemt.jobs.runner import Dispatcher
    from nemt.jobs.tasks import Progress

KIND = "prepare-matrix"


def matrix_key(program: str, day: dt.date) -> str:
    """The job's idempotency key: one matrix per program and day."""
    return f"{KIND}:{program.upper()}:{day.isoformat()}"


def kept_key(program: str, day: dt.date) -> str:
    """The key the matrix is kept under (``travel_matrices.key``)."""
    return f"{program.upper()}:{day.isoformat()}"


def submit_prepare_matrix(make_uow: UowFactory, program: str, day: dt.date, *, then_plan: dict[str, Any] | None = None,
                          requested_by: str = "system", again: bool = False,
                          to: Dispatcher | None = None) -> JobView:
    """Queue the preparation of ``program``'s matrix for ``day`` unless it is queued, running or done (``again``:
    once more: only new places are computed). ``then_plan``: the plan-day job's time limit and seed, submitted when
    this job ends (the nightly day-ahead plan)."""
    from nemt.jobs import dispatcher
    from nemt.policy import program_codes
    from nemt.services.platform.errors import InvalidInput

    if program.upper() not in program_codes():
        raise InvalidInput("no such program", field="program", rule="program policy")
    params: dict[str, Any] = {"program": program.upper(), "date": day.isoformat()}
    if then_plan is not None:
        params["then_plan"] = then_plan
    job, send = records.submit(make_uow, matrix_key(program, day), KIND, params, requested_by, again=again)
    if send:
        (to or dispatcher(make_uow)).send(job.key)
    return job


def _engine() -> Any:
    """The platform's distance engine, when its matrices are cached (both engines are); else None."""
    from nemt import geo
    from nemt.geo import CachedMatrixEngine

    engine = geo.default_engine()
    return engine if isinstance(engine, CachedMatrixEngine) else None


def engine_digest(engine: Any) -> str:
    """Which engine, with which parameters and map, computed a matrix: the SHA-256 of its cache key."""
    return hashlib.sha256(engine.cache_key().encode()).hexdigest()


def warm(make_uow: UowFactory, program: str, day: dt.date, engine: Any = None) -> int:
    """Put the kept matrix of ``program``'s ``day`` into the engine's matrix cache; the number of its places (0: none
    kept, or one of another engine)."""
    engine = engine or _engine()
    if engine is None:
        return 0
    from nemt.geo import MatrixCache

    with make_uow() as uow:
        row = uow.matrices.get(kept_key(program, day), with_data=True)
        if row is None or row.engine != engine_digest(engine):
            return 0
        data = row.data
    lat_lon, miles, minutes = _unpack(data)
    engine.cache.put(MatrixCache.key(engine.cache_key(), lat_lon), miles, minutes, engine.cache_key(), lat_lon)
    return len(lat_lon)


def prepare_matrix(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The job (see the module's docstring); its result: places, seconds computing, whether the matrix changed."""
    program, day = str(params["program"]), dt.date.fromisoformat(params["date"])
    try:
        return _prepare(make_uow, program, day, progress)
    finally:
        if params.get("then_plan") is not None:  # the day-ahead plan goes on, whether or not this job succeeded
            _then_plan(make_uow, program, day, dict(params["then_plan"]))


def _prepare(make_uow: UowFactory, program: str, day: dt.date, progress: Progress) -> dict[str, Any]:
    from nemt import geo
    from nemt.geo.points import as_lat_lon_array
    from nemt.services.dispatch.day import build_day

    engine = _engine()
    if engine is None:
        return {"places": 0, "seconds": 0.0, "kept": False, "engine": "uncached"}
    progress(5, "reading the matrix kept before")
    known = warm(make_uow, program, day, engine)
    progress(10, f"computing the travel times and miles between the day's places ({known} known)")
    tic = time.perf_counter()
    with make_uow() as uow:
        model = build_day(uow, program, day, engine=engine)
        zips = sorted(model.zip_index, key=model.zip_index.__getitem__)
    seconds = time.perf_counter() - tic
    lat_lon = as_lat_lon_array([geo.lookup_zip(z, "zip").point for z in zips])
    progress(90, f"keeping the matrix of {len(zips)} places")
    data = _pack(lat_lon, np.asarray(model.miles, dtype=float), np.asarray(model.instance.travel_time, dtype=float))
    with make_uow() as uow:
        kept = uow.matrices.keep(kept_key(program, day), engine_digest(engine), hashlib.sha256(data).hexdigest(),
                                 len(zips), data, round(seconds, 3))
        uow.commit()
    return {"places": len(zips), "known_before": known, "seconds": round(seconds, 3), "kept": kept,
            "engine": engine.name}


def _then_plan(make_uow: UowFactory, program: str, day: dt.date, plan: dict[str, Any]) -> None:
    from nemt.jobs import submit_plan_day

    submit_plan_day(make_uow, program, day, time_limit=float(plan.get("time_limit", 10.0)),
                    seed=int(plan.get("seed", 1)), requested_by=str(plan.get("requested_by", "system")),
                    regions=int(plan.get("regions", 1)))


def _pack(lat_lon: np.ndarray, miles: np.ndarray, minutes: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, lat_lon=lat_lon, miles=miles, minutes=minutes)
    return buffer.getvalue()


def _unpack(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        return np.array(archive["lat_lon"]), np.array(archive["miles"]), np.array(archive["minutes"])
