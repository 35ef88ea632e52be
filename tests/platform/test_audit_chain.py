"""The audit trail's hash chain (issue 14, item 8): events chained in order under concurrency, and an edit, a
deleted event or a truncation by the database's owner — who can bypass the triggers — found and named by
``nemt audit verify``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from nemt.domain.actors import Actor
from nemt.services.platform import audit, audit_chain
from nemt.store.audit_chain import GENESIS, event_hash, fields_of
from tests.conftest import nemt_cli

SYSTEM = Actor.system("chain-test")


def _write(uow_factory, count: int, *, per_commit: int = 1) -> None:
    for n in range(0, count, per_commit):
        with uow_factory() as uow:
            for k in range(n, min(count, n + per_commit)):
                audit.record(uow, SYSTEM, "read", "thing", None, n=k)
            uow.commit()


def _verdict(uow_factory, anchors=()) -> audit_chain.Verdict:
    with uow_factory() as uow:
        return audit_chain.verify(uow, anchors)


def _as_owner(engine, *statements: str) -> None:
    """What the owner of the database can do that the application cannot: set the triggers aside and write."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        for statement in statements:
            conn.execute(text(statement))
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    if engine.dialect.name == "sqlite":
        engine.dispose()


def test_events_are_chained_in_order_one_or_many_per_commit(uow_factory):
    _write(uow_factory, 3)
    _write(uow_factory, 6, per_commit=3)
    with uow_factory() as uow:
        events = list(uow.audit.chain())
    assert [e.seq for e in events] == list(range(1, 10))
    prev = GENESIS
    for e in events:
        assert e.prev_hash == prev and e.hash == event_hash(fields_of(e), prev)
        prev = e.hash
    verdict = _verdict(uow_factory)
    assert verdict.ok and verdict.events == 9 and verdict.last_seq == 9


def test_a_rolled_back_unit_of_work_leaves_no_gap(uow_factory):
    _write(uow_factory, 2)
    with uow_factory() as uow:
        audit.record(uow, SYSTEM, "read", "thing", None)  # never committed
    _write(uow_factory, 1)
    with uow_factory() as uow:
        assert [e.seq for e in uow.audit.chain()] == [1, 2, 3]
    assert _verdict(uow_factory).ok


def test_an_edit_by_the_owner_is_named(db, uow_factory):
    _write(uow_factory, 5)
    _as_owner(db, "UPDATE audit_events SET username = 'someone-else' WHERE seq = 3")
    broken = _verdict(uow_factory).broken
    assert broken is not None and (broken.seq, broken.kind) == (3, "edited")
    assert "event 3" in broken.message and broken.at is not None


def test_an_edit_that_recomputes_the_hash_breaks_the_next_link(db, uow_factory):
    _write(uow_factory, 4)
    with uow_factory() as uow:
        second = uow.audit.at_seq(2)
        fields = {**fields_of(second), "action": "nothing"}
        forged = event_hash(fields, second.prev_hash)
    _as_owner(db, f"UPDATE audit_events SET action = 'nothing', hash = '{forged}' WHERE seq = 2")
    broken = _verdict(uow_factory).broken
    assert broken is not None and (broken.seq, broken.kind) == (3, "edited")
    assert "event 2 was changed or replaced" in broken.message


def test_a_deleted_middle_event_is_named(db, uow_factory):
    _write(uow_factory, 5)
    _as_owner(db, "DELETE FROM audit_events WHERE seq = 3")
    broken = _verdict(uow_factory).broken
    assert broken is not None and (broken.seq, broken.kind) == (3, "missing")
    assert "event 3 is missing" in broken.message


def test_reordered_events_are_named(db, uow_factory):
    _write(uow_factory, 4)
    _as_owner(db, "UPDATE audit_events SET seq = -2 WHERE seq = 2", "UPDATE audit_events SET seq = 2 WHERE seq = 3",
              "UPDATE audit_events SET seq = 3 WHERE seq = -2")
    broken = _verdict(uow_factory).broken
    assert broken is not None and (broken.seq, broken.kind) == (2, "reordered")


def test_deleting_the_newest_events_is_caught_by_the_head(db, uow_factory):
    _write(uow_factory, 5)
    _as_owner(db, "DELETE FROM audit_events WHERE seq >= 4")
    broken = _verdict(uow_factory).broken
    assert broken is not None and (broken.seq, broken.kind) == (4, "missing")
    assert "events 4 to 5 are missing" in broken.message


