"""the live day's records: dispatch jobs (progress of scheduling and re-planning) and will-call returns

Revision ID: 0013_dispatch_jobs
Revises: 0006_sessions, 0007_audit_chain, 0008_accounts_admin, 0009_claim_payer
Create Date: 2026-11-30

``dispatch_jobs`` is the progress record a dispatcher's page polls while the day is scheduled in the background;
``will_calls`` holds, per return leg, when the member called and the pick-up the program promised.
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_dispatch_jobs"
down_revision = ("0006_sessions", "0007_audit_chain", "0008_accounts_admin", "0009_claim_payer")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispatch_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("program", sa.String(2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(200), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", name="uq_dispatch_jobs_key"),
    )
    op.create_index("ix_dispatch_jobs_state", "dispatch_jobs", ["state"])
    op.create_table(
        "will_calls",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("leg_id", sa.Integer(), sa.ForeignKey("legs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promised_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.UniqueConstraint("leg_id", name="uq_will_calls_leg"),
    )


def downgrade() -> None:
    op.drop_table("will_calls")
    op.drop_index("ix_dispatch_jobs_state", table_name="dispatch_jobs")
    op.drop_table("dispatch_jobs")
