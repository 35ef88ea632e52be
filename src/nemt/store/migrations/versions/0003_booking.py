"""booking: idempotency key of standing orders

Revision ID: 0003_booking
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_booking"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("standing_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_standing_orders_idempotency_key"), ["idempotency_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("standing_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_standing_orders_idempotency_key"))
        batch_op.drop_column("idempotency_key")
