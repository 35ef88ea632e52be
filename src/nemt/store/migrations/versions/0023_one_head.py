"""one head again: members' documents, member search indexes and the day's regions, written in parallel

Revision ID: 0023_one_head
Revises: 0022_member_documents, 0022_member_search, 0022_region_days
Create Date: 2026-11-30

No schema change: the three branches touch different tables, so any order of them gives the same database.
"""

revision = "0023_one_head"
down_revision = ("0022_member_documents", "0022_member_search", "0022_region_days")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
