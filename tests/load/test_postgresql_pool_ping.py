"""A pooled PostgreSQL connection is pinged before it is handed out only when it has been idle a while
(``nemt.store.database._ping_when_idle``): one the server dropped while it sat idle is replaced, never handed out;
one used a moment before goes out without a round trip. One the server dropped a moment after its last use fails
its next statement once, and the pool then starts afresh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, NullPool, create_engine, text
from sqlalchemy.exc import OperationalError

from nemt.store import database
from tests.conftest import PG_URL, require_postgres


@pytest.fixture
def pg() -> Iterator[Engine]:
    require_postgres()
    engine = database.make_engine(PG_URL)
    yield engine
    engine.dispose()


def _pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(engine: Engine, pid: int) -> None:
    """End one server process from outside the pool, as a restart of the server would."""
    other = create_engine(engine.url, poolclass=NullPool)
    try:
        with other.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one() is True
    finally:
        other.dispose()


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_used_a_moment_ago_goes_out_without_a_ping(pg, monkeypatch):
    pings = _count_pings(pg, monkeypatch)
    first = _pid(pg)
    for _ in range(5):
        assert _pid(pg) == first  # the same pooled connection each time
    assert pings == []


def test_a_connection_dropped_while_idle_is_replaced_before_it_is_handed_out(pg, monkeypatch):
    pings = _count_pings(pg, monkeypatch)
    dropped = _pid(pg)
    _terminate(pg, dropped)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # idle long enough: every checkout pings
    with pg.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != dropped
    assert len(pings) == 1  # the dead one answered no ping and was replaced by a new one, not pinged


def test_a_connection_dropped_a_moment_after_its_use_fails_once_then_the_pool_starts_afresh(pg):
    dropped = _pid(pg)
    _terminate(pg, dropped)
    with pytest.raises(OperationalError), pg.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert _pid(pg) != dropped
