"""audit trail chained by hash; the channel of every event; TRUNCATE refused

Revision ID: 0007_audit_chain
Revises: 0005_one_event_each
Create Date: 2026-11-30

- ``audit_events``: ``seq``, ``prev_hash``, ``hash`` (the hash chain, :mod:`nemt.store.audit_chain`) and ``channel``,
  ``endpoint`` (through what an event came: the accounting of disclosures). The events already there are chained
  here in id order (their channel is empty: it was not recorded); the append-only triggers are set aside for that
  one update and put back.
- ``audit_chain_head``: the one-row head writers lock at commit, set to the last event chained here.
- PostgreSQL: a statement trigger refuses TRUNCATE on ``audit_events`` (row triggers do not fire on it). The
  application's role cannot TRUNCATE anyway (``nemt db grant``); this also stops the owner's slip.
"""
import sqlalchemy as sa
from alembic import op

from nemt.store.audit_chain import GENESIS, event_hash

revision = "0007_audit_chain"
down_revision = "0005_one_event_each"
branch_labels = None
depends_on = None

BATCH = 1000
_EVENTS = sa.table(
    "audit_events", sa.column("id", sa.Integer), sa.column("at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer), sa.column("username", sa.String), sa.column("role", sa.String),
    sa.column("organization_id", sa.Integer), sa.column("action", sa.String), sa.column("entity", sa.String),
    sa.column("member_id", sa.Integer), sa.column("detail", sa.JSON), sa.column("channel", sa.String),
    sa.column("endpoint", sa.String), sa.column("seq", sa.BigInteger), sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
_SQLITE_TRIGGERS = {verb: f"audit_events_no_{verb.lower()}" for verb in ("UPDATE", "DELETE")}


def _set_triggers_aside(postgresql: bool) -> None:
    if postgresql:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change")
    else:  # SQLite cannot disable a trigger; and the table is rebuilt below, which would drop them anyway
        for name in _SQLITE_TRIGGERS.values():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _put_triggers_back(postgresql: bool) -> None:
    if postgresql:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change")
    else:
        for verb, name in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} BEFORE {verb} ON audit_events "
                       "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END")


def _chain_existing() -> tuple[int, str]:
    """Chain the events already stored, in id order; returns the head (seq, hash)."""
    bind = op.get_bind()
    seq, prev = 0, GENESIS
    changes: list[dict] = []
    update = (sa.update(_EVENTS).where(_EVENTS.c.id == sa.bindparam("event_id"))
              .values(seq=sa.bindparam("new_seq"), prev_hash=sa.bindparam("new_prev"), hash=sa.bindparam("new_hash")))
    for row in bind.execute(sa.select(_EVENTS).order_by(_EVENTS.c.id)).mappings().all():
        seq += 1
        fields = dict(row, seq=seq, detail=row["detail"] or {})
        digest = event_hash(fields, prev)
        changes.append({"event_id": row["id"], "new_seq": seq, "new_prev": prev, "new_hash": digest})
        prev = digest
        if len(changes) >= BATCH:
            bind.execute(update, changes)
            changes = []
    if changes:
        bind.execute(update, changes)
    return seq, prev


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    _set_triggers_aside(postgresql)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("endpoint", sa.String(length=120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    head_seq, head_hash = _chain_existing()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        for name in ("seq", "prev_hash", "hash"):
            batch_op.alter_column(name, nullable=False)
        batch_op.create_index("ix_audit_events_seq", ["seq"], unique=True)
    _put_triggers_back(postgresql)
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": head_seq, "hash": head_hash}])
    if postgresql:
        op.execute("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    op.drop_table("audit_chain_head")
    _set_triggers_aside(postgresql)
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_seq")
        for name in ("hash", "prev_hash", "seq", "endpoint", "channel"):
            batch_op.drop_column(name)
    _put_triggers_back(postgresql)
