"""Migration 0009_claim_payer: claims built before it get the payer of their member's county (SQLite file; the same
statements run on PostgreSQL in every database test's schema)."""

from __future__ import annotations

import sqlalchemy as sa

from nemt.store.database import make_engine
from nemt.store.migrate import upgrade

_NOW = "2026-03-02 12:00:00"


def _insert(conn, table: str, **values) -> None:
    names = ", ".join(values)
    conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def test_claims_before_the_migration_get_their_counties_payer(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'before.db'}")
    upgrade(engine, "0005_one_event_each")
    with engine.begin() as conn:
        _insert(conn, "organizations", id=1, key="o1", kind="transport-provider", name="T", program="CO",
                created_at=_NOW)
        _insert(conn, "transport_providers", id=1, organization_id=1, npi="1234567893", provider_type="73",
                specialty="326", modes="[]", service_counties="[]", enrolled=True)
        for n, county in ((1, "Denver"), (2, "El Paso")):
            _insert(conn, "members", id=n, key=f"m{n}", program="CO", medicaid_id=f"D10000{n}", first_name="A",
                    last_name="B", birth_date="1960-01-01", address_line="", city="", state="CO", zip="80202",
                    county=county, phone="", residence="home", has_other_transportation=False, at_risk_adult=False,
                    created_at=_NOW, updated_at=_NOW)
            _insert(conn, "claims", id=n, key=f"c{n}", claim_number=f"CL{n}", program="CO", provider_id=1,
                    member_id=n, billing_medicaid_id=f"D10000{n}", place_of_service="41", diagnosis="R6889",
                    frequency="1", status="exported", total_charge="10.00", edits="[]", created_at=_NOW)
    upgrade(engine, "0009_claim_payer")
    with engine.connect() as conn:
        payers = {n: p for n, p in conn.execute(sa.text("SELECT claim_number, payer FROM claims"))}
        sexes = set(conn.execute(sa.text("SELECT sex FROM members")).scalars())
    assert payers == {"CL1": "broker", "CL2": "department"}
    assert sexes == {"U"}
