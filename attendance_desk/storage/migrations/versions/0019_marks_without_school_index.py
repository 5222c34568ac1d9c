"""PostgreSQL: the marks lose their index by school

Revision ID: 0019
Revises: 0018

On PostgreSQL only (0014 made an index of `school_id` on every table a school owns; SQLite has
none). Every read of the marks goes through a pupil's range of the marks' primary key (a school's
pupils are found first) or through `register_sessions` (0018); the school is checked on each row
so read (row-level security, 0015). The index by school answered none of them, and misled the
planner into walking it row by row (tests/services/test_pg_plans.py). Its cost was each year's
first import: 0.10-0.13 s of the 1,500-pupil year's 1.3 s to build it again after the COPY,
and, for a smaller import that keeps the table's indexes, an entry written for every mark
(as much as the whole COPY into a bare table).
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_marks_school_id")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX IF NOT EXISTS ix_marks_school_id ON marks (school_id)")
