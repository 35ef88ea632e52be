"""the agent's call: finding a member by phone or partial name, driver notes, will-call returns

Revision ID: 0022_member_search
Revises: 0021_one_head
Create Date: 2026-11-30

Issue 16, point 4:

- ``ix_members_last_name_lower``, ``ix_members_first_name_lower``: ``lower(name)`` — on PostgreSQL with
  ``text_pattern_ops``, so a prefix search (``LIKE 'smi%'``) and the exact look-up both use it;
- ``ix_members_phone_digits``: the telephone number without the punctuation people type (the expression of
  ``nemt.store.repositories.members.phone_digits``);
- ``trips.driver_notes`` (text, default empty) and ``legs.will_call`` (the return is called for when the member is
  ready; false for every leg already booked).
"""
import sqlalchemy as sa
from alembic import op

revision = "0022_member_search"
down_revision = "0021_one_head"
branch_labels = None
depends_on = None

PHONE_PUNCTUATION = ("-", " ", "(", ")", ".", "+", "/")  # as nemt.store.repositories.members


def _phone_digits() -> str:
    expression = "phone"
    for mark in PHONE_PUNCTUATION:
        expression = f"replace({expression}, '{mark}', '')"
    return expression


def upgrade() -> None:
    pattern = " text_pattern_ops" if op.get_bind().dialect.name == "postgresql" else ""
    for column in ("last_name", "first_name"):
        op.execute(f"CREATE INDEX ix_members_{column}_lower ON members (lower({column}){pattern})")
    op.execute(f"CREATE INDEX ix_members_phone_digits ON members (({_phone_digits()}))")
    op.add_column("trips", sa.Column("driver_notes", sa.Text(), nullable=False, server_default=""))
    op.add_column("legs", sa.Column("will_call", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("legs") as batch:
        batch.drop_column("will_call")
    with op.batch_alter_table("trips") as batch:
        batch.drop_column("driver_notes")
    for name in ("ix_members_phone_digits", "ix_members_first_name_lower", "ix_members_last_name_lower"):
        op.drop_index(name, table_name="members")
