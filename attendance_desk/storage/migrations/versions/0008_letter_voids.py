"""letters can be voided: kept in the register, marked void with who and why

Revision ID: 0008
Revises: 0006

A void letter stays in the register (and on the timeline) but is left out of the evidence
bundle. Additive only: three columns on `letters`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("letters", sa.Column("voided_at", sa.DateTime(), nullable=True))
    op.add_column(
        "letters",
        sa.Column("voided_by", sa.String(length=100), nullable=False, server_default=""),
    )
    op.add_column("letters", sa.Column("void_reason", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("letters") as batch:
        batch.drop_column("void_reason")
        batch.drop_column("voided_by")
        batch.drop_column("voided_at")
