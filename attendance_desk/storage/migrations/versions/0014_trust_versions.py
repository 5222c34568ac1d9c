"""a trust of schools, and versions on casework

Revision ID: 0014
Revises: 0005

- `school` becomes `schools` (one row per school; a SQLite file keeps its one school).
- `school_id` on every row a school owns (storage/trust.py lists the tables, frozen here). On
  SQLite the default is the one school (a constant default: SQLite adds the column without
  rewriting the table, so a big register costs nothing). On PostgreSQL the column is added with
  the constant default too (no table rewrite), then its default becomes the connection's school
  (`attendance_desk_school()`: the `attendance_desk.school` setting, else school 1).
- `staff_schools`: which schools a PostgreSQL login role may see (row-level security, 0015).
- `version` on cases, timeline events, tasks and leave requests: an edit names the version it
  read, so a second editor is told instead of overwriting (SQLAlchemy `version_id_col`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHOOL_OWNED = (
    "academic_years",
    "half_terms",
    "closures",
    "policy",
    "app_settings",
    "pupils",
    "contacts",
    "marks",
    "mark_changes",
    "imports",
    "import_mappings",
    "mis_changes",
    "day_reasons",
    "families",
    "family_members",
    "cases",
    "stage_changes",
    "timeline_events",
    "event_pupils",
    "event_revisions",
    "tasks",
    "leave_requests",
    "letter_templates",
    "letter_batches",
    "letters",
    "meetings",
    "meeting_actions",
)
VERSIONED = ("cases", "timeline_events", "tasks", "leave_requests")

PG_SCHOOL_FUNCTION = """
CREATE OR REPLACE FUNCTION attendance_desk_school() RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('attendance_desk.school', true), '')::integer, 1)
$$"""


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.rename_table("school", "schools")
    if postgres:
        op.execute("ALTER TABLE schools RENAME CONSTRAINT pk_school TO pk_schools")
        op.execute(PG_SCHOOL_FUNCTION)
    op.create_table(
        "staff_schools",
        sa.Column("login", sa.String(length=100), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_staff_schools_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("login", "school_id", name=op.f("pk_staff_schools")),
    )
    for table in SCHOOL_OWNED:
        op.add_column(
            table,
            sa.Column("school_id", sa.Integer(), nullable=False, server_default=sa.text("1")),
        )
        if postgres:
            op.alter_column(table, "school_id", server_default=sa.text("attendance_desk_school()"))
            op.create_index(f"ix_{table}_school_id", table, ["school_id"])
    for table in VERSIONED:
        op.add_column(
            table, sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
    for table in SCHOOL_OWNED:
        if postgres:
            op.drop_index(f"ix_{table}_school_id", table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("school_id")
    op.drop_table("staff_schools")
    op.rename_table("schools", "school")
    if postgres:
        op.execute("ALTER TABLE school RENAME CONSTRAINT pk_schools TO pk_school")
        op.execute("DROP FUNCTION IF EXISTS attendance_desk_school()")
