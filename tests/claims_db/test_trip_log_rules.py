"""The Standard Trip Log's pure rules (nemt.domain.trip_log) and the access rule of the trip-log services, the latter
with a fake unit of work."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from nemt.domain.actors import Actor, OrgKind, Role
from nemt.domain.statuses import EventKind, LegStatus
from nemt.domain.trip_log import (
    EVENT_KINDS,
    LegLog,
    LogEvent,
    TripLogError,
    completion_problems,
    correction_data,
    fold_log,
    is_closed,
    validate_event_data,
)
from nemt.policy import load_policy
from nemt.services.platform.errors import Forbidden, NotFound
from nemt.services.platform.permissions import Action
from nemt.services.trips.access import leg_for

UTC = dt.UTC


def test_event_kinds_are_the_enum():
    assert EVENT_KINDS == ("arrived", "picked-up", "dropped-off", "no-show", "cancelled", "correction")
    assert set(EVENT_KINDS) == set(EventKind)


@pytest.mark.parametrize("kind, data, field", [
    ("picked-up", {"identity_verified": "yes"}, "data.identity_verified"),
    ("dropped-off", {"loaded_miles": -1}, "data.loaded_miles"),
    ("dropped-off", {"loaded_miles": True}, "data.loaded_miles"),
    ("dropped-off", {"loaded_miles": 10**26}, "data.loaded_miles"),  # once reached the claim's arithmetic (a 500)
    ("dropped-off", {"wait_minutes": 24 * 60 + 1}, "data.wait_minutes"),
    ("picked-up", {"service_level": "x" * 41}, "data.service_level"),
    ("no-show", {"reason": 5}, "data.reason"),
    ("picked-up", {"escorts": "Pat"}, "data.escorts"),
    ("picked-up", {"escorts": [{"name": "Pat", "role": "butler"}]}, "data.escorts[0].role"),
    ("picked-up", {"additional_passengers": [{"name": "Kid", "age": 200}]}, "data.additional_passengers[0].age"),
    ("picked-up", {"additional_passengers": [{"name": "Kid", "age": 5, "reason": "fun"}]},
     "data.additional_passengers[0].reason"),
    ("arrived", {"loaded_miles": 3}, "data.loaded_miles"),
])
def test_bad_event_data_names_the_field(kind, data, field):
    with pytest.raises(TripLogError) as exc:
        validate_event_data(kind, data, policy=load_policy("CO"))
    assert exc.value.field == field and exc.value.rule == "trip-log event schema"


def test_event_data_is_normalized():
    data = validate_event_data("picked-up", policy=load_policy("CO"), data={
        "identity_verified": True, "service_level": "", "escorts": [{"name": " Pat "}],
        "additional_passengers": [{"name": "Kid", "age": 4, "relation": "member-child", "reason": "no-childcare"}]})
    assert data == {"identity_verified": True, "service_level": None,
                    "escorts": [{"name": "Pat", "role": "attendant"}],
                    "additional_passengers": [{"name": "Kid", "age": 4, "relation": "member-child",
                                               "reason": "no-childcare"}]}


def test_correction_data_supersedes_an_original_event():
    earlier = [LogEvent(1, "picked-up", dt.datetime(2026, 3, 2, 15, tzinfo=UTC), {}),
               LogEvent(2, "correction", dt.datetime(2026, 3, 2, 16, tzinfo=UTC), {"supersedes": 1})]
    stored = correction_data(earlier, {"supersedes": 1, "fields": {"at": "2026-03-02T08:07:00-07:00",
                                                                   "identity_verified": True}},
                             policy=load_policy("CO"))
    assert stored == {"supersedes": 1, "reason": "",
                      "fields": {"at": "2026-03-02T15:07:00+00:00", "identity_verified": True}}
    for data, field in [({"supersedes": 9, "fields": {"metered": True}}, "data.supersedes"),
                        ({"supersedes": 2, "fields": {"metered": True}}, "data.supersedes"),
                        ({"supersedes": 1, "fields": {}}, "data.fields"),
                        ({"supersedes": 1, "fields": {"at": "2026-03-02T08:07:00"}}, "data.fields.at"),
                        ({"supersedes": 1, "fields": {"metered": True}, "extra": 1}, "data")]:
        with pytest.raises(TripLogError) as exc:
            correction_data(earlier, data, policy=load_policy("CO"))
        assert exc.value.field == field


def test_fold_closes_the_leg_and_completion_names_what_is_missing():
    log = fold_log([LogEvent(1, "no-show", dt.datetime(2026, 3, 2, 15, tzinfo=UTC), {"wait_minutes": 10})])
    assert log.status == LegStatus.NO_SHOW and log.wait_minutes == 10 and is_closed(log, "assigned")
    assert is_closed(LegLog(), LegStatus.CANCELLED) and not is_closed(LegLog(), LegStatus.ASSIGNED)
    problems = completion_problems(LegLog(), vehicle=None, driver="D", policy=load_policy("CO"))
    assert [f for f, _ in problems] == ["pickup_time", "dropoff_time", "identity_verified", "loaded_miles",
                                        "trip_confirmed_by", "vehicle"]
    assert all("—" in rule for _, rule in problems)  # each rule cites its manual section


# --- who may read and record a leg (a fake unit of work: the repository answers, the service decides) ------------
class _FakeTripLogs:
    def __init__(self, leg, visible: bool):
        self._leg, self._visible = leg, visible

    def leg(self, key):
        return self._leg if self._leg is not None and key == self._leg.key else None

    def is_visible(self, actor, leg):
        return self._visible


def _actor(role: Role, kind: OrgKind | None = OrgKind.PROVIDER) -> Actor:
    return Actor(7, "someone", role.value, 3, kind.value if kind else None, "CO")


def _uow(visible: bool):
    return SimpleNamespace(trip_logs=_FakeTripLogs(SimpleNamespace(key="LEG1"), visible))


def test_leg_access_answers_by_role():
    assert leg_for(_uow(True), _actor(Role.DRIVER), "LEG1", Action.TRIP_LOG_RECORD).key == "LEG1"
    with pytest.raises(NotFound):
        leg_for(_uow(True), _actor(Role.DRIVER), "OTHER", Action.TRIP_LOG_RECORD)
    with pytest.raises(Forbidden) as exc:
        leg_for(_uow(False), _actor(Role.DRIVER), "LEG1", Action.TRIP_LOG_RECORD)
    assert exc.value.rule.startswith("a driver records")
    with pytest.raises(Forbidden) as exc:
        leg_for(_uow(False), _actor(Role.PROVIDER_ADMIN), "LEG1", Action.TRIP_LOG_READ)
    assert exc.value.rule == "provider admins see their organization's trip logs"
    with pytest.raises(NotFound) as exc:
        leg_for(_uow(False), _actor(Role.AUDITOR, OrgKind.DEPARTMENT), "LEG1", Action.TRIP_LOG_READ)
    assert exc.value.rule == "program-based access"
    with pytest.raises(Forbidden):  # the permissions table: a provider admin does not record
        leg_for(_uow(True), _actor(Role.PROVIDER_ADMIN), "LEG1", Action.TRIP_LOG_RECORD)
    assert leg_for(_uow(True), Actor.system(), "LEG1", Action.TRIP_LOG_RECORD).key == "LEG1"
