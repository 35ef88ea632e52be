"""user and organization administration: one-time set-password links; organizations can be deactivated

Revision ID: 0008_accounts_admin
Revises: 0005_one_event_each
Create Date: 2026-11-30

- ``password_links``: the SHA-256 of each one-time link's token, its user, purpose, expiry and use.
- ``organizations.active``: a deactivated organization's users cannot sign in (existing rows stay active).
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_accounts_admin"
down_revision = "0005_one_event_each"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index("ix_password_links_user_id", "password_links", ["user_id"])
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("active")
    op.drop_index("ix_password_links_user_id", table_name="password_links")
    op.drop_table("password_links")
