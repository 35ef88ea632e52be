"""Migration 0009_claim_payer: claims built before it get the payer of their member's county (SQLite file; the same
statements run on PostgreSQL in every database test's schema)."""

from __future__ import annotations

import sqlalchemy as sa

from nemt.store.database import make_engine
from nemt.store.migrate import upgrade
from tests.migration_data import populated_at_0005


def test_claims_before_the_migration_get_their_counties_payer(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'before.db'}")
    populated_at_0005(engine, counties=("Denver", "El Paso"))
    upgrade(engine, "0009_claim_payer")
    with engine.connect() as conn:
        payers = {n: p for n, p in conn.execute(sa.text("SELECT claim_number, payer FROM claims"))}
        sexes = set(conn.execute(sa.text("SELECT sex FROM members")).scalars())
    assert payers == {"CL1": "broker", "CL2": "department"}
    assert sexes == {"U"}
