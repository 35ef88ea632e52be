"""A database at migration 0005 that already holds data, for the tests of the migrations after it (a migration must
carry the rows a running installation has, not only work on an empty database)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from nemt.store.migrate import upgrade

NOW = "2026-03-02 12:00:00"  # a fixed instant of the rows' own: what matters is that they exist before the upgrade


def insert(conn, table: str, **values) -> None:
    """One row by plain SQL: the models describe the head's tables, not 0005's."""
    names = ", ".join(values)
    conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def populated_at_0005(engine: sa.Engine, counties: Sequence[str] = ("Denver",)) -> None:
    """Migrate ``engine``'s empty database to 0005 and fill it: a transportation provider's organization, an
    administrator with an API token, and for each of ``counties`` (n = 1, 2, …) a Colorado member ``m<n>``
    (Medicaid ID ``D10000<n>``) living there with an exported claim ``CL<n>``; and two audit events of member 1."""
    upgrade(engine, "0005_one_event_each")
    with engine.begin() as conn:
        insert(conn, "organizations", id=1, key="o1", kind="transport-provider", name="T", program="CO",
               created_at=NOW)
        insert(conn, "users", id=1, username="u", display_name="U", password_hash="x", role="admin",
               organization_id=1, active=True, created_at=NOW)
        insert(conn, "api_tokens", id=1, user_id=1, token_sha256="a" * 64, label="", created_at=NOW)
        insert(conn, "transport_providers", id=1, organization_id=1, npi="1234567893", provider_type="73",
               specialty="326", modes="[]", service_counties="[]", enrolled=True)
        for n, county in enumerate(counties, start=1):
            insert(conn, "members", id=n, key=f"m{n}", program="CO", medicaid_id=f"D10000{n}", first_name="A",
                   last_name="B", birth_date="1960-01-01", address_line="", city="", state="CO", zip="80202",
                   county=county, phone="", residence="home", has_other_transportation=False, at_risk_adult=False,
                   created_at=NOW, updated_at=NOW)
            insert(conn, "claims", id=n, key=f"c{n}", claim_number=f"CL{n}", program="CO", provider_id=1,
                   member_id=n, billing_medicaid_id=f"D10000{n}", place_of_service="41", diagnosis="R6889",
                   frequency="1", status="exported", total_charge="10.00", edits="[]", created_at=NOW)
        for n in (1, 2):
            insert(conn, "audit_events", id=n, at=NOW, user_id=1, username="u", role="admin", organization_id=1,
                   action="read", entity="member", member_id=1, detail="{}")
