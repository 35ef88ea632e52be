"""one head again: trip evidence, acknowledgments, dispatch jobs and the job queue's records, written in parallel

Revision ID: 0015_one_head
Revises: 0010_trip_evidence, 0012_acknowledgments, 0013_dispatch_jobs, 0014_jobs
Create Date: 2026-11-30

No schema change: the four branches touch different tables, so any order of them gives the same database.
"""

revision = "0015_one_head"
down_revision = ("0010_trip_evidence", "0012_acknowledgments", "0013_dispatch_jobs", "0014_jobs")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
