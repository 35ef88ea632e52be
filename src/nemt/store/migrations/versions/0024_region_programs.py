"""travel matrices prepared ahead: the road times and miles between a program's stops of a day (travel_matrices)

Revision ID: 0024_region_programs
Revises: 0023_one_head
Create Date: 2026-11-30

One row per program and day (``key`` unique, ``CO:2026-11-24``): the points (latitude and longitude of ZIP code
centroids, no member data), minutes and miles as one NumPy archive, and the distance engine they were computed by,
kept by the prepare-matrix job (``nemt.jobs.matrices``) so that the plan of the day, on any worker, reads them.
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_region_programs"
down_revision = "0023_one_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "travel_matrices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("engine", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("key", name="uq_travel_matrices_key"),
    )


def downgrade() -> None:
    op.drop_table("travel_matrices")
