"""Shared fixtures. The contract and data the suite reads are vendored in the repository (tools/vendor_shared.py;
tests/test_vendored_data.py keeps them equal to ../shared/ where it exists), so a bare clone runs the whole suite."""

from __future__ import annotations

import os
import shutil as _shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text as _text

os.environ.setdefault("NEMT_PASSWORD_HASH_COST", "test")  # cheap argon2id for per-test users (see services.auth)

# The suite sets its clock (nemt.clock): every process it starts, `nemt` subprocesses and the browser tests' server
# included, begins at this instant and runs at the real rate, so no result depends on the day, the time of day or the
# machine's time zone. A Tuesday morning in Denver, clear of holidays and daylight-saving changes for two weeks.
TEST_CLOCK_START = "2026-11-17T09:30:00-07:00"
os.environ["NEMT_CLOCK_START"] = TEST_CLOCK_START

REPO = Path(__file__).resolve().parents[1]
ACCEPTANCE = REPO / "tests" / "data" / "acceptance"
X12_SAMPLES = REPO / "tests" / "data" / "x12"
DARP = REPO / "benchmarks" / "data" / "darp"


@pytest.fixture(scope="session")
def acceptance_dir() -> Path:
    """The acceptance cases (claims/, decisions/) and their contract README."""
    return ACCEPTANCE


@pytest.fixture(scope="session")
def x12_dir() -> Path:
    return X12_SAMPLES


@pytest.fixture(scope="session")
def darp_dir() -> Path:
    """The dial-a-ride benchmark instances with bks.csv."""
    return DARP


# --- databases -------------------------------------------------------------------------------------------------
# Every test that touches the database takes the `engine` fixture (or one built on it) and so runs twice:
# against a SQLite file and against the local PostgreSQL server, with ids ending in [sqlite] and [postgresql].
# When CI=true and PostgreSQL cannot be reached, those tests fail; they never skip silently there.

