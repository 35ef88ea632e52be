"""Travel-matrix preparation as a job (issue 18, item 2), in-process on SQLite and PostgreSQL: the prepare-matrix job
computes and keeps the minutes and miles between a program's places of the day; the plan of the day then reads them
from what was kept and computes none; run again, the job computes nothing and keeps one matrix; the nightly
day-ahead plan prepares each program's matrix, then plans its day."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from nemt import geo, jobs
from nemt.jobs import records
from nemt.jobs.matrices import engine_digest, kept_key, matrix_key, submit_prepare_matrix
from nemt.jobs.runner import InProcess
from nemt.store.matrix_models import TravelMatrix
from tests.dispatch.conftest import DAY
from tests.jobs.conftest import legs_served_once, wait_done


@pytest.fixture
def computed(monkeypatch):
    """The engine's matrix cache emptied, and every rectangle of minutes and miles it computes counted (in cells)."""
    engine = geo.default_engine()
    engine.cache.clear()
    cells: list[int] = []
    compute = engine._rectangle

    def counted(origins, destinations):
        cells.append(len(origins) * len(destinations))
        return compute(origins, destinations)

    monkeypatch.setattr(engine, "_rectangle", counted)
    yield cells
    engine.cache.clear()



def _prepare(make, **kwargs) -> records.JobView:
    submit_prepare_matrix(make, "CO", DAY, to=InProcess(make), **kwargs)
    return wait_done(make, matrix_key("CO", DAY))


def test_the_plan_reads_the_matrix_the_job_kept(day_to_plan, computed):
    job = _prepare(day_to_plan)
    assert job.state == "done" and job.error is None and job.result["kept"] is True
    places = job.result["places"]
    assert places > 2 and sum(computed) == places * places  # the whole matrix, once
    with day_to_plan() as uow:
        row = uow.session.scalar(select(TravelMatrix).where(TravelMatrix.key == kept_key("CO", DAY)))
        assert row is not None and row.points == places and row.engine == engine_digest(geo.default_engine())
    geo.default_engine().cache.clear()  # another worker: nothing of the day in its memory
    computed.clear()
    jobs.submit_plan_day(day_to_plan, "CO", DAY, time_limit=1, to=InProcess(day_to_plan))
    plan = wait_done(day_to_plan, jobs.plan_day_key("CO", DAY))
    assert plan.state == "done" and plan.result["assigned"] == 24, plan.error
    assert computed == [], "the plan computed travel times the prepare-matrix job had kept"
    assert legs_served_once(day_to_plan) == 24


def test_a_plan_without_a_kept_matrix_computes_it(day_to_plan, computed):
    jobs.submit_plan_day(day_to_plan, "CO", DAY, time_limit=1, to=InProcess(day_to_plan))
    assert wait_done(day_to_plan, jobs.plan_day_key("CO", DAY)).state == "done"
    assert sum(computed) > 0


def test_run_again_the_job_computes_nothing_and_keeps_one_matrix(day_to_plan, computed):
    first = _prepare(day_to_plan)
    assert first.state == "done" and first.result["kept"] is True
    geo.default_engine().cache.clear()
    computed.clear()
    again = _prepare(day_to_plan, again=True)
    assert again.state == "done" and again.attempts == 2
    assert again.result["kept"] is False and again.result["known_before"] == first.result["places"]
    assert computed == []
    with day_to_plan() as uow:
        assert uow.session.scalar(select(func.count()).select_from(TravelMatrix)) == 1


def test_the_day_ahead_plan_prepares_the_matrix_then_plans_the_day(day_to_plan, computed):
    submitted = jobs.submit_day_ahead(day_to_plan, DAY, time_limit=1, to=InProcess(day_to_plan))
    assert matrix_key("CO", DAY) in {j.key for j in submitted}
    for job in submitted:
        assert wait_done(day_to_plan, job.key).state == "done"
    plan = wait_done(day_to_plan, jobs.plan_day_key("CO", DAY))
    assert plan.state == "done" and plan.result["assigned"] == 24, plan.error
    assert legs_served_once(day_to_plan) == 24
