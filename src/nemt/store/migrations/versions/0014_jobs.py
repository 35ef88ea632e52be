"""background jobs: the job record of nemt.jobs (state, progress, result), one row per idempotency key

Revision ID: 0014_jobs
Revises: 0006_sessions, 0007_audit_chain, 0008_accounts_admin, 0009_claim_payer
Create Date: 2026-11-30

``jobs.key`` is unique: it is the job's idempotency key (submitting the same work twice finds the first row), so
the constraint, not a check in the application, is what keeps two submitters racing from queuing it twice.
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_jobs"
down_revision = ("0006_sessions", "0007_audit_chain", "0008_accounts_admin", "0009_claim_payer")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(200), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(120), nullable=True),
        sa.Column("requested_by", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", name="uq_jobs_key"),
    )
    op.create_index("ix_jobs_state", "jobs", ["state"])


def downgrade() -> None:
    op.drop_index("ix_jobs_state", table_name="jobs")
    op.drop_table("jobs")
