"""The live-day benchmark's replay (``python -m benchmarks live-day``) on a small day (on SQLite only: the services
it drives are tested on both databases by the other dispatch tests; this checks the benchmark itself): the
day is planned at 05:00, each event goes through the dispatch services in time order, every intermediate plan passes
the independent checker, the baseline's re-solves do too, and the day's figures add up."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from benchmarks.live_day import KINDS, replay
from benchmarks.live_day_replay import DayShape, event_plan
from benchmarks.live_day_world import DAY, local, prepare
from nemt import clock
from nemt.store.models import Leg, Trip


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_small_day_replayed_through_the_services_is_checked_after_every_event(uow_factory):
    before = clock.now()
    prepare(uow_factory)
    f = replay(uow_factory, legs=16, events=5, plan_seconds=1.0, baseline_seconds=0.2, seed=3)
    assert abs((clock.now() - before).total_seconds()) < 600  # the platform's clock goes on from where it was
    assert set(f.by_kind) <= set(KINDS) and sum(f.by_kind.values()) == f.events >= 1
    assert f.events + sum(f.nothing_to_act_on.values()) == f.events_drawn == 5  # each event applied, or said
    assert f.verified == 5 and f.baseline_verified == 5  # one re-check per event, each passed by the checker
    assert f.p50_ms > 0 and f.p95_ms >= f.p50_ms and f.baseline_p50_ms > 0
    assert 0 < f.cpu_p50_ms <= f.cpu_p95_ms and 0 <= f.checker_cpu_share <= 1 and f.baseline_cpu_p50_ms > 0
    assert 0 <= f.lag_mean_min <= f.lag_max_min
    with uow_factory() as uow:
        booked = uow.session.scalar(select(func.count(Leg.id)).join(Trip).where(Leg.service_date == DAY,
                                                                                Trip.confirmation.like("B-%")))
    assert booked >= 16 and f.legs <= booked  # cancelled legs are not counted
    assert 0 < f.served_in_window <= f.served <= f.legs and f.share_in_window == round(f.served_in_window / f.legs, 3)
    assert f.miles > 0


def test_each_kind_of_event_is_drawn_in_the_hours_that_have_legs_for_it():
    import random

    shape = DayShape(local(6), local(15, 30), local(6, 45), local(17))
    plan = event_plan(random.Random(1), 150, shape)
    assert [w for w, _k, _e in plan] == sorted(w for w, _k, _e in plan)
    assert {k: sum(1 for _w, kk, _e in plan if kk == k) for k in KINDS} == {k: 30 for k in KINDS}
    for when, kind, early in plan:
        start, end = shape.span(kind)
        assert start <= when <= end, kind
        assert (kind in ("late driver", "no-show")) == (early.total_seconds() > 0)
    assert max(w for w, k, _e in plan if k == "cancellation") <= local(15, 30)  # before the last pick-up
    assert min(w for w, k, _e in plan if k == "will-call") >= local(7)  # after the first drop-off
