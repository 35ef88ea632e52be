"""A day solved by regions on the workers of the queue (issue 18, item 1): a parent job splits the day, one job per
region solves it, and a stitch job — submitted by the region job that finishes last — stitches the regions' plans,
repairs across the seams and has the independent checker verify the whole day.

Jobs (keys are idempotency keys, ``DAY`` the day's key):

- ``solve-day:DAY`` (the parent): splits the day's instance (``nemt.jobs.regions``) unless a split is kept — the
  first split stays, so every later run sees the same regions —, then submits ``solve-region:DAY:LABEL`` for each
  region without a kept plan. It does not wait: it ends at once and its record stays ``running``; each region job
  writes the parent's progress ("3 of 8 regions solved"), and the stitch job finishes it. A parent waiting on its
  children would hold a worker thread for the whole day's solve — with two workers, half the machine doing nothing
  — and a parent killed while waiting would leave nobody to stitch.
- ``solve-region:DAY:LABEL``: solves its region, unless its plan is kept (a re-run), and keeps the plan unique by
  (day, region) (``region_plans``). Then, with the day's row locked (so two regions finishing at once count one after
  the other), it counts the kept plans; when every region has one it submits the stitch job.
- ``stitch-day:DAY``: stitches the kept plans, repairs across the seams (``seams.repair``), verifies the whole day
  with the independent checker (``nemt.scheduling.check_solution``), keeps the plan once (only where none is kept)
  and finishes the parent with the summary.

A worker killed mid-region-solve has kept nothing: the broker hands the region job to another worker, which solves
the region again (``attempts`` 2); the region job that finishes last submits the stitch, so the day completes. A
message is acknowledged only after its job has run, so a worker killed between keeping a region's plan and
submitting the stitch runs the region job again: it finds the plan kept, counts, and submits the stitch then.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from nemt.jobs import records
from nemt.jobs.region_data import pack_instance, solution_from_json, solution_to_json, unpack_instance
from nemt.jobs.regions import Region, merge, search_times, solve_region, split, split_clusters, stitch, whole_day
from nemt.jobs.seams import repair
from nemt.services.platform.errors import Conflict, InvalidInput, NotFound, ServiceError
from nemt.store.region_models import RegionPlan

if TYPE_CHECKING:
    from nemt.jobs.records import JobView, UowFactory
    from nemt.jobs.runner import Dispatcher
    from nemt.jobs.tasks import Progress
    from nemt.scheduling import Instance

DAY_KIND, REGION_KIND, STITCH_KIND = "solve-day", "solve-region", "stitch-day"
SPLITS = ("clusters", "groups", "whole", "seeds")
#: The parent's progress: split at 5 %, the regions solved between 10 and 90 %, stitched and verified at 100 %.
SPLIT_DONE, REGIONS_DONE = 10, 90
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,120}$")
T = TypeVar("T")
_cache: dict[str, Instance] = {}  # the day's instance by its digest: a worker reads a day once, not once per region


def day_key(day: str) -> str:
    return f"{DAY_KIND}:{day}"


def region_key(day: str, label: str) -> str:
    return f"{REGION_KIND}:{day}:{label}"


def stitch_key(day: str) -> str:
    return f"{STITCH_KIND}:{day}"


def submit_solve_day(make_uow: UowFactory, day: str, instance: Instance, *, split_by: str = "clusters",
                     regions: int = 2, slices: int = 1, groups: list[str] | None = None, time_limit: float = 10.0,
                     seed: int = 1, requested_by: str = "system", again: bool = False,
                     to: Dispatcher | None = None, context: dict[str, Any] | None = None) -> JobView:
    """Keep ``instance`` under the key ``day`` and queue its parent job unless it is queued, running or done
    (``again``: solve the day once more, from a new split). ``regions`` and ``slices``: the clusters and time slices
    of ``split_by="clusters"``; ``groups``: each vehicle's group for ``split_by="groups"``; ``time_limit``: a
    region's search time on average, in seconds (shared among the regions by size: ``regions.search_times``);
    ``context``: the program's day the instance is (``nemt.jobs.region_day``:
    the stitch job writes the plan to its runs)."""
    from nemt.jobs import dispatcher
    from nemt.services.dispatch.schedule import check_time_limit

    if not _KEY.match(day):
        raise InvalidInput("a day's key is 1 to 120 letters, digits and . _ : -", field="day", rule="day key")
    if split_by not in SPLITS:
        raise InvalidInput(f"the split is one of {', '.join(SPLITS)}", field="split", rule="region split")
    if not 1 <= regions <= 64 or not 1 <= slices <= 8:
        raise InvalidInput("from 1 to 64 regions and 1 to 8 time slices", field="regions", rule="region split")
    if split_by == "groups" and (groups is None or len(groups) != len(instance.vehicles)):
        raise InvalidInput("a group for every vehicle", field="groups", rule="region split")
    check_time_limit(time_limit)
    data, digest = pack_instance(instance)
    with make_uow() as uow:
        row, added = uow.regions.add_day(day, digest, data)
        if not added and (again or row.digest != digest):
            if not again:
                raise Conflict("another instance is kept under this day's key", field="day", rule="one day per key")
            row.instance, row.digest = data, digest
            uow.regions.forget(day)
        uow.commit()
    params = {"day": day, "split": split_by, "regions": regions, "slices": slices, "groups": groups,
              "time_limit": time_limit, "seed": seed, "requests": len(instance.requests),
              "vehicles": len(instance.vehicles)}
    if context is not None:
        params["program_day"] = context
    job, send = records.submit(make_uow, day_key(day), DAY_KIND, params, requested_by, again=again)
    if send:
        (to or dispatcher(make_uow)).send(job.key)
    return job


def day_plan(make_uow: UowFactory, day: str) -> tuple[Instance, Any]:
    """(the day's instance, its stitched plan as a ``Solution``): NotFound until the stitch job has kept it."""
    with make_uow() as uow:
        row = uow.regions.day(day, with_plan=True)
        if row is None or row.plan is None:
            raise NotFound("no stitched plan is kept for this day", field="day", rule="region solves")
        plan = row.plan
    return _instance(make_uow, day), solution_from_json(plan)


def _instance(make_uow: UowFactory, day: str) -> Instance:
    with make_uow() as uow:
        row = uow.regions.day(day)
        if row is None:
            raise NotFound("no instance is kept under this day's key", field="day", rule="region solves")
        digest = row.digest
        if digest not in _cache:
            full = uow.regions.day(day, with_instance=True)
            assert full is not None
            _cache.clear()
            _cache[digest] = unpack_instance(full.instance)
    return _cache[digest]


def _split(instance: Instance, params: dict[str, Any]) -> tuple[list[Region], list[int]]:
    if params["split"] == "whole":
        return whole_day(instance)
    if params["split"] == "seeds":  # the whole day once per region, each with its own seed: the best one kept
        (day,), nobody = whole_day(instance)
        return [Region(f"s{n + 1}", day.vehicles, day.requests) for n in range(int(params["regions"]))], nobody
    if params["split"] == "groups":
        return split(instance, list(params["groups"]))
    return split_clusters(instance, int(params["regions"]), seed=int(params["seed"]), slices=int(params["slices"]))


def _regions(make_uow: UowFactory, day: str) -> tuple[list[Region], list[int]]:
    return _split_kept(make_uow, day)[:2]


def _split_kept(make_uow: UowFactory, day: str) -> tuple[list[Region], list[int], bool]:
    """The day's regions, the requests no vehicle can carry, and whether the regions are alternatives (each the
    whole day with its own seed: the stitch keeps the best, it does not merge them)."""
    with make_uow() as uow:
        row = uow.regions.day(day)
        if row is None or row.regions is None:
            raise NotFound("the day has not been split", field="day", rule="region solves")
        return ([Region(r["label"], r["vehicles"], r["requests"]) for r in row.regions], list(row.nobody or []),
                all(r.get("alternative", False) for r in row.regions))


def solve_day(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The parent job (see the module's docstring): split once, submit the regions' jobs, end without waiting."""
    from nemt.jobs import dispatcher
    from nemt.services.dispatch.schedule import MAX_TIME_LIMIT

    day = params["day"]
    progress(2, "reading the day")
    instance = _instance(make_uow, day)
    with make_uow() as uow:
        row = uow.regions.day(day)
        kept = row is not None and row.regions is not None
    if not kept:
        progress(5, "splitting the day into regions")
        parts, nobody = _split(instance, params)
        with make_uow() as uow:
            uow.regions.set_split(day, [{"label": str(r.label), "vehicles": r.vehicles, "requests": r.requests,
                                         "alternative": params["split"] == "seeds"} for r in parts], nobody)
            uow.commit()
    parts, _nobody = _regions(make_uow, day)
    with make_uow() as uow:
        solved = {p.label for p in uow.regions.region_plans(day)}
    progress(_share(len(solved), len(parts)), f"{len(solved)} of {len(parts)} regions solved")
    send = dispatcher(make_uow)
    seconds = search_times(parts, float(params["time_limit"]), MAX_TIME_LIMIT)  # alike regions (seeds): alike times
    for n in sorted(range(len(parts)), key=lambda n: -seconds[n]):  # the longest first: the workers end together
        region = parts[n]
        if region.label in solved:
            continue
        seed = int(params["seed"]) + (n if params["split"] == "seeds" else 0)
        region_params = {"day": day, "label": str(region.label), "time_limit": round(seconds[n], 3),
                         "seed": seed, "requests": len(region.requests), "vehicles": len(region.vehicles)}
        job, added = records.submit(make_uow, region_key(day, str(region.label)), REGION_KIND, region_params,
                                    "jobs", rerun_done=True)
        if added or job.state == "queued":  # queued: perhaps never sent (a parent stopped before sending it)
            send.send(job.key)
    if len(solved) == len(parts):
        _submit_stitch(make_uow, day)
    return {}


#: Times a short write of a region job is tried when another writer holds the database (SQLite's one writer: two
#: regions of an in-process day finishing together), a moment apart.
WRITE_ATTEMPTS = 8


def _retried(write: Callable[[], T]) -> T:
    from nemt.store.uow import CONCURRENT_WRITE_ERRORS

    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            return write()
        except CONCURRENT_WRITE_ERRORS:
            if attempt == WRITE_ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _share(done: int, total: int) -> int:
    return SPLIT_DONE + (REGIONS_DONE - SPLIT_DONE) * done // max(1, total)


def _submit_stitch(make_uow: UowFactory, day: str) -> None:
    """Submit the day's stitch job (once: its key), or — the day stitched already — finish the parent."""
    from nemt.jobs import dispatcher

    with make_uow() as uow:
        row = uow.regions.day(day)
        if row is None:
            return
        stitched = None if row.stitched_at is None else dict(row.summary or {})
    if stitched is not None:  # stitched already (a re-run): the parent is done with the kept summary
        records.finish(make_uow, day_key(day), stitched)
        return
    job, added = records.submit(make_uow, stitch_key(day), STITCH_KIND, {"day": day}, "jobs", rerun_done=True)
    if added or job.state == "queued":
        dispatcher(make_uow).send(job.key)


def _fail_parent(make_uow: UowFactory, day: str, exc: Exception) -> None:
    from nemt.jobs import region_day

    region_day.failed(make_uow, day_key(day), exc)
    if isinstance(exc, ServiceError):
        records.refused(make_uow, day_key(day), exc)
    else:
        records.finish(make_uow, day_key(day), None, error=f"a region job stopped on an unexpected error "
                                                          f"({type(exc).__name__})")


def solve_one_region(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """A region job: its plan solved and kept once, the parent's progress, the stitch when it is the last."""
    day, label = params["day"], params["label"]
    try:
        return _solve_one_region(make_uow, day, label, params, progress)
    except Exception as exc:
        _fail_parent(make_uow, day, exc)
        raise


def _solve_one_region(make_uow: UowFactory, day: str, label: str, params: dict[str, Any],
                      progress: Progress) -> dict[str, Any]:
    from nemt.jobs import region_day

    instance = _instance(make_uow, day)
    parts, _nobody = _regions(make_uow, day)
    region = next((r for r in parts if r.label == label), None)
    if region is None:
        raise NotFound("the day has no region of this label", field="label", rule="region solves")
    with make_uow() as uow:
        kept = uow.regions.region_plan(day, label)
        plan = None if kept is None else kept.plan
    seconds, reused = 0.0, plan is not None
    if plan is None:
        progress(10, f"solving {len(region.requests)} requests on {len(region.vehicles)} vehicles")
        tic = time.perf_counter()
        solution = stitch(instance, [region], [solve_region(instance, region, float(params["time_limit"]),
                                                            int(params.get("seed", 1)))])
        seconds, plan = time.perf_counter() - tic, solution_to_json(solution)
        progress(90, "keeping the region's plan")
    def keep() -> tuple[bool, int]:
        with make_uow() as uow:
            uow.regions.day(day, lock=True)  # regions finishing at once count one after the other
            added = not reused and uow.regions.add_region_plan(RegionPlan(day_key=day, label=label, plan=plan,
                                                                          seconds=round(seconds, 3)))
            done = uow.regions.count_region_plans(day)
            uow.commit()
        return added, done

    added, done = _retried(keep)
    reused = not added
    records.progress(make_uow, day_key(day), _share(done, len(parts)), f"{done} of {len(parts)} regions solved")
    region_day.progress_of(make_uow, day_key(day), _share(done, len(parts)), f"{done} of {len(parts)} regions solved")
    if done == len(parts):
        _retried(lambda: _submit_stitch(make_uow, day))
    kept_plan = solution_from_json(plan)
    return {"region": label, "requests": len(region.requests), "vehicles": len(region.vehicles),
            "unserved": len(kept_plan.unserved), "cost": round(kept_plan.cost, 1), "seconds": round(seconds, 1),
            "kept_before": reused}


def stitch_day(make_uow: UowFactory, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The stitch job: one plan of the day, repaired across the seams, verified whole, kept once."""
    day = params["day"]
    try:
        return _stitch_day(make_uow, day, progress)
    except Exception as exc:
        _fail_parent(make_uow, day, exc)
        raise


def _stitch_day(make_uow: UowFactory, day: str, progress: Progress) -> dict[str, Any]:
    from nemt.jobs import region_day
    from nemt.scheduling import check_solution
    from nemt.scheduling.checker import ViolationKind

    with make_uow() as uow:
        row = uow.regions.day(day)
        summary = None if row is None or row.stitched_at is None else dict(row.summary or {})
    if summary is None:
        instance = _instance(make_uow, day)
        parts, nobody, alternatives = _split_kept(make_uow, day)
        with make_uow() as uow:
            plans = {p.label: solution_from_json(p.plan) for p in uow.regions.region_plans(day)}
        if set(plans) != {str(r.label) for r in parts}:
            raise Conflict("a region of the day has no plan yet", field="day", rule="region solves")
        progress(20, "stitching the regions' plans and repairing across the seams")
        ordered = [plans[str(r.label)] for r in parts]
        stitched = (min(ordered, key=lambda plan: (len(plan.unserved), plan.cost)) if alternatives
                    else merge(instance, ordered, nobody))
        placed: dict[str, int] = {}
        polished: dict[str, float] = {}
        repaired = repair(instance, stitched, last=set(nobody), placed=placed, polished=polished)
        progress(70, "checking the whole day with the independent checker")
        report = check_solution(instance, repaired)
        served = {s.request for route in repaired.routes for s in route.stops if s.request >= 0}
        if not report.only(ViolationKind.UNSERVED) or served & set(repaired.unserved):
            raise Conflict("the stitched plan of the day failed the independent checker", field="plan",
                           rule="independent checker")
        made = {"requests": len(instance.requests), "served": len(served), "unserved": len(repaired.unserved),
                "vehicles_used": repaired.num_routes(), "vehicles": len(instance.vehicles),
                "cost": round(report.cost, 1), "regions": len(parts),
                "placed_by_repair": len(stitched.unserved) - len(repaired.unserved),
                "placed_by_step": placed, "polished": polished, "verified": True}
        kept_plan = solution_to_json(repaired)
        summary = _retried(lambda: _keep_stitched(make_uow, day, kept_plan, made))
    region_day.write(make_uow, day, day_key(day), summary, progress)  # a program's day: the plan to its runs
    records.finish(make_uow, day_key(day), summary)
    return summary


def _keep_stitched(make_uow: UowFactory, day: str, plan: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    """Keep the day's stitched plan unless one is kept; the summary of the plan kept."""
    with make_uow() as uow:
        if not uow.regions.keep_plan(day, plan, summary):
            kept = uow.regions.day(day)
            summary = dict(kept.summary or {}) if kept is not None else summary
        uow.commit()
    return summary
