"""A day solved by regions as jobs (issue 18, item 1), without a broker (the in-process default of ``make run``): the
parent splits, one job per region solves, the last region submits the stitch, and the stitched day — repaired across
the seams — is verified whole and kept once; a re-run of any of the jobs never serves a request twice."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from benchmarks.insertion import _day
from nemt import geo
from nemt.jobs import records, region_jobs
from nemt.jobs.runner import InProcess, execute
from nemt.scheduling import StopKind, check_solution
from nemt.scheduling.checker import ViolationKind
from nemt.services.platform.errors import Conflict, InvalidInput
from tests.jobs.conftest import wait_done


@pytest.fixture(scope="module")
def metro_day():
    instance, _homes, _clinics = _day(random.Random(11), 60, geo.default_engine())
    return instance



def served_once(instance, plan) -> int:
    """Every request picked up and dropped off once or listed unserved, never both; the plan verified whole."""
    report = check_solution(instance, plan)
    assert report.only(ViolationKind.UNSERVED), report.messages[:3]
    picked = Counter(s.request for route in plan.routes for s in route.stops if s.kind is StopKind.PICKUP)
    dropped = Counter(s.request for route in plan.routes for s in route.stops if s.kind is StopKind.DROPOFF)
    assert set(picked.values()) <= {1} and picked == dropped
    assert not set(picked) & set(plan.unserved)
    assert set(picked) | set(plan.unserved) == set(range(len(instance.requests)))
    assert len({route.vehicle for route in plan.routes}) == len(plan.routes), "a vehicle on two routes"
    return len(picked)


def test_a_day_solved_by_regions_in_process_is_one_verified_plan(uow_factory, metro_day):
    job = region_jobs.submit_solve_day(uow_factory, "metro-60", metro_day, regions=2, time_limit=1.0,
                                       to=InProcess(uow_factory))
    assert job.key == "solve-day:metro-60" and job.state == "queued"
    parent = wait_done(uow_factory, job.key)
    assert parent.state == "done", parent.error
    assert parent.progress == 100 and parent.result is not None
    result = parent.result
    # two clusters, and the stretcher vans with their trips as a region of their own (they carry nothing else)
    assert result["verified"] is True and result["regions"] == 3 and result["requests"] == 60
    assert result["served"] + result["unserved"] == 60 and result["unserved"] == 0
    assert sum(result["placed_by_step"].values()) == result["placed_by_repair"]  # what each step of the repair placed
    searched = {}
    for label in ("c1", "c2", "s1"):
        region = wait_done(uow_factory, region_jobs.region_key("metro-60", label))  # may end after the parent
        assert region.state == "done" and region.attempts == 1 and region.result["kept_before"] is False
        searched[region.params["requests"]] = region.params["time_limit"]
    # the day's search time (1 s a region, 3 s in all) shared by size: none under 1 s, none over half of it
    assert [searched[n] for n in sorted(searched)] == sorted(searched.values())
    assert min(searched.values()) == 1.0 and max(searched.values()) == 1.5
    assert wait_done(uow_factory, region_jobs.stitch_key("metro-60")).state == "done"
    instance, plan = region_jobs.day_plan(uow_factory, "metro-60")
    assert served_once(instance, plan) == 60
    assert round(check_solution(instance, plan).cost, 1) == result["cost"]


def test_re_running_any_job_of_the_day_changes_nothing(uow_factory, metro_day):
    runner = InProcess(uow_factory)
    job = region_jobs.submit_solve_day(uow_factory, "metro-again", metro_day, regions=2, time_limit=0.5, to=runner)
    first = wait_done(uow_factory, job.key).result
    for key in (region_jobs.region_key("metro-again", "c1"), region_jobs.region_key("metro-again", "c2"),
                region_jobs.stitch_key("metro-again")):
        wait_done(uow_factory, key)  # a region's record may be marked done just after the parent's
    _instance, kept = region_jobs.day_plan(uow_factory, "metro-again")
    # A duplicate delivery of a finished job does nothing; a job run once more (its record reset, as after a worker
    # died after its work was kept) finds the region's plan and the stitched plan kept, and keeps them.
    for key in (job.key, region_jobs.region_key("metro-again", "c1"), region_jobs.stitch_key("metro-again")):
        execute(uow_factory, key)
        with uow_factory() as uow:
            uow.jobs.by_key(key).state = "running"
            uow.commit()
        execute(uow_factory, key)
        assert records.status(uow_factory, key).attempts == 2
    region = records.status(uow_factory, region_jobs.region_key("metro-again", "c1"))
    assert region.result["kept_before"] is True and region.result["seconds"] == 0
    again = wait_done(uow_factory, job.key)
    assert again.state == "done" and again.result == first
    instance, plan = region_jobs.day_plan(uow_factory, "metro-again")
    assert plan == kept and served_once(instance, plan) == 60
    # Submitting the same day again finds it done; another instance under its key is refused.
    assert region_jobs.submit_solve_day(uow_factory, "metro-again", metro_day, to=runner).state == "done"
    smaller, _h, _c = _day(random.Random(3), 10, geo.default_engine())
    with pytest.raises(Conflict) as refused:
        region_jobs.submit_solve_day(uow_factory, "metro-again", smaller, to=runner)
    assert refused.value.rule == "one day per key"


def test_the_split_and_the_day_key_are_checked_when_submitted(uow_factory, metro_day):
    with pytest.raises(InvalidInput) as bad:
        region_jobs.submit_solve_day(uow_factory, "a day/with a slash", metro_day)
    assert bad.value.field == "day"
    with pytest.raises(InvalidInput) as bad:
        region_jobs.submit_solve_day(uow_factory, "ok", metro_day, split_by="groups", groups=["a"])
    assert bad.value.field == "groups"
    with pytest.raises(InvalidInput) as bad:
        region_jobs.submit_solve_day(uow_factory, "ok", metro_day, time_limit=0)
    assert bad.value.field == "time_limit"


def test_a_day_solved_by_two_seeds_keeps_the_better_whole_day(uow_factory, metro_day):
    job = region_jobs.submit_solve_day(uow_factory, "metro-seeds", metro_day, split_by="seeds", regions=2,
                                       time_limit=0.5, to=InProcess(uow_factory))
    parent = wait_done(uow_factory, job.key)
    assert parent.state == "done", parent.error
    costs = {}
    for n, label in enumerate(("s1", "s2")):
        region = wait_done(uow_factory, region_jobs.region_key("metro-seeds", label))
        assert region.params["seed"] == 1 + n and region.result["requests"] == 60
        costs[label] = (region.result["unserved"], region.result["cost"])
    instance, plan = region_jobs.day_plan(uow_factory, "metro-seeds")
    assert served_once(instance, plan) == 60
    assert (parent.result["unserved"], parent.result["cost"]) == min(costs.values())
