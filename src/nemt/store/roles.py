"""The application's database role on PostgreSQL: what it may do, granted by the owner that migrates.

Why two roles (issue 14; 45 CFR 164.312(b), (c)(1)): a table's owner or a superuser can TRUNCATE the audit trail,
disable its triggers or ALTER it; the role the application connects as must not. So migrations run as an *owner* role
(``NEMT_MIGRATION_DATABASE_URL``), and the application connects as an *app* role (``NEMT_DATABASE_URL``) that is no
superuser and owns nothing, granted exactly:

- SELECT, INSERT, UPDATE, DELETE on the platform's tables, and the sequences of their ids;
- only SELECT and INSERT on the append-only tables (``audit_events``, ``trip_log_events``, the trip evidence);
- SELECT, INSERT, UPDATE on ``audit_chain_head`` (writers lock and move it at commit), not DELETE;
- SELECT on ``alembic_version``; never TRUNCATE, REFERENCES or TRIGGER; no ALTER (only an owner may).

:func:`grant_app_role` (``nemt db grant --app-role NAME``, or ``nemt db upgrade`` when ``NEMT_DATABASE_APP_ROLE`` is
set) revokes what the role had and grants that, in the schema migrated (the connection's ``current_schema()``); run it
after every upgrade, so new tables are granted too. The SQL an operator runs once to create both roles is in the
README ("Database roles").
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from nemt.store.evidence_models import EVIDENCE_TABLES

# the notes of review cases (0020) and of complaints (0017) are append-only too
APPEND_ONLY = ("audit_events", "trip_log_events", *EVIDENCE_TABLES, "review_case_notes", "complaint_notes",
               "member_documents")  # a member's documents on file (0022) too
CHAIN_HEAD = "audit_chain_head"
READ_ONLY = ("alembic_version",)


class RoleProblem(ValueError):
    """The app role cannot be granted as asked (missing, a superuser, the owner); the message says why."""


def _check_role(conn: Connection, role: str) -> None:
    row = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if row is None:
        raise RoleProblem(f"there is no database role {role!r}; create it first (README: Database roles)")
    if row.rolsuper or row.rolbypassrls:
        raise RoleProblem(f"the role {role!r} is a superuser (or bypasses row security): the application's role "
                          "must not be, or it could erase the audit trail")
    owned = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                              "AND tableowner = :r"), {"r": role}).scalar()
    if owned:
        raise RoleProblem(f"the role {role!r} owns tables of this schema: migrate as another (owner) role")


def _grants(schema: str, role: str, tables: list[str]) -> list[str]:
    quoted = {t: f'"{schema}"."{t}"' for t in tables}
    plain = [quoted[t] for t in tables if t not in (*APPEND_ONLY, CHAIN_HEAD, *READ_ONLY)]
    statements = [
        f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
        f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM {role}',
        f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM {role}',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}',
    ]
    if plain:
        statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(plain)} TO {role}")
    statements += [f"GRANT SELECT, INSERT ON {quoted[t]} TO {role}" for t in APPEND_ONLY if t in quoted]
    statements += [f"GRANT SELECT ON {quoted[t]} TO {role}" for t in READ_ONLY if t in quoted]
    if CHAIN_HEAD in quoted:
        statements.append(f"GRANT SELECT, INSERT, UPDATE ON {quoted[CHAIN_HEAD]} TO {role}")
    return statements


def grant_app_role(engine: Engine, role: str) -> list[str]:
    """Grant ``role`` exactly what the application needs in the migrated schema (run as the owner); returns the
    statements run. PostgreSQL only: SQLite has no roles."""
    if engine.dialect.name != "postgresql":
        raise RoleProblem("database roles are PostgreSQL's; SQLite has none to grant")
    quoted_role = engine.dialect.identifier_preparer.quote(role)
    with engine.begin() as conn:
        _check_role(conn, role)
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        tables = list(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"),
                                   {"s": schema}).scalars())
        statements = _grants(schema, quoted_role, tables)
        for statement in statements:
            conn.execute(text(statement))
    return statements
