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
        yield eng


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
        tables = [r[0] for r in conn.execute(_text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        if tables:
            # The audit trail refuses TRUNCATE by trigger (migration 0007); a superuser's replica mode skips triggers.
            conn.execute(_text("SET LOCAL session_replication_role = replica"))
            conn.execute(_text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(engine):
    """A clean database; returns the engine."""
    _reset(engine)
    return engine


@pytest.fixture
def uow_factory(db):
    from nemt.store.uow import uow_factory as make

    return make(db)


@pytest.fixture
def demo(uow_factory):
    """The demo world (organizations, users, network, members) seeded into the clean database, without its week of
    rides; `demo_with_rides` has them."""
    from nemt.services.demo import seed

    seed(uow_factory, rides=False)
    return uow_factory


@pytest.fixture
def demo_with_rides(uow_factory):
    from nemt.services.demo import seed

    seed(uow_factory)
    return uow_factory


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
    """``nemt <args>`` run to its end in a subprocess on the test's database, its output captured as text; ``env``
    adds environment variables (``NEMT_CLOCK_START=...``)."""
    command, environment = _nemt_call(db, args, env)
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120, check=False)


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
