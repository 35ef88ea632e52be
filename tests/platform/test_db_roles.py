"""Two database roles (issue 14, item 8 and "what it must have" 2): migrations run as an owner role, the application
connects as a role that is no superuser and may not UPDATE, DELETE, TRUNCATE or ALTER the audit trail, nor set its
triggers aside — and everything the application does still works as that role.

PostgreSQL only (SQLite has no roles). Each test run makes its own uniquely named roles and schema (parallel
workers share the cluster's roles) and drops them afterwards.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from nemt.store.database import make_engine
from nemt.store.models import MedicalProvider
from nemt.store.roles import RoleProblem, grant_app_role
from nemt.store.uow import uow_factory
from tests.conftest import PG_URL, require_postgres
from tests.rides.conftest import ride


def _url(schema: str, role: str) -> str:
    return f"{PG_URL}?options=" + quote(f"-csearch_path={schema} -crole={role}")


def _create_role(conn, name: str) -> None:
    """A role for this run; one left by an earlier run of the same name is tolerated."""
    conn.execute(text(f"DO $$ BEGIN CREATE ROLE {name} NOLOGIN; "
                      "EXCEPTION WHEN duplicate_object THEN NULL; END $$"))


@pytest.fixture(scope="module")
def roles():
    require_postgres()
    tag = f"{os.getpid()}_{secrets.token_hex(3)}"
    owner, app, schema = f"nemt_owner_{tag}", f"nemt_app_{tag}", f"t_roles_{tag}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        _create_role(conn, owner)
        _create_role(conn, app)
        conn.execute(text(f'CREATE SCHEMA "{schema}" AUTHORIZATION {owner}'))
    # `nemt db upgrade` as an operator runs it: migrate as the owner, then grant the app role.
    env = {**os.environ, "NEMT_DATABASE_URL": _url(schema, app), "NEMT_MIGRATION_DATABASE_URL": _url(schema, owner),
           "NEMT_DATABASE_APP_ROLE": app}
    upgraded = subprocess.run([sys.executable, "-m", "nemt.cli", "db", "upgrade"], capture_output=True, text=True,
                              env=env, timeout=300)
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"granted the role '{app}'" in upgraded.stdout
    yield {"owner": owner, "app": app, "schema": schema, "admin": admin, "env": env}
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.execute(text(f"DROP OWNED BY {owner}, {app}"))
        conn.execute(text(f"DROP ROLE {app}"))
        conn.execute(text(f"DROP ROLE {owner}"))
    admin.dispose()


@pytest.fixture(scope="module")
def app_engine(roles):
    engine = make_engine(_url(roles["schema"], roles["app"]))
    yield engine
    engine.dispose()


def test_the_owner_owns_the_tables_and_the_app_role_is_no_superuser(roles, app_engine):
    with roles["admin"].connect() as conn:
        owners = set(conn.execute(text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = :s"),
                                  {"s": roles["schema"]}).scalars())
        assert owners == {roles["owner"]}
    with app_engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar() == roles["app"]
        assert conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar() is False


def test_normal_use_works_as_the_app_role(app_engine):
    from nemt.http.app import create_app
    from nemt.services.demo import seed
    from nemt.services.platform import audit_chain

    make = uow_factory(app_engine)
    seed(make, rides=False)
    with make() as uow:
        provider = uow.session.scalar(select(MedicalProvider.key).where(MedicalProvider.program == "CO").limit(1))
    with TestClient(create_app(app_engine, secret_key="test-secret")) as client:
        token = client.post("/api/v1/auth/token", json={"username": "agent", "password": "agent-demo-2026"})
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['token']}"}
        [member] = client.post("/api/v1/members/search", json={"medicaid_id": "D100001"}, headers=headers).json()
        assert client.get(f"/api/v1/members/{member['key']}", headers=headers).status_code == 200
        booked = client.post("/api/v1/rides", json=ride(member["key"], provider), headers=headers)
        assert booked.status_code in (200, 201), booked.text
    with make() as uow:
        verdict = audit_chain.verify(uow)
    assert verdict.ok and verdict.events > 3


@pytest.mark.parametrize("statement", [
    "TRUNCATE audit_events",
    "UPDATE audit_events SET action = 'x'",
    "DELETE FROM audit_events",
    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "DROP TABLE audit_events CASCADE",
    "DELETE FROM audit_chain_head",
    "UPDATE trip_log_events SET kind = 'x'",
    "CREATE TABLE audit_events_copy (id integer)",
])
def test_the_app_role_cannot_touch_the_trail(app_engine, statement):
    with pytest.raises(DBAPIError, match="permission denied|must be owner"):
        with app_engine.begin() as conn:
            conn.execute(text(statement))


def test_a_superuser_is_not_granted_as_the_app_role(roles):
    owner_engine = make_engine(roles["env"]["NEMT_MIGRATION_DATABASE_URL"])
    try:
        with pytest.raises(RoleProblem, match="superuser"):
            grant_app_role(owner_engine, "postgres")
        with pytest.raises(RoleProblem, match="owns tables"):
            grant_app_role(owner_engine, roles["owner"])
    finally:
        owner_engine.dispose()
    refused = subprocess.run([sys.executable, "-m", "nemt.cli", "db", "grant", "--app-role", "postgres"],
                             capture_output=True, text=True, env=roles["env"], timeout=120)
    assert refused.returncode == 2 and refused.stderr.startswith("error: app-role: the role 'postgres' is a superuser")
