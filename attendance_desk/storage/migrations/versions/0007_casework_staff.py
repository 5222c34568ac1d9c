"""casework for a panel: named staff, leave requests, case owners and reviews, task owners and
outcomes, and what the Enforce gate considered

Revision ID: 0007
Revises: 0004

Additive only: two new tables and new columns with defaults, so existing rows keep their values.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('attendance_officer', 'dsl', 'headteacher', 'class_teacher')",
            name=op.f("ck_staff_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("name", name=op.f("uq_staff_name")),
    )
    op.create_table(
        "leave_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sa.Integer(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("decision_note", sa.Text(), nullable=False, server_default=""),
        sa.Column("recorded_by", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('authorised', 'refused')", name=op.f("ck_leave_requests_decision")
        ),
        sa.ForeignKeyConstraint(
            ["pupil_id"],
            ["pupils.id"],
            name=op.f("fk_leave_requests_pupil_id_pupils"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_requests")),
    )
    op.create_index(
        op.f("ix_leave_requests_pupil_id"), "leave_requests", ["pupil_id"], unique=False
    )
    # plain ADD COLUMN (SQLite keeps the table, its partial indexes and its triggers)
    op.add_column(
        "cases", sa.Column("owner", sa.String(length=100), nullable=False, server_default="")
    )
    op.add_column("cases", sa.Column("next_review", sa.Date(), nullable=True))
    op.add_column(
        "stage_changes",
        sa.Column("support_considered", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column(
        "stage_changes",
        sa.Column("signed_off_by", sa.String(length=100), nullable=False, server_default=""),
    )
    op.add_column(
        "tasks", sa.Column("owner", sa.String(length=100), nullable=False, server_default="")
    )
    op.add_column("tasks", sa.Column("outcome", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("outcome")
        batch.drop_column("owner")
    with op.batch_alter_table("stage_changes") as batch:
        batch.drop_column("signed_off_by")
        batch.drop_column("support_considered")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("next_review")
        batch.drop_column("owner")
    op.drop_index(op.f("ix_leave_requests_pupil_id"), table_name="leave_requests")
    op.drop_table("leave_requests")
    op.drop_table("staff")
