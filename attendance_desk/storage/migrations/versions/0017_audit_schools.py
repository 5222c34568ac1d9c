"""each audit row carries its school; a trust's staff read only their schools' audit rows

Revision ID: 0017
Revises: 0016

- `audit_log.school_id`, on both backends (a school moved from its SQLite file to PostgreSQL
  and back keeps the same columns). On SQLite its default is the one school, 1 (added without
  rewriting the table). On PostgreSQL the rows already there take the school of the pupil they
  are about (else school 1); a new row takes the school of the pupil it is about, else the
  connection's school (`attendance_desk_school()`), set by a BEFORE INSERT trigger
  (`audit_log_school_v1`), so the trust's administrator editing a second school's pupil writes
  an audit row of that school.
- PostgreSQL: row-level security on `audit_log` with the school policy of 0015: a login role
  that does not own the tables reads, and writes, only the audit rows of the schools it is
  given. It is enabled, not forced: the tables' owner (the trust's administrator) keeps the
  whole log, and so do the two functions below, which run as the owner.
- The tamper-evident chain (storage/audit_chain.py) runs through every school's rows in id
  order, and its content leaves `school_id` out: no row is sealed again, every chain stands.
  A member of staff cannot read another school's rows, so what they need of them comes from
  two SECURITY DEFINER functions that give hashes only, never content:
  `attendance_desk_audit_tip()` (the newest sealed row's id and chain) and
  `attendance_desk_audit_links(after)` (id, digest and chain of every row after `after`). The
  chain check walks every link and checks the content of the rows the connection can read; a
  seal stops at the first unsealed row of another school (its own PC seals it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

AUDIT_SCHOOL = """
CREATE OR REPLACE FUNCTION audit_log_school_v1() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.pupil_id IS NOT NULL THEN
        NEW.school_id := coalesce(
            (SELECT p.school_id FROM pupils p WHERE p.id = NEW.pupil_id), NEW.school_id);
    END IF;
    RETURN NEW;
END
$$"""
AUDIT_SCHOOL_TRIGGER = (
    "CREATE TRIGGER audit_log_school_v1 BEFORE INSERT ON audit_log FOR EACH ROW "
    "EXECUTE FUNCTION audit_log_school_v1()"
)
TIP = """
CREATE OR REPLACE FUNCTION attendance_desk_audit_tip()
RETURNS TABLE (id integer, chain varchar)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT a.id, a.chain FROM audit_log a WHERE a.chain IS NOT NULL ORDER BY a.id DESC LIMIT 1
$$"""
LINKS = """
CREATE OR REPLACE FUNCTION attendance_desk_audit_links(after integer)
RETURNS TABLE (id integer, digest varchar, chain varchar)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT a.id, a.digest, a.chain FROM audit_log a WHERE a.id > after ORDER BY a.id
$$"""
RULE = (
    "((SELECT attendance_desk_acting()) IS NULL OR school_id = (SELECT attendance_desk_acting()))"
    " AND ((SELECT attendance_desk_schools()) IS NULL"
    " OR school_id = ANY (CAST((SELECT attendance_desk_schools()) AS integer[])))"
)


def upgrade() -> None:
    op.add_column(
        "audit_log",
        sa.Column("school_id", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "UPDATE audit_log a SET school_id = p.school_id FROM pupils p "
        "WHERE p.id = a.pupil_id AND p.school_id <> a.school_id"
    )
    op.alter_column("audit_log", "school_id", server_default=sa.text("attendance_desk_school()"))
    op.create_index("ix_audit_log_school_id", "audit_log", ["school_id"])
    op.execute(AUDIT_SCHOOL)
    op.execute(AUDIT_SCHOOL_TRIGGER)
    op.execute(TIP)
    op.execute(LINKS)
    op.execute("ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY school_rows ON audit_log USING ({RULE}) WITH CHECK ({RULE})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS school_rows ON audit_log")
        op.execute("ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY")
        op.execute("DROP FUNCTION IF EXISTS attendance_desk_audit_links(integer)")
        op.execute("DROP FUNCTION IF EXISTS attendance_desk_audit_tip()")
        op.execute("DROP TRIGGER IF EXISTS audit_log_school_v1 ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_school_v1()")
        op.drop_index("ix_audit_log_school_id", "audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("school_id")
