"""MIS person ids on pupils, and remembered import mappings

Revision ID: 0005
Revises: 0010

A roster that carries the MIS's own person id keeps it on the pupil, so a register keyed only
on that id matches. A mapping the user confirmed in the import window is remembered for the
file's shape (its header signature), so tomorrow's export of the same report needs no questions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mis_person_id", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_pupils_mis_person_id", ["mis_person_id"], unique=False)
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("mapping_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_mappings")),
        sa.UniqueConstraint("name", name=op.f("uq_import_mappings_name")),
        sa.UniqueConstraint("signature", name=op.f("uq_import_mappings_signature")),
    )


def downgrade() -> None:
    op.drop_table("import_mappings")
    with op.batch_alter_table("pupils", schema=None) as batch_op:
        batch_op.drop_index("ix_pupils_mis_person_id")
        batch_op.drop_column("mis_person_id")
