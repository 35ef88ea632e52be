"""meals and lodging expenses with their receipts, each billed once

Revision ID: 0018_expenses
Revises: 0016_review_mends
Create Date: 2026-11-30

- ``expenses``: one meals or lodging receipt of a trip (Ancillary Services: Meals/Lodging) — for the member or an
  escort, the date, the amount charged (Decimal as text), out of state / inpatient stay, and the receipt's bytes in
  the database (PDF, PNG or JPEG; type, size, SHA-256).
- ``billed_expenses``: one row per expense billed in an original claim; its primary key bills an expense once.
"""
import sqlalchemy as sa
from alembic import op

revision = "0018_expenses"
down_revision = "0016_review_mends"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "expenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("program", sa.String(length=2), nullable=False),
        sa.Column("trip_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("person", sa.String(length=10), nullable=False),
        sa.Column("escort_number", sa.Integer(), nullable=True),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.String(length=20), nullable=False),
        sa.Column("out_of_state", sa.Boolean(), nullable=False),
        sa.Column("inpatient_stay", sa.Boolean(), nullable=False),
        sa.Column("receipt", sa.LargeBinary(), nullable=False),
        sa.Column("receipt_type", sa.String(length=40), nullable=False),
        sa.Column("receipt_bytes", sa.Integer(), nullable=False),
        sa.Column("receipt_sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["trip_id"], ["trips.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["transport_providers.id"]),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_expenses_trip_id", "expenses", ["trip_id"])
    op.create_index("ix_expenses_member_id", "expenses", ["member_id"])
    op.create_index("ix_expenses_provider_id", "expenses", ["provider_id"])
    op.create_index("ix_expenses_service_date", "expenses", ["service_date"])
    op.create_table(
        "billed_expenses",
        sa.Column("expense_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["expense_id"], ["expenses.id"]),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"]),
        sa.PrimaryKeyConstraint("expense_id"),
    )


def downgrade() -> None:
    op.drop_table("billed_expenses")
    for column in ("service_date", "provider_id", "member_id", "trip_id"):
        op.drop_index(f"ix_expenses_{column}", table_name="expenses")
    op.drop_table("expenses")
