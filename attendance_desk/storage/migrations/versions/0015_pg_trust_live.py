"""PostgreSQL: staff see only the schools they are given; changes are announced to other PCs

Revision ID: 0015
Revises: 0014

On PostgreSQL only (a SQLite file holds one school and is used from one PC: nothing changes):

- Row-level security on `schools` and every school-owned table (storage/trust.py, frozen
  here): a login role that is not the tables' owner sees, and may write, only the rows of the
  schools `staff_schools` gives it; with the connection's `attendance_desk.school` set, only
  that school's (the one the window acts for). The owner (who ran the migrations: the trust's
  administrator, or a one-school office) sees every school unless acting for one. Superusers
  are never restricted by PostgreSQL. The schools are worked out once per statement (InitPlans),
  not per row. A new row's school: the one acted for, else the role's first, else school 1.
- `attendance_desk_notify()`: a statement trigger on the tables other PCs show (marks, calls
  and the other timeline events, cases and their moves, tasks, pupils, contacts, leave, letters)
  announces a change on the channel `attendance_desk` (NOTIFY; the table, the school and who),
  once per table and transaction, so the windows listening refresh within seconds.
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
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
ANNOUNCED = (
    "marks",
    "timeline_events",
    "event_pupils",
    "cases",
    "stage_changes",
    "tasks",
    "pupils",
    "contacts",
    "leave_requests",
    "letters",
)

# NULL: every school (a role acting as the tables' owner: the trust's administrator, or the one
# school's office); else the schools `staff_schools` gives the login role.
VISIBLE_SCHOOLS = """
CREATE OR REPLACE FUNCTION attendance_desk_schools() RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT CASE
        WHEN pg_has_role(session_user,
                         (SELECT relowner FROM pg_class WHERE oid = 'public.schools'::regclass),
                         'USAGE') THEN NULL
        ELSE coalesce((SELECT array_agg(g.school_id) FROM staff_schools g
                       WHERE g.login = session_user), '{}')
    END
$$"""
# the school the connection acts for (`attendance_desk.school`), NULL when it acts for all
ACTING_SCHOOL = """
CREATE OR REPLACE FUNCTION attendance_desk_acting() RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('attendance_desk.school', true), '')::integer
$$"""
# a new row's school: the one acted for, else the first the role is given, else school 1
NEW_ROW_SCHOOL = """
CREATE OR REPLACE FUNCTION attendance_desk_school() RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT coalesce(attendance_desk_acting(), (SELECT min(g.school_id) FROM staff_schools g
                                              WHERE g.login = session_user), 1)
$$"""

# Announces a table's change once per transaction: the trigger's WHEN skips every later
# statement of the transaction on that table without calling PL/pgSQL (a register import's
# thousands of single-row statements cost one setting lookup each), and NOTIFY is delivered at
# commit anyway.
NOTIFY = """
CREATE OR REPLACE FUNCTION attendance_desk_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('attendance_desk.said_' || TG_TABLE_NAME, '1', true);
    PERFORM pg_notify('attendance_desk', json_build_object(
        'table', TG_TABLE_NAME,
        'school', attendance_desk_school(),
        'who', coalesce(current_setting('attendance_desk.who', true), ''),
        'pid', pg_backend_pid())::text);
    RETURN NULL;
END
$$"""


def _announce(table: str) -> str:
    return (
        f"CREATE TRIGGER announce_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH STATEMENT WHEN (current_setting('attendance_desk.said_{table}', true) "
        "IS DISTINCT FROM '1') EXECUTE FUNCTION attendance_desk_notify()"
    )


def _policy(table: str, column: str) -> str:
    rule = (
        f"((SELECT attendance_desk_acting()) IS NULL OR {column} = (SELECT attendance_desk_acting()))"
        f" AND ((SELECT attendance_desk_schools()) IS NULL"
        f" OR {column} = ANY (CAST((SELECT attendance_desk_schools()) AS integer[])))"
    )
    return f"CREATE POLICY school_rows ON {table} USING ({rule}) WITH CHECK ({rule})"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(VISIBLE_SCHOOLS)
    op.execute(ACTING_SCHOOL)
    op.execute(NEW_ROW_SCHOOL)
    for table, column in (("schools", "id"), *((t, "school_id") for t in SCHOOL_OWNED)):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        # the owner too (the school acted for applies to it); superusers are never restricted
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(_policy(table, column))
    op.execute(NOTIFY)
    for table in ANNOUNCED:
        op.execute(_announce(table))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ANNOUNCED:
        op.execute(f"DROP TRIGGER IF EXISTS announce_{table} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS attendance_desk_notify()")
    for table in ("schools", *SCHOOL_OWNED):
        op.execute(f"DROP POLICY IF EXISTS school_rows ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION IF EXISTS attendance_desk_schools()")
    op.execute("DROP FUNCTION IF EXISTS attendance_desk_acting()")
