"""tamper-evident audit log

Revision ID: 0010
Revises: 0009

Each audit row gets `digest` (the sha256 of its content) and `chain` (the sha256 of the
previous row's chain and its digest): storage/audit_chain.py seals rows after they are written
and checks the chain. Rows already in the log are sealed at the next open.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("chain", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("chain")
        batch_op.drop_column("digest")
