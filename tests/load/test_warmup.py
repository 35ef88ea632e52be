"""The served application warms itself before its first request (``nemt.http.warmup``): the ORM's mappers are
configured, every router's route state is built by one request no route answers, and the connections a process
works with are open in the pool. The tests' own applications do not warm themselves."""

from __future__ import annotations

import logging

import anyio
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Mapper

from nemt.http.app import create_app
from nemt.http.warmup import warm_up
from nemt.store.database import open_connections
from nemt.store.models import Base


def _unconfigured_mappers() -> list[Mapper]:
    return [mapper for mapper in Base.registry.mappers if not mapper.configured]


def test_warm_up_pays_the_first_request_costs_before_any_request(db):
    app = create_app(db, secret_key="test-key")
    took = anyio.run(warm_up, app)

    assert list(took) == ["mappers", "routes", "connections"]
    assert all(ms >= 0 for ms in took.values())
    assert _unconfigured_mappers() == []
    if db.dialect.name == "postgresql":
        assert db.pool.checkedin() >= 1  # the connection the process works with is open in the pool


def test_the_warm_up_request_is_a_plain_not_found_that_writes_nothing(client, db):
    from nemt.http import warmup

    def audit_events() -> int:
        with db.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM audit_events")).scalar() or 0)

    before = audit_events()
    assert anyio.run(warmup._request_nothing, client.app) == 404
    assert audit_events() == before


def test_open_connections_leaves_them_in_the_pool(db):
    if db.dialect.name != "postgresql":
        pytest.skip("SQLite's engine keeps one connection per thread, not a pool of them")
    db.dispose()
    assert open_connections(db, 2) == 2
    assert db.pool.checkedin() == 2
    assert db.pool.checkedout() == 0


def test_the_served_application_warms_itself_and_a_test_application_does_not(db, caplog):
    caplog.set_level(logging.INFO, logger="nemt.http.warmup")
    with TestClient(create_app(db, secret_key="test-key")) as plain:
        assert plain.get("/health").status_code == 200
    assert not [r for r in caplog.records if r.name == "nemt.http.warmup"]

    with TestClient(create_app(db, secret_key="test-key", warm=True)) as served:
        warmed = [r.getMessage() for r in caplog.records if r.name == "nemt.http.warmup"]
        assert len(warmed) == 1 and "warmed up before the first request" in warmed[0]  # before any request
        assert "the routes answered 404" in warmed[0]
        assert served.get("/health").status_code == 200
