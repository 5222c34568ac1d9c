"""A trust for the tests and the trust benchmark: copies of a school as further schools of the
same database (pupils with new UPNs, their marks and open cases), by plain SQL that runs on
SQLite and on PostgreSQL alike (`?` placeholders: sqlite3 and the PostgreSQL adapter)."""

from __future__ import annotations

from typing import Any

_PUPIL_COLUMNS = (
    "admission_number, legal_surname, legal_forename, preferred_surname, preferred_forename, "
    "date_of_birth, sex, year_group, reg_group, admission_date, leaving_date, pupil_premium, "
    "fsm, sen_status, eal, looked_after, child_protection, child_in_need, created_at, "
    "updated_at, mis_person_id"
)


def add_school(conn: Any, name: str, urn: str = "") -> int:
    conn.execute(
        "INSERT INTO schools (name, address, postcode, phone, email, urn, headteacher, "
        "attendance_officer) VALUES (?, '', '', '', '', ?, '', '')",
        (name, urn),
    )
    return int(conn.execute("SELECT max(id) FROM schools").fetchone()[0])


def copy_school(conn: Any, source: int, name: str, number: int, with_marks: bool = True) -> int:
    """A new school `name` holding a copy of school `source`'s pupils (UPNs starting with
    `T` and the two digits of `number`), their marks and their open cases; returns its id.
    The caller commits."""
    new = add_school(conn, name, f"9{number:05d}")
    prefix = f"T{number:02d}"
    conn.execute(
        f"INSERT INTO pupils (upn, {_PUPIL_COLUMNS}, school_id) "
        f"SELECT ? || substr(upn, 4), {_PUPIL_COLUMNS}, ? FROM pupils WHERE school_id = ? "
        "ORDER BY id",
        (prefix, new, source),
    )
    pairs = "FROM pupils op JOIN pupils np ON np.upn = ? || substr(op.upn, 4) AND np.school_id = ? "
    if with_marks:
        conn.execute(
            "INSERT INTO marks (pupil_id, date, session, code, source, import_id, updated_at, "
            "school_id) SELECT np.id, m.date, m.session, m.code, m.source, NULL, m.updated_at, ? "
            + pairs
            + "JOIN marks m ON m.pupil_id = op.id WHERE op.school_id = ?",
            (new, prefix, new, source),
        )
    conn.execute(
        "INSERT INTO cases (pupil_id, stage, stage_started, key_person, barriers, opened_on, "
        "opened_by, closed_on, created_at, owner, next_review, school_id) "
        "SELECT np.id, c.stage, c.stage_started, c.key_person, c.barriers, c.opened_on, "
        "c.opened_by, c.closed_on, c.created_at, c.owner, c.next_review, ? "
        + pairs
        + "JOIN cases c ON c.pupil_id = op.id WHERE op.school_id = ? AND c.closed_on IS NULL",
        (new, prefix, new, source),
    )
    return new
