"""Every migration after the first release runs on a database that already holds data: a SQLite file with an
organization, a user, a member, a claim and audit events at 0005 upgrades to the head with nothing lost (SQLite
rebuilds a table to alter it, which foreign keys must not stop)."""

from __future__ import annotations

import sqlalchemy as sa

from nemt.store.database import make_engine
from nemt.store.migrate import upgrade
from tests.migration_data import populated_at_0005


def test_a_populated_database_upgrades_to_the_head(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'before.db'}")
    populated_at_0005(engine)
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
