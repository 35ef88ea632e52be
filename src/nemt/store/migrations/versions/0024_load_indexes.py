"""confirmation numbers from a sequence: a booking no longer holds a counter row locked until it commits

Revision ID: 0024_load_indexes
Revises: 0023_one_head
Create Date: 2026-11-30

The call center's load (``python -m benchmarks load``, issue 18 point 5) found no index missing — every look-up of a
member search, a member's rides and a booking is served by one — but every booking of every worker process waiting
for the one row ``confirmation-CO`` of ``control_numbers``: the booking before it had locked it with its ``UPDATE``
and held it until its commit, through the trip's inserts and the audit chain's turn. On PostgreSQL the confirmation
numbers now come from the sequence ``trip_confirmations`` (``nextval`` takes no lock that lasts to the commit), started
above every confirmation number given so far; numbers never repeat and may leave gaps, as the counters' may. SQLite
(one writer at a time in any case) keeps the counter rows.
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_load_indexes"
down_revision = "0023_one_head"
branch_labels = None
depends_on = None

SEQUENCE = "trip_confirmations"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    start = bind.execute(sa.text("SELECT coalesce(max(last_value), 0) + 1 FROM control_numbers "
                                 "WHERE name LIKE 'confirmation-%'")).scalar_one()
    op.execute(f"CREATE SEQUENCE {SEQUENCE} START WITH {int(start)}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # The counters go on from the sequence's last number, for every program with trips, so none repeats.
    op.execute(f"""
        INSERT INTO control_numbers (name, last_value)
        SELECT 'confirmation-' || program, (SELECT last_value FROM {SEQUENCE})
        FROM (SELECT DISTINCT program FROM trips) p
        ON CONFLICT (name) DO UPDATE SET last_value = greatest(control_numbers.last_value, EXCLUDED.last_value)""")
    op.execute(f"DROP SEQUENCE {SEQUENCE}")
