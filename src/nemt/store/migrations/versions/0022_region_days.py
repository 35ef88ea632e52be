"""region solves: a day's instance, its regions and stitched plan (region_days); one plan per day and region

Revision ID: 0022_region_days
Revises: 0021_one_head
Create Date: 2026-11-30

``region_plans`` is unique by (day_key, label): a region job run twice keeps one plan of its region (nemt.jobs).
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_region_days"
down_revision = "0021_one_head"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "region_days",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("instance", sa.LargeBinary(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=True),
        sa.Column("nobody", sa.JSON(), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stitched_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key", name="uq_region_days_key"),
    )
    op.create_table(
        "region_plans",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day_key", sa.String(160), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("day_key", "label", name="uq_region_plans_day_label"),
    )
    op.create_index("ix_region_plans_day_key", "region_plans", ["day_key"])


def downgrade() -> None:
    op.drop_index("ix_region_plans_day_key", table_name="region_plans")
    op.drop_table("region_plans")
    op.drop_table("region_days")
