"""one job system, and the audit trail read by user: the review's mends

Revision ID: 0016_review_mends
Revises: 0015_one_head
Create Date: 2026-11-30

- ``dispatch_jobs`` (0013) is dropped: scheduling the day in the background is a job of ``nemt.jobs`` like every
  other, recorded in ``jobs`` (0014). Its rows were progress records of finished or abandoned runs, nothing a
  dispatcher acts on; a job still running when the server is upgraded is simply submitted again.
- ``ix_audit_events_user_at``: a user's events over a window (the bulk-read throttle counts a user's reads).
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_review_mends"
down_revision = "0015_one_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_dispatch_jobs_state", table_name="dispatch_jobs")
    op.drop_table("dispatch_jobs")
    op.create_index("ix_audit_events_user_at", "audit_events", ["user_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_user_at", table_name="audit_events")
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
