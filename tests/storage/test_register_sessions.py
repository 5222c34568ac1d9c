"""The register of sessions (migration 0018) holds, for each date and session with marks, the
number of marks, of blank ones ('-', '') and of closed ones ('#'), whatever writes the marks:
an insert, a change of code, date or session, a mark deleted, a pupil removed (their marks go by
cascade). On both backends; a hand-worked case."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from attendance_desk.services.calendar import load_calendar
from attendance_desk.services.monitoring.loading import taken_sessions
from attendance_desk.services.school import last_mark_date
from attendance_desk.storage.db import Database

MON, TUE, WED = "2024-09-02", "2024-09-03", "2024-09-04"
PUPIL = (
    "INSERT INTO pupils (id, legal_surname, legal_forename, pupil_premium, fsm, sen_status, eal, "
    "looked_after, child_protection, child_in_need, created_at, updated_at) "
    "VALUES (?, ?, 'Test', FALSE, FALSE, 'N', FALSE, FALSE, FALSE, FALSE, "
    "'2024-09-01 08:00:00', '2024-09-01 08:00:00')"
)
MARK = (
    "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) "
    "VALUES (?, ?, ?, ?, 'mis', '2024-09-01 08:00:00')"
)


def _write(db: Database, *statements: tuple[str, tuple[object, ...]]) -> None:
    conn = db.raw_connection()
    try:
        with conn:
            for sql, params in statements:
                conn.execute(sql, params)
    finally:
        conn.close()


def _held(db: Database) -> list[tuple[str, str, int, int, int]]:
    conn = db.raw_connection()
    try:
        rows = conn.execute("SELECT date, session, marks, blank, closed FROM register_sessions")
        return sorted((str(d)[:10], str(s), int(n), int(b), int(c)) for d, s, n, b, c in rows)
    finally:
        conn.close()


def _counted(db: Database) -> list[tuple[str, str, int, int, int]]:
    """The same counts, worked out from the marks themselves."""
    conn = db.raw_connection()
    try:
        rows = conn.execute("SELECT date, session, code FROM marks").fetchall()
    finally:
        conn.close()
    out: dict[tuple[str, str], list[int]] = {}
    for d, s, code in rows:
        n = out.setdefault((str(d)[:10], str(s)), [0, 0, 0])
        n[0] += 1
        n[1] += code in ("-", "")
        n[2] += code == "#"
    return sorted((*k, *v) for k, v in out.items())  # type: ignore[misc]


def test_the_counts_follow_every_change_to_the_marks(backend_db: Database) -> None:
    db = backend_db
    assert _held(db) == []
    _write(
        db,
        (PUPIL, (1, "Ash")),
        (PUPIL, (2, "Birch")),
        (PUPIL, (3, "Cedar")),
        # Monday: an INSET day (#) for everyone in the morning; the afternoon taken for two,
        # one blank ('-': the register not taken for Cedar)
        *((MARK, (p, MON, "AM", "#")) for p in (1, 2, 3)),
        (MARK, (1, MON, "PM", "/")),
        (MARK, (2, MON, "PM", "N")),
        (MARK, (3, MON, "PM", "-")),
        # Tuesday morning: only blanks so far
        (MARK, (1, TUE, "AM", "-")),
        (MARK, (2, TUE, "AM", "")),
    )
    assert _held(db) == [
        (MON, "AM", 3, 0, 3),
        (MON, "PM", 3, 1, 0),
        (TUE, "AM", 2, 2, 0),
    ]
    conn = db.raw_connection()
    try:
        # Tuesday morning not taken (only blanks); Monday afternoon taken, its morning closed
        assert taken_sessions(conn, date(2024, 9, 3)) == frozenset()
        assert taken_sessions(conn, date(2024, 9, 2)) == {"AM", "PM"}
        # the calendar's school days (no term dates): Monday only, the day with a session
        # marked other than '#', '-', ''
        assert list(load_calendar(conn).school_day_ordinals) == [date(2024, 9, 2).toordinal()]
    finally:
        conn.close()
    assert last_mark_date(db) == date(2024, 9, 3)

    _write(
        db,
        # a code changes: Tuesday's blank becomes present, Monday's N a reason
        ("UPDATE marks SET code = '/' WHERE pupil_id = 1 AND date = ?", (TUE,)),
        ("UPDATE marks SET code = 'I' WHERE pupil_id = 2 AND date = ? AND session = 'PM'", (MON,)),
        # a mark moves to another session and another day (the only mark of Wednesday)
        ("UPDATE marks SET date = ?, session = 'PM' WHERE pupil_id = 2 AND date = ?", (WED, TUE)),
        # a change that is not one of the counts (the source): nothing moves
        ("UPDATE marks SET source = 'office' WHERE pupil_id = 1 AND date = ?", (MON,)),
    )
    assert _held(db) == [
        (MON, "AM", 3, 0, 3),
        (MON, "PM", 3, 1, 0),
        (TUE, "AM", 1, 0, 0),
        (WED, "PM", 1, 1, 0),
    ]
    assert last_mark_date(db) == date(2024, 9, 4)

    # a mark deleted; then a pupil removed: their marks go by cascade, and with Wednesday's
    # only mark its session goes from the register
    _write(db, ("DELETE FROM marks WHERE pupil_id = 3 AND date = ? AND session = 'PM'", (MON,)))
    assert _held(db) == [
        (MON, "AM", 3, 0, 3),
        (MON, "PM", 2, 0, 0),
        (TUE, "AM", 1, 0, 0),
        (WED, "PM", 1, 1, 0),
    ]
    _write(db, ("DELETE FROM pupils WHERE id = ?", (2,)))
    assert _held(db) == [(MON, "AM", 2, 0, 2), (MON, "PM", 1, 0, 0), (TUE, "AM", 1, 0, 0)]
    assert _held(db) == _counted(db)
    assert last_mark_date(db) == date(2024, 9, 3)

    _write(db, ("DELETE FROM marks", ()))
    assert _held(db) == [] and last_mark_date(db) is None


def test_many_marks_in_one_statement_are_counted_as_one_by_one(backend_db: Database) -> None:
    """One statement writing many marks (PostgreSQL counts a statement's rows at once)."""
    db = backend_db
    codes = ["/", "\\", "N", "#", "-", "", "L", "/"]
    _write(
        db,
        *((PUPIL, (p, f"P{p}")) for p in range(1, 9)),
        *(
            (MARK, (p, day, session, codes[(p + k) % len(codes)]))
            for p in range(1, 9)
            for k, (day, session) in enumerate([(MON, "AM"), (MON, "PM"), (TUE, "AM"), (TUE, "PM")])
        ),
    )
    assert _held(db) == _counted(db)
    _write(
        db,
        ("UPDATE marks SET code = '#' WHERE date = ?", (MON,)),
        ("UPDATE marks SET date = ? WHERE date = ? AND session = 'PM'", (WED, TUE)),
        ("DELETE FROM pupils WHERE id <= 3", ()),
    )
    assert _held(db) == _counted(db)
    assert _held(db)[0] == (MON, "AM", 5, 0, 5)


def test_an_older_database_gets_its_register_of_sessions_counted(tmp_path: Path) -> None:
    """A school's file from before migration 0018: its marks are counted as it is upgraded."""
    from sqlalchemy import create_engine

    from attendance_desk.storage import migrations
    from attendance_desk.storage.db import open_database

    path = tmp_path / "older.sqlite3"
    engine = create_engine(f"sqlite:///{path.as_posix()}")
    migrations.upgrade(engine, "0017")
    engine.dispose()
    conn = sqlite3.connect(path)
    with conn:
        for p in (1, 2):
            conn.execute(PUPIL, (p, f"P{p}"))
        for p, day, session, code in [
            (1, MON, "AM", "#"),
            (2, MON, "AM", "#"),
            (1, MON, "PM", "/"),
            (2, MON, "PM", "-"),
            (1, TUE, "AM", "N"),
        ]:
            conn.execute(MARK, (p, day, session, code))
    conn.close()
    db = open_database(path)
    try:
        assert _held(db) == [(MON, "AM", 2, 0, 2), (MON, "PM", 2, 1, 0), (TUE, "AM", 1, 0, 0)]
        _write(db, (MARK, (2, TUE, "AM", "/")))  # and kept from then on
        assert _held(db) == _counted(db)
    finally:
        db.close()
    conn = sqlite3.connect(path)
    try:
        assert not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'ix_marks_date'"
        ).fetchall()
    finally:
        conn.close()