def test_truncation_by_the_owner_is_caught_by_an_anchor(db, uow_factory, tmp_path):
    _write(uow_factory, 5)
    anchors = tmp_path / "anchors.txt"
    taken = nemt_cli(db, "audit", "anchor", "--file", str(anchors))
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.split()[0] == "5" and anchors.read_text().split()[0] == "5"
    # The owner empties the trail and its head, then the application goes on writing: a consistent, new chain.
    if db.dialect.name == "postgresql":
        _as_owner(db, "TRUNCATE audit_events, audit_chain_head")
    else:
        _as_owner(db, "DELETE FROM audit_events", "DELETE FROM audit_chain_head")
    _write(uow_factory, 2)
    assert _verdict(uow_factory).ok  # without a witness outside the database, nothing shows
    plain = nemt_cli(db, "audit", "verify")
    assert plain.returncode == 0 and "intact: 2 events" in plain.stdout
    checked = nemt_cli(db, "audit", "verify", "--anchor", str(anchors))
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "BROKEN at event 5" in checked.stdout and "truncated" in checked.stdout


def test_verify_names_the_first_broken_link_and_exits_1(db, uow_factory):
    _write(uow_factory, 3)
    ok = nemt_cli(db, "audit", "verify")
    assert ok.returncode == 0 and "intact: 3 events, chained from 1 to 3" in ok.stdout
    _as_owner(db, "UPDATE audit_events SET detail = '{\"n\": 99}' WHERE seq = 2")
    bad = nemt_cli(db, "audit", "verify")
    assert bad.returncode == 1
    assert "BROKEN at event 2" in bad.stdout and "edited" in bad.stdout


def test_a_bad_anchor_file_is_an_error_line(db, tmp_path):
    junk = tmp_path / "anchors.txt"
    junk.write_text("not an anchor\n")
    result = nemt_cli(db, "audit", "verify", "--anchor", str(junk))
    assert result.returncode == 2 and result.stderr.startswith("error: anchor: line 1")


def test_truncate_is_refused_even_to_the_owner(db, uow_factory):
    if db.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _write(uow_factory, 1)
    with pytest.raises(DBAPIError, match="append-only"):
        with db.begin() as conn:
            conn.execute(text("TRUNCATE audit_events"))
    assert _verdict(uow_factory).events == 1


def test_twenty_concurrent_writers_make_one_chain(db, uow_factory):
    if db.dialect.name != "postgresql":
        pytest.skip("races are tested on PostgreSQL")
    writers, each = 20, 5
    barrier = threading.Barrier(writers, timeout=30)
    failures: list[str] = []

    def writer(number: int) -> None:
        try:
            barrier.wait()
            for k in range(each):
                with uow_factory() as uow:
                    audit.record(uow, SYSTEM, "read", "thing", None, writer=number, k=k)
                    if k % 2:  # some commits carry several events
                        audit.record(uow, SYSTEM, "read", "thing", None, writer=number, k=k, second=True)
                    uow.commit()
        except Exception as exc:  # noqa: BLE001 - any failure of a writer fails the test
            failures.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    expected = writers * (each + each // 2)
    verdict = _verdict(uow_factory)
    assert verdict.ok, verdict.broken
    assert verdict.events == expected and verdict.last_seq == expected
    with uow_factory() as uow:
        assert uow.audit.chain_head()[0] == expected


@contextmanager
def _fresh_engine(kind: str, tmp_path) -> Iterator[Engine]:
    """An empty database, not migrated: a SQLite file, or a schema of its own on PostgreSQL (dropped afterwards)."""
    from benchmarks.databases import postgres_schema
    from nemt.store.database import make_engine
    from tests.conftest import PG_URL, require_postgres

    if kind == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'older.db'}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    require_postgres()
    with postgres_schema(PG_URL, "t_chain", revision=None) as (engine, _schema):
        yield engine


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migration_chains_the_events_already_there(kind, tmp_path):
    from nemt.store.migrate import upgrade
    from nemt.store.uow import uow_factory

    with _fresh_engine(kind, tmp_path) as engine:
        upgrade(engine, "0005_one_event_each")
        with engine.begin() as conn:
            for n in range(3):
                conn.execute(text("INSERT INTO audit_events (at, username, role, action, entity, detail) VALUES "
                                  f"('2026-11-1{n} 10:00:00', 'older', 'auditor', 'read', 'member', '{{\"n\": {n}}}')"))
        upgrade(engine)
        make = uow_factory(engine)
        _write(make, 2)
        with make() as uow:
            events = list(uow.audit.chain())
            assert [(e.seq, e.username, e.channel) for e in events][:3] == [(n, "older", "") for n in (1, 2, 3)]
            verdict = audit_chain.verify(uow)
        assert verdict.ok and verdict.events == 5
        with pytest.raises(DBAPIError):  # the append-only triggers are back
            with engine.begin() as conn:
                conn.execute(text("UPDATE audit_events SET action = 'x'"))
