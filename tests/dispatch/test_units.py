"""Dispatch's small pieces with a fake unit of work: drivers paired with vehicles, a lost race becoming a conflict,
and a plan whose only fault is leaving requests unserved."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy.orm.exc import StaleDataError

from nemt.scheduling.checker import CheckResult, Violation, ViolationKind
from nemt.services.dispatch import vehicle_drivers
from nemt.services.dispatch.runs import ONE_WRITER, one_writer
from nemt.services.platform.errors import Conflict

DAY = dt.date(2026, 11, 24)


class FakeDispatch:
    def __init__(self, runs, drivers):
        self._runs, self._drivers = runs, drivers

    def runs_of_day(self, day):
        return {r.vehicle_id: r for r in self._runs}

    def active_drivers(self):
        return [d for d in self._drivers if d.active]

    def driver(self, driver_id):
        return next(d for d in self._drivers if d.id == driver_id)


class FakeUow:
    def __init__(self, dispatch=None, fail_with=None):
        self.dispatch, self.fail_with, self.rolled_back = dispatch, fail_with, False

    def commit(self):
        if self.fail_with:
            raise self.fail_with

    def rollback(self):
        self.rolled_back = True


def test_vehicle_drivers_prefers_the_runs_driver_then_free_drivers_of_the_provider():
    d = [SimpleNamespace(id=i, provider_id=p, active=a) for i, p, a in
         ((1, 10, True), (2, 10, True), (3, 10, False), (4, 20, True))]
    vehicles = [SimpleNamespace(id=100 + i, provider_id=p) for i, p in enumerate((10, 10, 10, 20, 30))]
    runs = [SimpleNamespace(vehicle_id=101, driver_id=1)]  # vehicle 101's run already has driver 1
    drivers = vehicle_drivers(FakeUow(FakeDispatch(runs, d)), vehicles, DAY)
    assert [x.id if x else None for x in drivers] == [2, 1, None, 4, None]


def test_a_lost_race_at_commit_is_a_conflict_and_nothing_is_kept():
    uow = FakeUow(fail_with=StaleDataError("stale run version"))
    with pytest.raises(Conflict) as err:
        with one_writer(uow, "another dispatcher changed these runs", "schedule"):
            pass
    assert uow.rolled_back and err.value.rule == ONE_WRITER and err.value.field == "schedule"
    with one_writer(FakeUow(), "not raised", "schedule"):
        pass


def test_a_plan_whose_only_fault_is_unserved_requests_is_told_by_the_kind_of_each_violation():
    """``CheckResult.only``, as ``services.dispatch.live.save_checked`` uses it."""
    unserved = Violation(ViolationKind.UNSERVED, request="leg-1")
    window = Violation(ViolationKind.TIME_WINDOW, 0, 0, "leg-2", 1, 70.0, 60.0, 0.0, "pickup")
    assert CheckResult(False, 0.0, [unserved]).only(ViolationKind.UNSERVED)
    assert not CheckResult(False, 0.0, [unserved, window]).only(ViolationKind.UNSERVED)
    assert CheckResult(True, 0.0, []).only(ViolationKind.UNSERVED)


def test_a_lost_race_at_an_autoflush_before_the_commit_is_a_conflict_too():
    """The version check may fail at a query's autoflush inside the write, not only at the commit."""
    uow = FakeUow()
    with pytest.raises(Conflict) as err, one_writer(uow, "another dispatcher changed this vehicle's run", "vehicle"):
        raise StaleDataError("stale run version at autoflush")
    assert uow.rolled_back and err.value.rule == ONE_WRITER and err.value.field == "vehicle"
    with pytest.raises(Conflict) as other, one_writer(uow, "refusals pass through", "vehicle"):
        raise Conflict("the vehicle's run changed since you loaded it", field="vehicle", rule=ONE_WRITER)
    assert other.value.message == "the vehicle's run changed since you loaded it"
