"""Issue 17: a big register import into a new school of a trust's PostgreSQL database (the
tables' owner, not a superuser, working on Hillside: row-level security keeps it to that school)
counts the new sessions itself with the counting trigger off, and leaves every school's register
of sessions exactly its marks counted, the trigger on again and Oakfield's and Riverside's counts
as they were. The owner's row-level security, lifted inside the load's transaction (so its COPY
goes straight into the marks and the keys are checked over every school's rows), binds it
again after. Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from trust_school import add_school, built_trust, trust_owner_database

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))
from filemakers import expected_marks, wide_rows, write_xlsx  # noqa: E402

from attendance_desk.importers import bulk_write
from attendance_desk.services.importing import apply_import
from attendance_desk.storage import session_counts
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.trust import school_url

HELD = "SELECT school_id, date, session, marks, blank, closed FROM register_sessions"
COUNTED = (
    "SELECT school_id, date, session, count(*), count(*) FILTER (WHERE code IN ('-', '')), "
    "count(*) FILTER (WHERE code = '#') FROM marks GROUP BY school_id, date, session"
)


def _rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    conn = db.raw_connection()
    try:
        return sorted((tuple(r) for r in conn.execute(sql)), key=repr)
    finally:
        conn.close()


def _with_hillside(url: str) -> int:
    """Oakfield and Riverside with their marks, and Hillside, a new school with none: its id."""
    built_trust(url)
    owner = open_database(url)
    conn = owner.raw_connection(write=True)
    try:
        with conn:
            return add_school(conn, "Hillside Primary")
    finally:
        conn.close()
        owner.close()


FORCED = (
    "SELECT relname, relforcerowsecurity FROM pg_class "
    "WHERE oid IN ('marks'::regclass, 'pupils'::regclass, 'imports'::regclass)"
)
KEYS = "SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'marks'::regclass"


def _assert_kept_to_its_school(url: str, hillside: int) -> None:
    """After Hillside's big load: the owner, working on another school, sees none of Hillside's
    marks or pupils (its row-level security binds it again), and the marks' keys are whole."""
    db = open_database(url)
    try:
        assert _rows(db, FORCED) == [("imports", True), ("marks", True), ("pupils", True)]
        assert sorted(_rows(db, KEYS)) == [
            ("ck_marks_session", True),
            ("fk_marks_import_id_imports", True),
            ("fk_marks_pupil_id_pupils", True),
            ("pk_marks", True),
        ]
        other = min(
            int(str(r[0])) for r in _rows(db, f"SELECT id FROM schools WHERE id <> {hillside}")
        )
    finally:
        db.close()
    elsewhere = open_database(school_url(url, other))
    try:
        seen = f"SELECT count(*) FROM {{}} WHERE school_id = {hillside}"
        assert _rows(elsewhere, seen.format("marks")) == [(0,)]
        assert _rows(elsewhere, seen.format("pupils")) == [(0,)]
        assert _rows(elsewhere, "SELECT count(*) FROM marks")[0][0] > 0  # its own, as before
    finally:
        elsewhere.close()


def test_a_big_import_into_one_school_counts_its_sessions_and_leaves_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk_write, "REBUILD_INDEX_AT", 1)  # the big load's path, on a small file
    counted_here = session_counts.pg_counted_here
    took: list[bool] = []

    def spy(conn: Any, school: int) -> Iterator[session_counts.Counts | None]:
        with counted_here(conn, school) as counts:
            took.append(counts is not None)
            yield counts

    monkeypatch.setattr(session_counts, "pg_counted_here", contextmanager(spy))
    with trust_owner_database() as url:
        hillside = _with_hillside(url)
        owner = open_database(url)
        try:
            conn = owner.raw_connection(write=True)
            try:
                with conn:  # fewer marks kept than Hillside's first import brings: a big load
                    conn.execute("DELETE FROM marks WHERE date > (SELECT min(date) FROM marks)")
                    conn.execute("DELETE FROM marks WHERE session = 'PM'")
                    # the server's estimate of the rows as they are now, as autovacuum makes
                    # it in time: one it made before the deletes (its timing) says many more
                    conn.execute("ANALYZE marks")
            finally:
                conn.close()
            assert _rows(owner, "SELECT count(*) FROM marks")[0][0] < len(expected_marks())
            before = _rows(owner, HELD)
            assert before and before == _rows(owner, COUNTED)
        finally:
            owner.close()

        school = open_database(school_url(url, hillside))
        try:
            register = write_xlsx(tmp_path / "register.xlsx", wide_rows())
            assert apply_import(school, [register]).files[0].marks_added == len(expected_marks())
        finally:
            school.close()
        assert took == [True]  # the trigger was off, the import counted
        _assert_kept_to_its_school(url, hillside)

        db = open_database(url)
        try:
            held = _rows(db, HELD)
            assert held == _rows(db, COUNTED)
            assert [r for r in held if r[0] != hillside] == before
            assert sum(int(str(r[3])) for r in held if r[0] == hillside) == len(expected_marks())
            assert _rows(
                db,
                "SELECT tgname, tgenabled::text FROM pg_trigger "
                "WHERE tgrelid = 'marks'::regclass AND tgname LIKE 'register_sessions%'",
            ) == [
                ("register_sessions_delete_v1", "O"),
                ("register_sessions_insert_v1", "O"),
                ("register_sessions_update_v1", "O"),
            ]
        finally:
            db.close()


def test_a_first_import_into_a_school_of_a_bigger_trust_keeps_the_marks_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hillside's first register is smaller than the marks the trust's other schools hold,
    though Hillside's own are none (all the owner sees working on it): the marks' keys stay
    (not dropped and rebuilt over every school's marks, with every school's PCs waiting),
    the counting trigger stays on, and the register of sessions is exact."""
    monkeypatch.setattr(bulk_write, "REBUILD_INDEX_AT", 1)
    with trust_owner_database() as url:
        hillside = _with_hillside(url)
        owner = open_database(url)
        try:
            keys = "SELECT conname, oid FROM pg_constraint WHERE conrelid = 'marks'::regclass"
            before = _rows(owner, keys)
            assert _rows(owner, "SELECT count(*) FROM marks")[0][0] > len(expected_marks())
        finally:
            owner.close()
        school = open_database(school_url(url, hillside))
        try:
            assert _rows(school, "SELECT count(*) FROM marks") == [(0,)]  # what it sees
            register = write_xlsx(tmp_path / "register.xlsx", wide_rows())
            assert apply_import(school, [register]).files[0].marks_added == len(expected_marks())
            acting = _rows(school, "SELECT current_setting('attendance_desk.school')")
            assert acting == [(str(hillside),)]  # still working on Hillside
        finally:
            school.close()
        db = open_database(url)
        try:
            assert _rows(db, keys) == before  # the same constraints: never dropped
            assert _rows(db, HELD) == _rows(db, COUNTED)
            marks = "SELECT count(*) FROM marks WHERE school_id = " + str(hillside)
            assert _rows(db, marks) == [(len(expected_marks()),)]
        finally:
            db.close()
