"""acknowledgments: what the receiver's 999/TA1 said of each batch, the payer's 277CA of each claim, and the files read

Revision ID: 0012_acknowledgments
Revises: 0009_claim_payer
Create Date: 2026-11-30

``claim_batches.ack_status`` / ``ack_detail`` / ``acknowledged_at``: a 999 (005010X231A1) or TA1 marks an exported
batch accepted, partially accepted or rejected, with the segments in error. ``claims.front_end`` /
``front_end_detail``: a 277CA (005010X214) marks each claim accepted into adjudication or rejected at the front end.
``acknowledgments``: one row per file read, ``sha256`` unique, so the same file twice changes nothing. Rows that exist
before this revision have no acknowledgment (NULL): none was read.
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_acknowledgments"
down_revision = "0009_claim_payer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claim_batches") as batch:
        batch.add_column(sa.Column("ack_status", sa.String(20), nullable=True))
        batch.add_column(sa.Column("ack_detail", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("front_end", sa.String(10), nullable=True))
        batch.add_column(sa.Column("front_end_detail", sa.JSON(), nullable=True))
    op.create_table(
        "acknowledgments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )


def downgrade() -> None:
    op.drop_table("acknowledgments")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("front_end_detail")
        batch.drop_column("front_end")
    with op.batch_alter_table("claim_batches") as batch:
        batch.drop_column("acknowledged_at")
        batch.drop_column("ack_detail")
        batch.drop_column("ack_status")
