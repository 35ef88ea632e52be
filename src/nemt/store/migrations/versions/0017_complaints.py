"""complaints and grievances: the complaint, its investigation notes (append-only), the member's resolution notice

Revision ID: 0017_complaints
Revises: 0016_review_mends
Create Date: 2026-11-30

``complaint_notes`` is append-only: triggers refuse UPDATE and DELETE (SQLite and PostgreSQL), as on the trip log.
"""
import sqlalchemy as sa
from alembic import op

revision = "0017_complaints"
down_revision = "0016_review_mends"
branch_labels = None
depends_on = None

NOTES = "complaint_notes"


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
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("program", sa.String(length=2), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("trip_id", sa.Integer(), nullable=True),
        sa.Column("leg_id", sa.Integer(), nullable=True),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(length=24), nullable=False),
        sa.Column("filed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("filed_by_org_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("finding", sa.String(length=20), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["trip_id"], ["trips.id"]),
        sa.ForeignKeyConstraint(["leg_id"], ["legs.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["transport_providers.id"]),
        sa.ForeignKeyConstraint(["filed_by_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["filed_by_org_id"], ["organizations.id"]),
        sa.ForeignKeyConstraint(["resolved_by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        sa.UniqueConstraint("reference"),
    )
    for column in ("member_id", "trip_id", "provider_id", "filed_by_org_id"):
        op.create_index(f"ix_complaints_{column}", "complaints", [column])
    op.create_index("ix_complaints_program_received", "complaints", ["program", "received_on"])
    op.create_table(
        NOTES,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"]),
        sa.ForeignKeyConstraint(["author_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_complaint_notes_complaint_id", NOTES, ["complaint_id"])
    _append_only(NOTES)
    op.create_table(
        "complaint_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaints.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_complaint_notices_complaint_id", "complaint_notices", ["complaint_id"])
    op.create_index("ix_complaint_notices_member_id", "complaint_notices", ["member_id"])


def downgrade() -> None:
    op.drop_table("complaint_notices")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {NOTES}_no_change ON {NOTES}")
        op.execute(f"DROP FUNCTION IF EXISTS {NOTES}_append_only()")
    op.drop_table(NOTES)
    op.drop_table("complaints")
