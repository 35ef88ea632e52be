"""claims on the database: payer claim number and adjudication on claims; billing profiles

Revision ID: 0004_claims
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_claims"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payer_claim_number", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("adjudication", sa.JSON(), nullable=True))
        batch_op.create_index("ix_claims_status", ["status"], unique=False)
    op.create_table(
        "billing_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("taxonomy", sa.String(length=10), nullable=False),
        sa.Column("address_line", sa.String(length=55), nullable=False),
        sa.Column("city", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("zip", sa.String(length=10), nullable=False),
        sa.Column("tax_id", sa.String(length=9), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("submitter_id", sa.String(length=15), nullable=False),
        sa.Column("submitter_name", sa.String(length=60), nullable=False),
        sa.Column("contact_name", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["transport_providers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider_id"),
    )


def downgrade() -> None:
    op.drop_table("billing_profiles")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_status")
        batch_op.drop_column("adjudication")
        batch_op.drop_column("payer_claim_number")
