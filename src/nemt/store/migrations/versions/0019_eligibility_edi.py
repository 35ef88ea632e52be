"""eligibility with the payer: each 270 inquiry and the payer's 271 answer

Revision ID: 0019_eligibility_edi
Revises: 0016_review_mends
Create Date: 2026-11-30

- ``eligibility_checks``: one 270 we sent (its trace number, member, date of service, interchange control number)
  and, once read, the payer's 271 answer (active or not, the plans active on the date, the reject reasons in words,
  the SHA-256 of the 271). The booking decision reads the newest answer for the member and date.
"""
import sqlalchemy as sa
from alembic import op

revision = "0019_eligibility_edi"
down_revision = "0016_review_mends"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eligibility_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trace", sa.String(length=50), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("program", sa.String(length=2), nullable=False),
        sa.Column("date_of_service", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("interchange_control_number", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("plans", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("response_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sent_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trace"),
    )
    op.create_index("ix_eligibility_checks_member_day", "eligibility_checks", ["member_id", "date_of_service"])


def downgrade() -> None:
    op.drop_index("ix_eligibility_checks_member_day", table_name="eligibility_checks")
    op.drop_table("eligibility_checks")
