"""one head again: the confirmation-number sequence and the kept travel matrices, written in parallel

Revision ID: 0025_one_head
Revises: 0024_load_indexes, 0024_region_programs
Create Date: 2026-11-30

No schema change: the two branches touch different objects (a sequence; the table travel_matrices), so either order
gives the same database.
"""

revision = "0025_one_head"
down_revision = ("0024_load_indexes", "0024_region_programs")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