def _triggers(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'marks' "
            "AND name LIKE 'register_sessions_%'"
        ).fetchall()
    finally:
        conn.close()
    return dict(rows)


def _lose_triggers_and_write(path: Path) -> None:
    """What a table rebuild (Alembic batch) would leave: the counting triggers gone; then marks
    written and removed by another program with them gone."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TRIGGER register_sessions_insert_v1")
        conn.execute("DROP TRIGGER register_sessions_delete_v1")
        # Wednesday taken for both (a new school day), Tuesday's blank deleted
        conn.execute(MARK, (1, WED, "AM", "/"))
        conn.execute(MARK, (2, WED, "AM", "N"))
        conn.execute("DELETE FROM marks WHERE pupil_id = 2 AND date = ?", (TUE,))
    conn.close()


def _school_with_marks(path: Path) -> None:
    from attendance_desk.storage.db import open_database

    db = open_database(path)
    try:
        _write(
            db,
            (PUPIL, (1, "Ash")),
            (PUPIL, (2, "Birch")),
            (MARK, (1, MON, "AM", "/")),
            (MARK, (2, MON, "AM", "#")),
            (MARK, (1, TUE, "AM", "-")),
            (MARK, (2, TUE, "AM", "-")),
        )
    finally:
        db.close()


def test_opening_puts_back_lost_counting_triggers_and_counts_again(tmp_path: Path) -> None:
    from attendance_desk.storage.db import open_database
    from attendance_desk.storage.session_counts import SQLITE_TRIGGERS

    path = tmp_path / "school.sqlite3"
    _school_with_marks(path)
    assert _triggers(path) == SQLITE_TRIGGERS  # as migration 0018 made them
    _lose_triggers_and_write(path)
    assert set(_triggers(path)) == {"register_sessions_update_v1"}

    db = open_database(path)
    try:
        assert _triggers(path) == SQLITE_TRIGGERS
        # the counts are the marks' again: Wednesday is there, Tuesday has one blank left
        assert _held(db) == [(MON, "AM", 2, 0, 1), (TUE, "AM", 1, 1, 0), (WED, "AM", 2, 0, 0)]
        assert _held(db) == _counted(db)
        assert last_mark_date(db) == date(2024, 9, 4)
        conn = db.raw_connection()
        try:
            # the calendar's school days: Monday and Wednesday (Tuesday only blank)
            assert list(load_calendar(conn).school_day_ordinals) == [
                date(2024, 9, 2).toordinal(),
                date(2024, 9, 4).toordinal(),
            ]
            assert taken_sessions(conn, date(2024, 9, 4)) == {"AM"}
        finally:
            conn.close()
        # and kept from then on
        _write(db, ("DELETE FROM marks WHERE date = ?", (WED,)), (MARK, (2, TUE, "PM", "/")))
        assert _held(db) == _counted(db)
        assert last_mark_date(db) == date(2024, 9, 3)
    finally:
        db.close()


def test_a_reading_command_gets_exact_counts_after_a_lost_trigger(tmp_path: Path) -> None:
    """A read-only open (the command line's reading commands) counts again once first."""
    from attendance_desk.storage.db import open_database

    path = tmp_path / "school.sqlite3"
    _school_with_marks(path)
    _lose_triggers_and_write(path)
    db = open_database(path, read_only=True)
    try:
        assert _held(db) == _counted(db) and len(_held(db)) == 3
        assert last_mark_date(db) == date(2024, 9, 4)
    finally:
        db.close()
    assert len(_triggers(path)) == 3


def test_the_triggers_declared_are_the_ones_migration_0018_makes(tmp_path: Path) -> None:
    """The declaration opening puts back (storage/session_counts.py) and the migration's
    frozen copy make the same triggers: a file migrated step by step has exactly these."""
    from sqlalchemy import create_engine

    from attendance_desk.storage import migrations
    from attendance_desk.storage.session_counts import SQLITE_TRIGGERS

    path = tmp_path / "migrated.sqlite3"
    engine = create_engine(f"sqlite:///{path.as_posix()}")
    migrations.upgrade(engine)
    engine.dispose()
    assert _triggers(path) == SQLITE_TRIGGERS


def test_the_postgresql_declarations_are_the_ones_migration_0018_makes() -> None:
    """The functions and triggers the owner's open puts back on PostgreSQL are, word for word,
    the ones the migration's frozen copy makes."""
    import importlib.util

    from attendance_desk.storage import migrations
    from attendance_desk.storage.session_counts import PG_FUNCTIONS, PG_TRIGGERS

    folder = Path(migrations.__file__).parent / "versions"
    spec = importlib.util.spec_from_file_location("m0018", folder / "0018_register_sessions.py")
    assert spec and spec.loader
    frozen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(frozen)
    assert PG_FUNCTIONS == frozen.PG_FUNCTIONS
    assert {name: tuple(rest) for name, *rest in frozen.PG_TRIGGERS} == PG_TRIGGERS


def test_on_the_server_the_owners_open_puts_back_lost_counting_and_staff_are_told() -> None:
    """PostgreSQL, a trust of two schools: the insert trigger dropped and the delete trigger
    turned off by hand, and marks written and deleted meanwhile (every school's counts wrong).
    A member of staff's open is refused changes, saying which triggers and who puts them back;
    the trust's owner's open, working in one school, makes them again and counts every
    school's sessions again from the marks."""
    import psycopg

    from attendance_desk.storage.db import open_database
    from attendance_desk.storage.integrity import DamagedDatabaseError
    from attendance_desk.storage.trust import school_url
    from tests.trust_school import built_trust, server_role_url, staff_login, trust_owner_database

    held = "SELECT school_id, date, session, marks, blank, closed FROM register_sessions"
    counted = (
        "SELECT school_id, date, session, count(*), count(*) FILTER (WHERE code IN ('-', '')), "
        "count(*) FILTER (WHERE code = '#') FROM marks GROUP BY school_id, date, session"
    )

    def rows(url: str, sql: str) -> list[tuple[object, ...]]:
        with psycopg.connect(server_role_url(url)) as conn:  # every school's rows
            return sorted(conn.execute(sql).fetchall())

    with trust_owner_database() as url:
        schools = built_trust(url)
        with staff_login(url, [schools["riverside"]]) as staff:  # (the owner's open grants)
            with psycopg.connect(server_role_url(url)) as conn:
                conn.execute("DROP TRIGGER register_sessions_insert_v1 ON marks")
                conn.execute("ALTER TABLE marks DISABLE TRIGGER register_sessions_delete_v1")
                conn.execute(
                    "INSERT INTO marks (pupil_id, date, session, code, source, updated_at, "
                    "school_id) SELECT id, '2025-07-21', 'AM', '/', 'office', now(), school_id "
                    "FROM pupils"
                )
                conn.execute("DELETE FROM marks WHERE date = (SELECT min(date) FROM marks)")
            assert rows(url, held) != rows(url, counted)
            db = open_database(staff)
            try:
                with pytest.raises(DamagedDatabaseError, match="register_sessions_insert_v1"):
                    db.require_intact()
            finally:
                db.close()
            assert rows(url, held) != rows(url, counted)
        open_database(school_url(url, schools["riverside"])).close()
        assert rows(url, held) == rows(url, counted)
        assert {r[0] for r in rows(url, held)} == set(schools.values())
        assert rows(
            url,
            "SELECT tgname, tgenabled::text FROM pg_trigger WHERE tgrelid = 'marks'::regclass "
            "AND tgname LIKE 'register_sessions%'",
        ) == [
            ("register_sessions_delete_v1", "O"),
            ("register_sessions_insert_v1", "O"),
            ("register_sessions_update_v1", "O"),
        ]
