"""The booking use cases' pieces without a database: the race and conflict helpers with a fake unit of work, the
change of a stored command, and the checks a ride request passes before the rules decide it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from nemt.domain import rides as domain
from nemt.policy import load_policy
from nemt.services.platform.errors import Conflict, InvalidInput
from nemt.services.rides import RideChange, RideRequestIn, request
from nemt.services.rides.change_cancel import changed_command
from nemt.services.rides.idempotency import ATTEMPTS, commit_or_conflict, retry_on_race
from nemt.store.repositories.rides import RideRepository
from tests.decisions.builders import co_request

MDT = dt.timezone(dt.timedelta(hours=-6))


class FakeRides(RideRepository):
    def __init__(self, dialect: str = "postgresql"):
        self._dialect = dialect

    @property
    def dialect(self) -> str:
        return self._dialect


class FakeUow:
    """Commits raise the queued errors, one per commit."""

    def __init__(self, *errors: Exception, dialect: str = "postgresql"):
        self.errors = list(errors)
        self.rides = FakeRides(dialect)
        self.commits = self.flushes = self.rollbacks = 0

    def commit(self) -> None:
        self.commits += 1
        if self.errors:
            raise self.errors.pop(0)

    def flush(self) -> None:
        self.flushes += 1
        if self.errors:
            raise self.errors.pop(0)

    def rollback(self) -> None:
        self.rollbacks += 1


def _unique() -> IntegrityError:
    return IntegrityError("INSERT", {}, Exception("unique"))


def _attempt(uow: FakeUow):
    def attempt() -> str:
        uow.commit()
        return "written"
    return attempt


GAVE_UP = Conflict("gave up", field="ride", rule="concurrent booking")


def test_a_lost_race_answers_with_the_winner():
    uow = FakeUow(_unique())
    assert retry_on_race(uow, _attempt(uow), lambda: "winner", GAVE_UP) == "winner"
    assert uow.rollbacks == 1 and uow.commits == 1


def test_a_lost_race_without_a_winner_yet_tries_again():
    uow = FakeUow(_unique())
    assert retry_on_race(uow, _attempt(uow), lambda: None, GAVE_UP) == "written"
    assert uow.commits == 2


def test_the_last_attempt_raises_the_error_itself():
    uow = FakeUow(*[_unique() for _ in range(ATTEMPTS)])
    with pytest.raises(IntegrityError):
        retry_on_race(uow, _attempt(uow), lambda: None, GAVE_UP)
    assert uow.commits == ATTEMPTS and uow.rollbacks == ATTEMPTS


def test_a_locked_sqlite_database_is_a_race_but_not_on_postgresql():
    locked = OperationalError("INSERT", {}, Exception("database is locked"))
    uow = FakeUow(locked, dialect="sqlite")
    assert retry_on_race(uow, _attempt(uow), lambda: None, GAVE_UP) == "written"
    uow = FakeUow(OperationalError("INSERT", {}, Exception("database is locked")))
    with pytest.raises(OperationalError):
        retry_on_race(uow, _attempt(uow), lambda: None, GAVE_UP)


def test_a_service_error_rolls_back_and_is_not_retried():
    uow = FakeUow()

    def refused() -> str:
        raise InvalidInput("no", field="x", rule="y")

    with pytest.raises(InvalidInput):
        retry_on_race(uow, refused, lambda: None, GAVE_UP)
    assert uow.rollbacks == 1


def test_commit_or_conflict_names_what_was_lost():
    uow = FakeUow(StaleDataError("version"))
    with pytest.raises(Conflict) as stale:
        commit_or_conflict(uow)
    assert stale.value.rule == "optimistic locking" and uow.rollbacks == 1
    uow = FakeUow(_unique())
    with pytest.raises(Conflict) as taken:
        commit_or_conflict(uow, flush_only=True)
    assert taken.value.field == "appointment_at" and uow.flushes == 1 and uow.commits == 0


def _stored(**extra) -> dict:
    body = RideRequestIn(member="m", destination={"provider": "p", "service": "dialysis"},
                         appointment_at=dt.datetime(2030, 3, 4, 10, tzinfo=MDT), requested_mode="taxi",
                         round_trip=True, return_pickup_at=dt.datetime(2030, 3, 4, 12, 30, tzinfo=MDT), **extra)
    return body.model_dump(mode="json")


def test_a_new_appointment_moves_the_return_with_it():
    trip = SimpleNamespace(member=SimpleNamespace(key="member-key"))
    change = RideChange(appointment_at=dt.datetime(2030, 3, 5, 9, tzinfo=MDT), reason="moved")
    command, changed = changed_command(trip, _stored(), change)
    assert command.member == "member-key" and command.requested_at is None
    assert command.return_pickup_at == dt.datetime(2030, 3, 5, 11, 30, tzinfo=MDT)
    assert changed == ["appointment_at", "return_pickup_at"]


def test_a_change_of_nothing_or_to_null_is_refused():
    trip = SimpleNamespace(member=SimpleNamespace(key="member-key"))
    with pytest.raises(InvalidInput) as nothing:
        changed_command(trip, _stored(), RideChange(reason="just because"))
    assert nothing.value.field == "body"
    with pytest.raises(InvalidInput) as null:
        changed_command(trip, _stored(), RideChange.model_validate({"appointment_at": None}))
    assert null.value.field == "appointment_at"


def test_the_booking_checks_the_request_as_the_contract_does():
    policy = load_policy("CO")
    request.check(co_request(), policy)
    missed = co_request(urgent_reason="missed-pickup-over-1-hour")
    with pytest.raises(InvalidInput) as error:
        request.check(missed, policy)
    assert error.value.field == "missed_pickup_scheduled_at"
    child = co_request(purpose="caregiver-for-child")
    with pytest.raises(InvalidInput) as error:
        request.check(child, policy)
    assert error.value.field == "caregiver"
    caregiver = co_request(purpose="caregiver-for-child", caregiver=domain.Caregiver("C", "parent", "bad"))
    with pytest.raises(InvalidInput) as error:
        request.check(caregiver, policy)
    assert error.value.field == "caregiver.medicaid_id"


def test_member_facts_outside_the_vocabularies_are_named():
    member = co_request().member
    assert domain.member_facts_problem(member) is None
    assert "residence" in (domain.member_facts_problem(replace(member, residence="castle")) or "")
    assert "need" in (domain.member_facts_problem(replace(member, documented_needs=frozenset({"x"}))) or "")