PG_URL = os.environ.get("NEMT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> str | None:
    from nemt.store.database import make_engine

    try:
        engine = make_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(_text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure to connect is "unreachable"
        return f"{type(exc).__name__}: {exc}".splitlines()[0]


def require_or_skip(problem: str | None, what: str) -> None:
    """Skip the test when ``what`` (a service or a program the test needs) is not available — ``problem`` says why;
    ``None``: available — but fail it when CI=true: in CI a missing service is a broken build, not a skipped test."""
    if not problem:
        return
    message = f"{what}: {problem}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " — CI requires it")
    pytest.skip(message)


def require_postgres() -> None:
    """The local PostgreSQL server answers, or the test is skipped (failed when CI=true)."""
    require_or_skip(_postgres_reachable(), f"PostgreSQL at {PG_URL} is not reachable")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    from nemt.store.database import make_engine
    from nemt.store.migrate import upgrade

    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("sqlite")
        template = folder / "template.db"
        eng = make_engine(f"sqlite:///{template}")
        upgrade(eng)
        eng.dispose()
        eng = make_engine(f"sqlite:///{folder / 'test.db'}")
        eng.template_path = template  # type: ignore[attr-defined]
        eng.db_path = folder / "test.db"  # type: ignore[attr-defined]
        yield eng
        eng.dispose()
        return
    require_postgres()
    from benchmarks.databases import postgres_schema

    with postgres_schema(PG_URL, "t") as (eng, schema):
        eng.schema = schema  # type: ignore[attr-defined]
        try:
            yield eng
        finally:
            _drop_snapshots(eng)


def _reset(engine) -> None:
    """An empty, migrated database for each test."""
    if engine.dialect.name == "sqlite":
        engine.dispose()
        _shutil.copyfile(engine.template_path, engine.db_path)
        for suffix in ("-wal", "-shm"):
            p = engine.db_path.with_name(engine.db_path.name + suffix)
            if p.exists():
                p.unlink()
        return
    with engine.begin() as conn:
        tables = _pg_tables(conn)
        # DELETE, not TRUNCATE: a test's tables hold a few hundred rows, which DELETE removes in a tenth of a second,
        # while TRUNCATE makes new files for every table and index (a second per test). The audit trail refuses both
        # by trigger (migration 0007); a superuser's replica mode skips triggers, foreign keys included.
        conn.execute(_text("SET LOCAL session_replication_role = replica"))
        conn.execute(_text("; ".join(f'DELETE FROM "{t}"' for t in tables)))
        sequences = [r[0] for r in conn.execute(_text(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"))]
        if sequences:
            conn.execute(_text("; ".join(f'ALTER SEQUENCE "{s}" RESTART' for s in sequences)))


@pytest.fixture
def db(engine):
    """A clean database; returns the engine."""
    _reset(engine)
    return engine


@pytest.fixture
def uow_factory(db):
    from nemt.store.uow import uow_factory as make

    return make(db)


# --- the demo, seeded once per database and day ---------------------------------------------------------------
# Seeding the demo takes seconds and hundreds of tests start from it. The first test of a worker to ask for it on a
# database seeds it and keeps a copy of every table (SQLite: the file; PostgreSQL: a schema of copies); the next ones
# get the copy back. The seed depends on nothing but the demo's fixed random seed and the program's date of today
# (credential expiries, the week of appointments), so a copy is kept per date: a suite that runs across midnight,
# or under a moved clock, seeds again.

def _snapshot_key(engine, name: str) -> str:
    from nemt import clock
    from nemt.policy import load_policy

    return f"{name}_{clock.today(load_policy('CO').time_zone):%Y%m%d}"


def _pg_tables(conn) -> list[str]:
    return [r[0] for r in conn.execute(_text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version' "
        "ORDER BY tablename"))]


def _take_snapshot(engine, key: str) -> None:
    if engine.dialect.name == "sqlite":
        engine.dispose()  # the last connection closed checkpoints the write-ahead log into the file
        _shutil.copyfile(engine.db_path, engine.db_path.with_name(f"snapshot-{key}.db"))
        return
    snap = f"{engine.schema}_{key}"
    with engine.begin() as conn:
        conn.execute(_text(f'CREATE SCHEMA "{snap}"'))
        for table in _pg_tables(conn):
            conn.execute(_text(f'CREATE TABLE "{snap}"."{table}" AS TABLE "{table}"'))
        conn.execute(_text(
            f'CREATE TABLE "{snap}"."_sequences" AS SELECT sequencename AS name, last_value FROM pg_sequences '
            "WHERE schemaname = current_schema()"))
    engine.snapshots = {*getattr(engine, "snapshots", set()), snap}  # type: ignore[attr-defined]


def _restore_snapshot(engine, key: str) -> bool:
    """The database as the snapshot ``key`` left it; False when there is no such snapshot."""
    if engine.dialect.name == "sqlite":
        copy = engine.db_path.with_name(f"snapshot-{key}.db")
        if not copy.exists():
            return False
        engine.dispose()
        _shutil.copyfile(copy, engine.db_path)
        for suffix in ("-wal", "-shm"):
            p = engine.db_path.with_name(engine.db_path.name + suffix)
            if p.exists():
                p.unlink()
        return True
    snap = f"{engine.schema}_{key}"
    if snap not in getattr(engine, "snapshots", set()):
        return False
    _reset(engine)
    with engine.begin() as conn:
        # Copies go in as they were: foreign keys and the audit trail's append-only triggers are not re-run.
        conn.execute(_text("SET LOCAL session_replication_role = replica"))
        for table in _pg_tables(conn):
            conn.execute(_text(f'INSERT INTO "{table}" SELECT * FROM "{snap}"."{table}"'))
        for name, last_value in conn.execute(_text(f'SELECT name, last_value FROM "{snap}"."_sequences"')):
            if last_value is not None:
                conn.execute(_text("SELECT setval(:seq, :value, true)"), {"seq": f'"{name}"', "value": last_value})
    return True


def _drop_snapshots(engine) -> None:
    with engine.begin() as conn:
        for snap in getattr(engine, "snapshots", set()):
            conn.execute(_text(f'DROP SCHEMA IF EXISTS "{snap}" CASCADE'))


def _seeded(engine, uow_factory, *, rides: bool):
    from nemt.services.demo import seed

    key = _snapshot_key(engine, "demo_rides" if rides else "demo")
    if not _restore_snapshot(engine, key):
        seed(uow_factory, rides=rides)
        _take_snapshot(engine, key)
    return uow_factory


@pytest.fixture
def demo(db, uow_factory):
    """The demo world (organizations, users, network, members) seeded into the clean database, without its week of
    rides; `demo_with_rides` has them."""
    return _seeded(db, uow_factory, rides=False)


@pytest.fixture
def demo_with_rides(db, uow_factory):
    return _seeded(db, uow_factory, rides=True)


@pytest.fixture
def client(db, demo):
    from fastapi.testclient import TestClient

    from nemt.http.app import create_app

    with TestClient(create_app(db, secret_key="test-secret")) as c:
        yield c


@pytest.fixture
def token_for(client):
    """``token_for("agent")`` -> headers with a bearer token for that demo user."""
    from nemt.services.demo import DEMO_LOGINS

    passwords = {d.username: d.password for d in DEMO_LOGINS}

    def make(username: str) -> dict[str, str]:
        body = {"username": username, "password": passwords[username], "totp": demo_totp(client, username)}
        r = client.post("/api/v1/auth/token", json=body)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    return make


def demo_totp(client, username: str) -> str | None:
    """A second-factor code for a demo user enrolled with the demo secret (administrators, auditors), else None.

    A code is accepted once, so a half-minute offers two (this step's and the next); a test signing the same user in
    more often than that does not wait: the user's last used step is forgotten (test set-up, never the service)."""
    from nemt.services.platform import totp
    from nemt.services.platform.errors import Unauthorized

    with client.app.state.uow_factory() as uow:
        user = uow.users.by_username(username)
        if user is None or not totp.enrolled(user):
            return None
        try:
            return totp.demo_code(uow, username)
        except Unauthorized:
            user.totp_last_step = None
            uow.commit()
            return totp.demo_code(uow, username)


def database_url_of(engine) -> str:
    """A URL a subprocess (the `nemt` command) can use to reach the test's database."""
    from benchmarks.databases import schema_url

    if engine.dialect.name == "sqlite":
        return f"sqlite:///{engine.db_path}"
    return schema_url(PG_URL, engine.schema)


def _nemt_call(db, args: tuple[str, ...], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    return [sys.executable, "-m", "nemt.cli", *args], {**os.environ, "NEMT_DATABASE_URL": database_url_of(db), **env}


def nemt_cli(db, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``nemt <args>`` run to its end on the test's database, its output captured as text; ``env`` adds environment
    variables (``NEMT_EDI_OUTBOX=...``) for the command's settings.

    The command runs in this process, through Typer's runner: a subprocess would spend seconds importing the
    platform for each call, on hundreds of calls. The installed entry point itself is run as a process by the tests
    that need a process (``tests/interfaces/test_cli_layout.py``, the acceptance runs of ``nemt decide`` and
    ``nemt bill``, ``nemt_cli_started`` for commands that race each other). The command's clock is the test's
    (``nemt.clock`` is read once per process), so ``NEMT_CLOCK_START`` is not passed on."""
    import traceback

    from typer.testing import CliRunner

    from nemt.cli import app
    from nemt.settings import reload_settings
    from nemt.store import database

    env = {name: value for name, value in env.items() if name != "NEMT_CLOCK_START"}
    saved = {name: os.environ.get(name) for name in ("NEMT_DATABASE_URL", *env)}
    os.environ.update({"NEMT_DATABASE_URL": database_url_of(db), **env})
    reload_settings()
    database.default_engine.cache_clear()
    database.default_session_factory.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args))
    finally:
        database.default_engine().dispose()
        database.default_engine.cache_clear()
        database.default_session_factory.cache_clear()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reload_settings()
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))  # as the process would have printed it
    return subprocess.CompletedProcess(["nemt", *args], result.exit_code, result.stdout, stderr)


def nemt_cli_started(db, *args: str, **env: str) -> subprocess.Popen[str]:
    """The same command started and left running (commands that race each other); its output in pipes."""
    command, environment = _nemt_call(db, args, env)
    return subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def settings_env(monkeypatch):
    """``settings_env(NEMT_RESET_LINK_HOURS="2", ...)``: these environment variables set and the settings re-read
    (``nemt.settings.reload_settings``) for the rest of the test; the variables are undone and the suite's settings
    re-read at its end, whatever the test did."""
    from nemt.settings import reload_settings

    def apply(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        reload_settings()

    yield apply
    monkeypatch.undo()
    reload_settings()


def actor_for(uow_factory, username: str):
    """The :class:`nemt.domain.actors.Actor` of the user ``username`` (a demo user, usually), read once."""
    from nemt.services.platform.auth import actor_of

    with uow_factory() as uow:
        return actor_of(uow.users.by_username(username))
