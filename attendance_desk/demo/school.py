"""Writing the demo school into a database: refuses anything that might be a real school's data.

A demo database carries the app setting `demo` = `true`. Only such a database is ever replaced
(with `replace_demo=True`); any other database holding a school or pupils is left untouched.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

from attendance_desk import clock
from attendance_desk.demo.casework import seed_casework
from attendance_desk.demo.data import STAFF, YEAR_GROUPS, DemoData, generate_demo
from attendance_desk.demo.names import CLASS_NAMES
from attendance_desk.errors import UserError
from attendance_desk.storage import session_counts
from attendance_desk.storage.db import Database, check_database_path, open_database
from attendance_desk.storage.integrity import connect_read_only
from attendance_desk.storage.writer_lock import acquire_writer_lock

DEMO_SETTING = "demo"
SIDE_FILES = ("-wal", "-shm", "-journal")


def create_demo_database(
    path: Path, seed: int = 2024, as_of: date | None = None, replace_demo: bool = False
) -> str:
    """Fill a new or empty database at `path` with the demo school; return a one-line summary.

    Raises UserError when `path` already holds a school or pupils, unless `replace_demo` is set
    and that database is itself a demo, in which case it is deleted and built afresh.
    """
    path = Path(path).expanduser().absolute()
    check_database_path(path)  # a folder, a text file or a read-only place: one clear line
    # held from before the old demo is looked at until the new one is written: with another
    # copy working in the demo, DatabaseInUseError says so and no file is touched (its files
    # were deleted from under that copy's window, which then worked on in a deleted file)
    lock = acquire_writer_lock(path)
    try:
        return _replace_or_write(path, seed, as_of or clock.today(), replace_demo)
    finally:
        lock.release()


def _replace_or_write(path: Path, seed: int, as_of: date, replace_demo: bool) -> str:
    state = _existing_state(path)
    if state == "demo" and replace_demo:
        _delete_database(path)
    elif state == "demo":
        raise UserError(f"{path} already holds a demo school: choose a new file with --db")
    elif state == "school":
        raise UserError(
            f"{path} already holds a school's data: the demo is only written to a new or "
            "empty database (choose another file with --db)"
        )
    data = generate_demo(seed, as_of)
    db = open_database(path, new_school=True)  # asked for: a new school even in an empty file
    try:
        conn = db.raw_connection()
        try:
            _write(conn, data)
        finally:
            conn.close()
        _name_class_teachers(db)
        casework = seed_casework(db, as_of, seed)
    finally:
        db.close()
    return f"{summary_line(data)}; {casework}"


DEMO_CLASS_TEACHERS = (
    "Mrs Priya Sandhu",
    "Mr Tom Whitlock",
    "Miss Aoife Brennan",
    "Mr Kofi Mensah",
    "Mrs Jo Carver",
    "Ms Elin Pryce",
    "Mr Sam Oduya",
    "Mrs Beth Lowther",
    "Miss Hana Kowalczyk",
    "Mr Rhys Morgan",
    "Mrs Grace Achterberg",
    "Mr Dan Fairley",
    "Ms Zara Qureshi",
    "Mrs Lily Thornton",
)


def _name_class_teachers(db: Database) -> None:
    """Every demo class has a teacher, so cover sheets and the class teacher's letter print."""
    from attendance_desk.services.letter_sources import set_class_teacher

    classes = [name for year in YEAR_GROUPS for name in CLASS_NAMES[year]]
    for class_name, teacher in zip(classes, DEMO_CLASS_TEACHERS, strict=False):
        set_class_teacher(db, class_name, teacher)


def summary_line(data: DemoData) -> str:
    on_roll = len(data.on_roll())
    return f"{on_roll} pupils, {len(data.years)} academic years, {len(data.marks):,} marks"


def _existing_state(path: Path) -> str:
    """ "new" (nothing there yet), "demo" (our own demo database) or "school" (anything else)."""
    if not path.exists() or path.stat().st_size == 0:
        return "new"
    try:
        conn = connect_read_only(path)
    except sqlite3.Error as exc:
        raise UserError(f"{path} cannot be opened as a database: {exc}") from None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return "new"
        if "alembic_version" not in tables:
            raise UserError(
                f"{path} is a SQLite file of another program, not an Attendance Desk database"
            )
        if "app_settings" in tables:
            row = conn.execute(
                "SELECT value_json FROM app_settings WHERE key = ?", (DEMO_SETTING,)
            ).fetchone()
            if row is not None and _is_true(row[0]):
                return "demo"
        for table in ("pupils", "schools", "school", "marks"):
            if table in tables and conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
                return "school"
        return "new"
    except sqlite3.Error as exc:
        raise UserError(f"{path} cannot be read as a database: {exc}") from None
    finally:
        conn.close()


