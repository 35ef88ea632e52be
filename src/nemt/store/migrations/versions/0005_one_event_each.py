"""one trip per member, appointment and destination; one trip-log event of each kind per leg

Revision ID: 0005_one_event_each
Revises: 0003_booking, 0004_claims
Create Date: 2026-11-24

- ``trips.content_key``: the hash of member + appointment + destination + direction (what a booking without an
  ``Idempotency-Key`` is keyed by), unique among active trips, so agents each sending their own key cannot book the
  same ride twice. Filled here for the trips booked without a key (their idempotency key is that hash); trips booked
  with a client key before this revision keep it empty.
- ``trip_log_events``: one event of each kind per leg, corrections excepted (a partial unique index). The log is
  append-only, so duplicates recorded before this revision are not deleted here: the upgrade stops and names them.
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_one_event_each"
down_revision = ("0003_booking", "0004_claims")
branch_labels = None
depends_on = None

_ACTIVE = sa.text("status = 'active'")
_NOT_CORRECTION = sa.text("kind <> 'correction'")


def _fill_content_keys() -> None:
    trips = sa.table("trips", sa.column("id", sa.Integer), sa.column("idempotency_key", sa.String),
                     sa.column("status", sa.String), sa.column("request", sa.JSON),
                     sa.column("content_key", sa.String))
    bind = op.get_bind()
    seen: set[str] = set()
    for row in bind.execute(sa.select(trips.c.id, trips.c.idempotency_key, trips.c.request)
                            .where(trips.c.status == "active").order_by(trips.c.id)):
        if (row.request or {}).get("idempotency") == "content" and row.idempotency_key not in seen:
            seen.add(row.idempotency_key)
            bind.execute(sa.update(trips).where(trips.c.id == row.id).values(content_key=row.idempotency_key))


def _refuse_duplicate_events() -> None:
    duplicates = op.get_bind().execute(sa.text(
        "SELECT COUNT(*) FROM (SELECT leg_id, kind FROM trip_log_events WHERE kind <> 'correction' "
        "GROUP BY leg_id, kind HAVING COUNT(*) > 1) AS d")).scalar()
    if duplicates:
        raise RuntimeError(f"{duplicates} legs have more than one trip-log event of a kind; the log is append-only, "
                           "so review them (keep the first, record corrections) before this upgrade")


def upgrade() -> None:
    with op.batch_alter_table("trips", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_key", sa.String(length=64), nullable=True))
    _fill_content_keys()
    op.create_index("uq_trips_active_content_key", "trips", ["content_key"], unique=True,
                    postgresql_where=_ACTIVE, sqlite_where=_ACTIVE)
    _refuse_duplicate_events()
    op.create_index("uq_trip_log_one_event_each", "trip_log_events", ["leg_id", "kind"], unique=True,
                    postgresql_where=_NOT_CORRECTION, sqlite_where=_NOT_CORRECTION)


def downgrade() -> None:
    op.drop_index("uq_trip_log_one_event_each", table_name="trip_log_events")
    op.drop_index("uq_trips_active_content_key", table_name="trips")
    with op.batch_alter_table("trips", schema=None) as batch_op:
        batch_op.drop_column("content_key")
