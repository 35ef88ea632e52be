"""server-side web sessions, log-in attempts, lockout, second factor, expiring API tokens

Revision ID: 0006_sessions
Revises: 0005_one_event_each
Create Date: 2026-11-30

- ``web_sessions``: one row per sign-in, keyed by the SHA-256 of the cookie's random key; ended at sign-out or
  timeout (45 CFR 164.312(a)(2)(iii)).
- ``login_attempts``: every log-in attempt (user name as typed, client address, outcome) for the throttle.
- ``users``: consecutive failed log-ins, the lock, the TOTP secret (confirmed and pending) and its last time-step.
- ``api_tokens``: ``expires_at`` and ``last_used_at``. Tokens issued before this revision never expired; they are
  given 30 days from their creation (the default lifetime), so an old token stops working like a new one would.
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0006_sessions"
down_revision = "0005_one_event_each"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def _expire_old_tokens() -> None:
    tokens = sa.table("api_tokens", sa.column("id", sa.Integer), sa.column("created_at", _TZ),
                      sa.column("expires_at", _TZ))
    bind = op.get_bind()
    for row in bind.execute(sa.select(tokens.c.id, tokens.c.created_at)).all():
        bind.execute(sa.update(tokens).where(tokens.c.id == row.id)
                     .values(expires_at=row.created_at + dt.timedelta(days=30)))


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_sha256", sa.String(length=64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("last_seen_at", _TZ, nullable=False),
        sa.Column("ended_at", _TZ, nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", _TZ, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
    )
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["client_address", "at"])
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_at", _TZ, nullable=True))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_pending", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", _TZ, nullable=True))
        batch_op.add_column(sa.Column("last_used_at", _TZ, nullable=True))
    _expire_old_tokens()


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_pending")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("locked_at")
        batch_op.drop_column("failed_logins")
    op.drop_index("ix_login_attempts_address_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_table("web_sessions")
