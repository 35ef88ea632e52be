"""Unit of work, audit trail and control numbers on both databases."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from nemt.domain.actors import Actor
from nemt.store.models import Member


def _member(**kw) -> Member:
    import datetime as dt

    fields = dict(program="CO", medicaid_id="A123456", first_name="Ann", last_name="Example",
                  birth_date=dt.date(1950, 1, 1), state="CO", zip="80203", county="Denver")
    fields.update(kw)
    return Member(**fields)


def test_unit_of_work_commits_all_or_nothing(uow_factory):
    with pytest.raises(RuntimeError):
        with uow_factory() as uow:
            uow.members.add(_member())
            uow.session.flush()
            raise RuntimeError("the use case failed half-way")
    with uow_factory() as uow:
        assert uow.members.count() == 0
        uow.members.add(_member())
        uow.commit()
    with uow_factory() as uow:
        assert uow.members.count() == 1


def test_uncommitted_work_is_rolled_back(uow_factory):
    with uow_factory() as uow:
        uow.members.add(_member())
    with uow_factory() as uow:
        assert uow.members.count() == 0


def test_audit_trail_is_append_only(uow_factory):
    from nemt.services.platform import audit

    with uow_factory() as uow:
        audit.record(uow, Actor.system("t"), "read", "member", None)
        uow.commit()
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError):
            with uow_factory() as uow:
                uow.session.execute(text(statement))
                uow.commit()
    with uow_factory() as uow:
        assert uow.session.scalar(text("SELECT count(*) FROM audit_events")) == 1


def test_control_numbers_never_repeat_under_concurrency(uow_factory):
    got: list[int] = []
    lock = threading.Lock()

    def allocate():
        for _ in range(10):
            for attempt in range(20):
                try:
                    with uow_factory() as uow:
                        value = uow.control_numbers.next("isa")
                        uow.commit()
                    break
                except DBAPIError:  # SQLite may report "database is locked" under contention: retry
                    if attempt == 19:
                        raise
            with lock:
                got.append(value)

    with uow_factory() as uow:  # the first allocation creates the row
        uow.control_numbers.next("isa")
        uow.commit()
    threads = [threading.Thread(target=allocate) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 40 and len(set(got)) == 40
    assert sorted(got) == list(range(2, 42))
