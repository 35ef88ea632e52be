"""the payer of each claim (the Department or the State Contracted Broker), and the member's sex

Revision ID: 0009_claim_payer
Revises: 0005_one_event_each
Create Date: 2026-11-30

``claims.payer`` (``nemt.billing.payers.PayerPath``): "Services provided in the broker service area are only
reimbursable by the State Contracted Broker and cannot be submitted directly to the Department" (Payment for Covered
Services). Claims built before this revision get the path of their member's county under the program's policy, as a
build now does.

``members.sex`` (F, M or U for unknown, the codes of 837P DMG03): the 837P's subscriber demographics and the
CMS-1500's item 3 sex box; members loaded before this revision are U (unknown: the box is left blank).
"""
import sqlalchemy as sa
from alembic import op

revision = "0009_claim_payer"
down_revision = "0005_one_event_each"
branch_labels = None
depends_on = None


def _fill() -> None:
    from nemt.billing.payers import payer_path
    from nemt.policy import PolicyError, load_policy

    bind = op.get_bind()
    claims = sa.table("claims", sa.column("id", sa.Integer), sa.column("program", sa.String),
                      sa.column("member_id", sa.Integer), sa.column("payer", sa.String))
    members = sa.table("members", sa.column("id", sa.Integer), sa.column("county", sa.String))
    rows = bind.execute(sa.select(claims.c.id, claims.c.program, members.c.county)
                        .join(members, members.c.id == claims.c.member_id)).all()
    for claim_id, program, county in rows:
        try:
            path = payer_path(county or "", load_policy(program))
        except (PolicyError, KeyError):
            continue
        if path.value != "department":
            bind.execute(sa.update(claims).where(claims.c.id == claim_id).values(payer=path.value))


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("payer", sa.String(20), nullable=False, server_default="department"))
        batch.create_index("ix_claims_payer", ["payer"])
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("sex", sa.String(1), nullable=False, server_default="U"))
    _fill()


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("sex")
    with op.batch_alter_table("claims") as batch:
        batch.drop_index("ix_claims_payer")
        batch.drop_column("payer")
