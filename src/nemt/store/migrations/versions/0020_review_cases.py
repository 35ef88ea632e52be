"""review cases on transportation providers: open, hold payments, note findings, release or deny (issue 15)

Revision ID: 0020_review_cases
Revises: 0016_review_mends
Create Date: 2026-11-30

``review_cases`` (:mod:`nemt.store.case_models`): at most one active (open or held) case per provider, by a partial
unique index. ``review_case_notes``: append-only — triggers refuse UPDATE and DELETE (SQLite and PostgreSQL); the
application's PostgreSQL role may only SELECT and INSERT it (``nemt.store.roles``).
"""
import sqlalchemy as sa
from alembic import op

revision = "0020_review_cases"
down_revision = "0016_review_mends"
branch_labels = None
depends_on = None

NOTES = "review_case_notes"
_ACTIVE = sa.text("status IN ('open', 'held')")


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$ BEGIN "
                   f"RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql")
        op.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def upgrade() -> None:
    op.create_table(
        "review_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("program", sa.String(length=2), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("opened_by_name", sa.String(length=80), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hold_reason", sa.Text(), nullable=True),
        sa.Column("held_by_name", sa.String(length=80), nullable=True),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("held_claims", sa.Integer(), nullable=False),
        sa.Column("closing_reason", sa.Text(), nullable=True),
        sa.Column("closed_by_name", sa.String(length=80), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("denied_claims", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["opened_by"], ["users.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["transport_providers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_review_cases_program", "review_cases", ["program"])
    op.create_index("ix_review_cases_provider_id", "review_cases", ["provider_id"])
    op.create_index("uq_review_cases_active_provider", "review_cases", ["provider_id"], unique=True,
                    sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)
    op.create_table(
        NOTES,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("written_by", sa.Integer(), nullable=True),
        sa.Column("written_by_name", sa.String(length=80), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_cases.id"]),
        sa.ForeignKeyConstraint(["written_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_case_notes_case_id", NOTES, ["case_id"])
    _append_only(NOTES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {NOTES}_no_change ON {NOTES}")
        op.execute(f"DROP FUNCTION IF EXISTS {NOTES}_append_only()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {NOTES}_no_{verb}")
    op.drop_index("ix_review_case_notes_case_id", table_name=NOTES)
    op.drop_table(NOTES)
    op.drop_index("uq_review_cases_active_provider", table_name="review_cases")
    op.drop_index("ix_review_cases_provider_id", table_name="review_cases")
    op.drop_index("ix_review_cases_program", table_name="review_cases")
    op.drop_table("review_cases")
