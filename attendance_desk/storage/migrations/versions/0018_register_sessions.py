"""a register of the sessions taken, kept by the database; no marks-by-date index

Revision ID: 0018
Revises: 0017

- `register_sessions`: one row per school, date and session that has at least one mark, with
  three counts of its marks: `marks` (all), `blank` (code '-' or '': the register not taken for
  that pupil) and `closed` (code '#': the school closed). "Any mark", "taken" (a mark other
  than '-' and '') and "taken as a school day" (a mark other than '#', '-' and '') are each a
  comparison of counts. A year is about 380 rows, whatever the roll. The key starts with the
  date (every read is of a range of dates) and ends with the school: unique per school, as 0016
  makes every key of a school's rows.
- Triggers on `marks` keep the counts exact for every insert, delete (a pupil removed: their
  marks go by cascade) and update of the school, date, session or code; a row whose `marks`
  falls to 0 is deleted, so the table is exactly the marks grouped by school, date and session.
  SQLite: a trigger per row. PostgreSQL: a trigger per statement over its transition tables
  (one grouped upsert for a whole COPY), with row-level security like every school-owned table
  (0015) and the privileges the roles already have on `marks`.
- The index of the marks by date (`ix_marks_date`) goes, on both backends: every read of a range
  of dates goes through this table or through each pupil's range of the marks' primary key, and
  the index cost a first import its rebuild (0.15 s of a 1,500-pupil year on SQLite) and the
  full integrity check its cross-check of every mark (0.31 s -> 0.12 s), and a third of the file.
  A register import's bulk path counts its new marks itself (importers/bulk_write.py) with the
  insert trigger dropped inside its transaction, as it does for the audit trigger.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_ADD = (
    "INSERT INTO register_sessions (school_id, date, session, marks, blank, closed) "
    "VALUES ({r}.school_id, {r}.date, {r}.session, 1, {r}.code IN ('-', ''), {r}.code = '#') "
    "ON CONFLICT (date, session, school_id) DO UPDATE SET marks = marks + 1, "
    "blank = blank + excluded.blank, closed = closed + excluded.closed;"
)
_TAKE = (
    "UPDATE register_sessions SET marks = marks - 1, blank = blank - ({r}.code IN ('-', '')), "
    "closed = closed - ({r}.code = '#') "
    "WHERE school_id = {r}.school_id AND date = {r}.date AND session = {r}.session; "
    "DELETE FROM register_sessions WHERE school_id = {r}.school_id AND date = {r}.date "
    "AND session = {r}.session AND marks <= 0;"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER register_sessions_insert_v1 AFTER INSERT ON marks BEGIN "
    + _ADD.format(r="NEW")
    + " END",
    "CREATE TRIGGER register_sessions_delete_v1 AFTER DELETE ON marks BEGIN "
    + _TAKE.format(r="OLD")
    + " END",
    "CREATE TRIGGER register_sessions_update_v1 AFTER UPDATE OF school_id, date, session, code "
    "ON marks WHEN OLD.school_id IS NOT NEW.school_id OR OLD.date IS NOT NEW.date "
    "OR OLD.session IS NOT NEW.session OR OLD.code IS NOT NEW.code BEGIN "
    + _ADD.format(r="NEW")
    + " "
    + _TAKE.format(r="OLD")
    + " END",
)

_PG_COUNTS = (
    "SELECT school_id, date, session, count(*) AS marks, "
    "count(*) FILTER (WHERE code IN ('-', '')) AS blank, "
    "count(*) FILTER (WHERE code = '#') AS closed FROM {rows} GROUP BY school_id, date, session"
)
_PG_ADD = (
    "INSERT INTO register_sessions AS r (school_id, date, session, marks, blank, closed) "
    + _PG_COUNTS.format(rows="new_marks")
    + " ON CONFLICT (date, session, school_id) DO UPDATE SET marks = r.marks + excluded.marks, "
    "blank = r.blank + excluded.blank, closed = r.closed + excluded.closed;"
)
_PG_TAKE = (
    "UPDATE register_sessions AS r SET marks = r.marks - o.marks, blank = r.blank - o.blank, "
    "closed = r.closed - o.closed FROM ("
    + _PG_COUNTS.format(rows="old_marks")
    + ") AS o WHERE r.school_id = o.school_id AND r.date = o.date AND r.session = o.session; "
    "DELETE FROM register_sessions AS r USING (SELECT DISTINCT school_id, date, session "
    "FROM old_marks) AS o WHERE r.school_id = o.school_id AND r.date = o.date "
    "AND r.session = o.session AND r.marks <= 0;"
)
PG_FUNCTIONS = {
    "register_sessions_add_v1": _PG_ADD,
    "register_sessions_take_v1": _PG_TAKE,
    "register_sessions_move_v1": _PG_ADD + " " + _PG_TAKE,
}
PG_TRIGGERS = (
    ("register_sessions_insert_v1", "INSERT", "NEW TABLE AS new_marks", "register_sessions_add_v1"),
    (
        "register_sessions_delete_v1",
        "DELETE",
        "OLD TABLE AS old_marks",
        "register_sessions_take_v1",
    ),
    (
        "register_sessions_update_v1",
        "UPDATE",
        "OLD TABLE AS old_marks NEW TABLE AS new_marks",
        "register_sessions_move_v1",
    ),
)
RULE = (
    "((SELECT attendance_desk_acting()) IS NULL OR school_id = (SELECT attendance_desk_acting()))"
    " AND ((SELECT attendance_desk_schools()) IS NULL"
    " OR school_id = ANY (CAST((SELECT attendance_desk_schools()) AS integer[])))"
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "register_sessions",
        sa.Column(
            "school_id",
            sa.Integer(),
            nullable=False,
            server_default=sa.text("attendance_desk_school()" if postgres else "1"),
        ),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("session", sa.String(length=2), nullable=False),
        sa.Column("marks", sa.Integer(), nullable=False),
        sa.Column("blank", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("date", "session", "school_id", name="pk_register_sessions"),
        sqlite_with_rowid=False,
    )
    if postgres:
        op.execute(
            "INSERT INTO register_sessions (school_id, date, session, marks, blank, closed) "
            + _PG_COUNTS.format(rows="marks")
        )
        for name, body in PG_FUNCTIONS.items():
            op.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN NULL; END $$"
            )
        for name, event, tables, function in PG_TRIGGERS:
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON marks REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
        op.execute("ALTER TABLE register_sessions ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE register_sessions FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY school_rows ON register_sessions USING ({RULE}) WITH CHECK ({RULE})"
        )
        # whoever may write marks may keep their counts (the triggers run as the writer)
        grants = (
            op.get_bind()
            .execute(
                sa.text(
                    "SELECT grantee, string_agg(privilege_type, ', ') "
                    "FROM information_schema.role_table_grants WHERE table_name = 'marks' "
                    "AND table_schema = current_schema() AND privilege_type IN "
                    "('SELECT', 'INSERT', 'UPDATE', 'DELETE') AND grantee <> current_user "
                    "GROUP BY grantee"
                )
            )
            .fetchall()
        )
        for grantee, privileges in grants:
            op.execute(f'GRANT {privileges} ON register_sessions TO "{grantee}"')
    else:
        op.execute(
            "INSERT INTO register_sessions (school_id, date, session, marks, blank, closed) "
            "SELECT school_id, date, session, count(*), sum(code IN ('-', '')), sum(code = '#') "
            "FROM marks GROUP BY school_id, date, session"
        )
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.drop_index("ix_marks_date", table_name="marks")


def downgrade() -> None:
    op.create_index("ix_marks_date", "marks", ["date"])
    if op.get_bind().dialect.name == "postgresql":
        for name, _, _, _ in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON marks")
        for name in PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name, _, _, _ in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("register_sessions")
