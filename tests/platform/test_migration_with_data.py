"""Every migration after the first release runs on a database that already holds data: a SQLite file with an
organization, a user, a member, a claim and audit events at 0005 upgrades to the head with nothing lost (SQLite
rebuilds a table to alter it, which foreign keys must not stop)."""

from __future__ import annotations

import sqlalchemy as sa

from nemt.store.database import make_engine
from nemt.store.migrate import upgrade

_NOW = "2026-03-02 12:00:00"


def _insert(conn, table: str, **values) -> None:
    names = ", ".join(values)
    conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def test_a_populated_database_upgrades_to_the_head(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'before.db'}")
    upgrade(engine, "0005_one_event_each")
    with engine.begin() as conn:
        _insert(conn, "organizations", id=1, key="o1", kind="transport-provider", name="T", program="CO",
                created_at=_NOW)
        _insert(conn, "users", id=1, username="u", display_name="U", password_hash="x", role="admin",
                organization_id=1, active=True, created_at=_NOW)
        _insert(conn, "api_tokens", id=1, user_id=1, token_sha256="a" * 64, label="", created_at=_NOW)
        _insert(conn, "transport_providers", id=1, organization_id=1, npi="1234567893", provider_type="73",
                specialty="326", modes="[]", service_counties="[]", enrolled=True)
        _insert(conn, "members", id=1, key="m1", program="CO", medicaid_id="D100001", first_name="A",
                last_name="B", birth_date="1960-01-01", address_line="", city="", state="CO", zip="80202",
                county="Denver", phone="", residence="home", has_other_transportation=False, at_risk_adult=False,
                created_at=_NOW, updated_at=_NOW)
        _insert(conn, "claims", id=1, key="c1", claim_number="CL1", program="CO", provider_id=1, member_id=1,
                billing_medicaid_id="D100001", place_of_service="41", diagnosis="R6889", frequency="1",
                status="exported", total_charge="10.00", edits="[]", created_at=_NOW)
        for n in (1, 2):
            _insert(conn, "audit_events", id=n, at=_NOW, user_id=1, username="u", role="admin", organization_id=1,
                    action="read", entity="member", member_id=1, detail="{}")
    upgrade(engine)
    with engine.connect() as conn:
        counts = {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("organizations", "users", "api_tokens", "members", "claims", "audit_events")}
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert list(conn.execute(sa.text("PRAGMA foreign_key_check"))) == []
    assert counts == {"organizations": 1, "users": 1, "api_tokens": 1, "members": 1, "claims": 1, "audit_events": 2}


def test_the_migrations_have_one_head():
    """Parallel branches are merged before they land, so `nemt db upgrade` has exactly one place to go."""
    from alembic.script import ScriptDirectory

    from nemt.store.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    assert len(script.get_heads()) == 1, script.get_heads()
