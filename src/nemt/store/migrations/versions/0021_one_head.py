"""one head again: complaints, meals and lodging, eligibility EDI and review cases, written in parallel

Revision ID: 0021_one_head
Revises: 0017_complaints, 0018_expenses, 0019_eligibility_edi, 0020_review_cases
Create Date: 2026-11-30

No schema change: the four branches touch different tables, so any order of them gives the same database.
"""

revision = "0021_one_head"
down_revision = ("0017_complaints", "0018_expenses", "0019_eligibility_edi", "0020_review_cases")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
