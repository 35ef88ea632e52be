"""a member's documents on file: certifications, 25-mile verification forms, prior authorizations, with the file

Revision ID: 0022_member_documents
Revises: 0021_one_head
Create Date: 2026-11-30

``member_documents`` (issue 16, point 3): one document as it arrived — kind, what it states, who signed and when,
the dates it counts, the uploaded file's bytes (PDF, PNG or JPEG; type, size, SHA-256), who recorded it and when.
Append-only: triggers refuse UPDATE and DELETE (SQLite and PostgreSQL); a newer document supersedes an older one.
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_member_documents"
down_revision = "0021_one_head"
branch_labels = None
depends_on = None

TABLE = "member_documents"


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
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("program", sa.String(length=2), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("statements", sa.JSON(), nullable=False),
        sa.Column("destination_provider_id", sa.Integer(), nullable=True),
        sa.Column("destination_name", sa.String(length=200), nullable=False),
        sa.Column("destination_zip", sa.String(length=10), nullable=False),
        sa.Column("recurring", sa.Boolean(), nullable=True),
        sa.Column("appointment_on", sa.Date(), nullable=True),
        sa.Column("covers", sa.JSON(), nullable=False),
        sa.Column("authorization_number", sa.String(length=40), nullable=False),
        sa.Column("signed_by", sa.String(length=200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_through", sa.Date(), nullable=True),
        sa.Column("file", sa.LargeBinary(), nullable=False),
        sa.Column("file_type", sa.String(length=40), nullable=False),
        sa.Column("file_bytes", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["destination_provider_id"], ["medical_providers.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_member_documents_member_kind", TABLE, ["member_id", "kind"])
    _append_only(TABLE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_change ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_append_only()")
    op.drop_index("ix_member_documents_member_kind", table_name=TABLE)
    op.drop_table(TABLE)