def _is_true(value_json: str) -> bool:
    try:
        return json.loads(value_json) in (True, "true")
    except ValueError:
        return False


def _delete_database(path: Path) -> None:
    for file in [path, *(path.with_name(path.name + suffix) for suffix in SIDE_FILES)]:
        try:
            file.unlink(missing_ok=True)
        except OSError as exc:
            raise UserError(
                f"cannot replace the demo database {path}: {exc.strerror} "
                "(is it open in another window?)"
            ) from None


def _write(conn: sqlite3.Connection, data: DemoData) -> None:
    """Everything in one transaction with plain executemany: the whole school in a second."""
    stamp = datetime.combine(data.as_of, datetime.min.time()).replace(hour=7, minute=30)
    created = stamp.isoformat(sep=" ", timespec="microseconds")
    school = data.school
    conn.execute("PRAGMA cache_size = -65536")
    with conn:  # commits once, or rolls everything back
        conn.execute(
            "INSERT INTO schools (name, address, postcode, phone, email, urn, headteacher,"
            " attendance_officer, logo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (school.name, school.address, school.postcode, school.phone, school.email,
             school.urn, school.headteacher, school.attendance_officer, data.logo_png),
        )  # fmt: skip
        for year in data.years:
            cur = conn.execute(
                "INSERT INTO academic_years (name, start_date, end_date) VALUES (?, ?, ?)",
                (year.name, year.start_date.isoformat(), year.end_date.isoformat()),
            )
            conn.executemany(
                "INSERT INTO half_terms (academic_year_id, name, start_date, end_date)"
                " VALUES (?, ?, ?, ?)",
                [(cur.lastrowid, h.name, h.start.isoformat(), h.end.isoformat())
                 for h in year.half_terms],
            )  # fmt: skip
            conn.executemany(
                "INSERT INTO closures (date, kind, description) VALUES (?, ?, ?)",
                [(c.date.isoformat(), c.kind, c.description) for c in year.closures],
            )
        conn.executemany(
            "INSERT INTO pupils (id, upn, admission_number, legal_surname, legal_forename,"
            " preferred_surname, preferred_forename, date_of_birth, sex, year_group, reg_group,"
            " admission_date, leaving_date, pupil_premium, fsm, sen_status, eal, looked_after,"
            " child_protection, child_in_need, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (p.id, p.upn, p.admission_number, p.legal_surname, p.legal_forename,
                 p.preferred_surname, p.preferred_forename, p.date_of_birth.isoformat(), p.sex,
                 p.year_group, p.reg_group, p.admission_date.isoformat(),
                 p.leaving_date.isoformat() if p.leaving_date else None, p.pupil_premium, p.fsm,
                 p.sen_status, p.eal, p.looked_after, p.child_protection, p.child_in_need,
                 created, created)
                for p in data.pupils
            ],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO contacts (pupil_id, priority, name, title, relationship_to_pupil,"
            " phone_home, phone_mobile, phone_work, email, address_line1, address_line2,"
            " address_line3, postcode, parental_responsibility, lives_with_pupil)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (p.id, priority, c.name, c.title, c.relationship, c.phone_home, c.phone_mobile,
                 c.phone_work, c.email, c.address_line1, c.address_line2 or None,
                 c.address_line3, c.postcode, c.parental_responsibility, c.lives_with_pupil)
                for p in data.pupils
                for priority, c in enumerate(p.contacts, start=1)
            ],
        )  # fmt: skip
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'marks'"
            " AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in indexes:  # rebuilt after the bulk insert: several times faster
            conn.execute(f'DROP INDEX "{name}"')
        counting = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            (session_counts.INSERT_TRIGGER,),
        ).fetchall()
        for _ in counting:  # the sessions counted once after, not by a trigger per mark
            conn.execute(f"DROP TRIGGER {session_counts.INSERT_TRIGGER}")
        conn.executemany(
            "INSERT INTO marks (pupil_id, date, session, code, source, import_id, updated_at)"
            " VALUES (?, ?, ?, ?, 'mis', NULL, ?)",
            [(pid, iso, session, code, f"{iso} {'09:10' if session == 'AM' else '13:20'}:00.000000")
             for pid, iso, session, code in data.marks],
        )  # fmt: skip
        for _name, sql in indexes:
            conn.execute(sql)
        for (sql,) in counting:
            conn.execute("DELETE FROM register_sessions")
            conn.execute(session_counts.RECOUNT)
            conn.execute(sql)
        conn.executemany(
            "INSERT INTO staff (name, role, active, created_at) VALUES (?, ?, 1, ?)",
            [(name, role.value, created) for name, role in STAFF],
        )
        conn.execute(
            "INSERT OR REPLACE INTO app_settings (key, value_json) VALUES (?, ?)",
            (DEMO_SETTING, "true"),
        )
