"""On PostgreSQL too the reads for a date are bounded by it: the calendar and the sessions
taken read the register of sessions (migration 0018), never the marks, and the call list
steps through each pupil's marks by the primary key, never a scan of every mark.

The demo school (420 pupils on roll, a year and a half of registers) moved onto the test
server, its statistics gathered (ANALYZE, as autovacuum does after a move or an import), and
the plans read with EXPLAIN: the planner's own choice, with no setting forced. The class
league's week steps through each pupil's key too. The engine's read of two academic years of
every pupil's marks is a scan (a range of each pupil's key takes longer), but of those years'
blocks only: with five earlier years of history moved in too, it goes through the BRIN of
the marks' dates (migration 0020; the move writes the marks year by year), never a scan of
every year.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.services.calls import first_day_calls
from attendance_desk.services.monitoring import class_league
from attendance_desk.services.monitoring.loading import _TAKEN_SQL
from attendance_desk.services.monitoring.school import _PG_LEAGUE_SQL
from attendance_desk.storage.db import Database, open_database
from tests.conftest import postgres_database

AS_OF = date(2026, 3, 20)

# The reads of the register of sessions, as the services make them.
_SESSION_READS = {
    "the calendar's ends": (
        "SELECT (SELECT min(date) FROM register_sessions), "
        "(SELECT max(date) FROM register_sessions)",
        (),
    ),
    "the calendar's school days": (
        "SELECT DISTINCT date FROM register_sessions "
        "WHERE date >= ? AND date <= ? AND marks > blank + closed ORDER BY date",
        ("2025-09-01", "2026-08-31"),
    ),
    "the sessions taken": (_TAKEN_SQL, {"day": AS_OF.isoformat()}),
    "the last day with marks": ("SELECT max(date) FROM register_sessions", ()),
}


EARLIER_YEARS = 5


@pytest.fixture(scope="module")
def schools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The demo school's file, and the same school on the test server (analysed)."""
    import psycopg

    from attendance_desk.demo import create_demo_database
    from attendance_desk.services.moving import move_between

    path = tmp_path_factory.mktemp("pg_plans") / "demo.sqlite3"
    create_demo_database(path, seed=7, as_of=AS_OF)
    with postgres_database() as url:
        move_between(path, url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
        yield path, url


def _plan(db: Database, sql: str, params: object = ()) -> str:
    conn = db.raw_connection()
    try:
        rows = conn.execute(f"EXPLAIN {sql}", params).fetchall()  # type: ignore[arg-type]
    finally:
        conn.close()
    return "\n".join(str(r[0]) for r in rows)


def test_the_register_of_sessions_is_read_by_its_key_never_the_marks(
    schools: tuple[Path, str],
) -> None:
    db = open_database(schools[1])
    try:
        for what, (sql, params) in _SESSION_READS.items():
            plan = _plan(db, sql, params)
            assert "register_sessions" in plan and " on marks" not in plan, (what, plan)
        # the first and last days: one step into each end of the key
        ends = _plan(db, *_SESSION_READS["the calendar's ends"])
        assert ends.count("Index Only Scan") == 2 and "pk_register_sessions" in ends, ends
        taken = _plan(db, *_SESSION_READS["the sessions taken"])
        assert "pk_register_sessions" in taken and "Seq Scan" not in taken, taken
    finally:
        db.close()


def test_the_call_list_steps_through_each_pupils_key(schools: tuple[Path, str]) -> None:
    """The same call list as the file gives; its read of the days' marks (caught as the
    service makes it) is each pupil's steps of the marks' primary key."""
    from sqlalchemy import event

    path, url = schools
    on_file = open_database(path)
    try:
        expected = first_day_calls(on_file, AS_OF)
    finally:
        on_file.close()
    db = open_database(url)
    seen: list[tuple[str, object]] = []

    def spy(*args: object) -> None:
        statement = str(args[2])
        if "FROM marks" in statement:
            seen.append((statement, args[3]))

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        assert expected and first_day_calls(db, AS_OF) == expected
        [(sql, params)] = seen
        with db.engine.connect() as conn:
            plan = "\n".join(
                str(r[0])
                for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params)  # type: ignore[arg-type]
            )
    finally:
        db.close()
    assert "pk_marks" in plan and "Seq Scan on marks" not in plan, plan
    assert "Nested Loop" in plan, plan  # the pupils on roll, then each one's marks


def test_the_class_league_steps_through_each_pupils_week(schools: tuple[Path, str]) -> None:
    path, url = schools
    on_file = open_database(path)
    try:
        expected = class_league(on_file, AS_OF)
    finally:
        on_file.close()
    db = open_database(url)
    try:
        assert expected and class_league(db, AS_OF) == expected
        plan = _plan(db, _PG_LEAGUE_SQL, ("2026-03-16", AS_OF.isoformat()))
    finally:
        db.close()
    assert "pk_marks" in plan and "Seq Scan on marks" not in plan, plan


def test_the_unresolved_n_tasks_read_the_marks_without_the_school_index(
    schools: tuple[Path, str],
) -> None:
    """The same tasks as the file's; the school given as a number, so the planner knows every
    mark is this school's and never walks the index of the marks' school for them."""
    from sqlalchemy import event

    from attendance_desk.services.tasks import pupil_tasks, sync_unresolved_n_tasks

    tasks = []
    for target in schools:
        db = open_database(target)
        seen: list[tuple[str, object]] = []

        def spy(*args: object, seen: list[tuple[str, object]] = seen) -> None:
            if "FROM marks" in str(args[2]) and "marks.code" in str(args[2]):
                seen.append((str(args[2]), args[3]))

        event.listen(db.engine, "before_cursor_execute", spy)
        try:
            added = sync_unresolved_n_tasks(db, AS_OF)
            event.remove(db.engine, "before_cursor_execute", spy)
            pupils = sorted({c.pupil_id for c in first_day_calls(db, AS_OF)})
            tasks.append((added, [pupil_tasks(db, p) for p in pupils]))
            [(sql, params)] = seen
            if db.backend == "postgresql":
                with db.engine.connect() as conn:
                    plan = "\n".join(
                        str(r[0])
                        for r in conn.exec_driver_sql(f"EXPLAIN {sql}", params)  # type: ignore[arg-type]
                    )
        finally:
            db.close()
    assert tasks[0][0] > 0 and tasks[0] == tasks[1]
    assert "on marks" in plan and "ix_marks_school_id" not in plan, plan


@pytest.fixture(scope="module")
def long_school(
    schools: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    """The demo school with EARLIER_YEARS more academic years of marks (its first year's, whole
    weeks earlier each time), as a file and moved onto the test server (analysed)."""
    import shutil
    import sqlite3

    import psycopg

    from attendance_desk.services.moving import move_between

    path = tmp_path_factory.mktemp("pg_plans_long") / "long.sqlite3"
    shutil.copy(schools[0], path)
    conn = sqlite3.connect(path)
    with conn:
        first = conn.execute("SELECT min(date) FROM marks").fetchone()[0]
        last = AcademicYear.containing(date.fromisoformat(first)).end.isoformat()
        for k in range(1, EARLIER_YEARS + 1):
            conn.execute(
                "INSERT INTO marks (pupil_id, date, session, code, source, updated_at)"
                " SELECT pupil_id, date(date, ?), session, code, source, updated_at FROM marks"
                " WHERE date >= ? AND date <= ?",
                (f"-{364 * k} days", first, last),
            )
    conn.close()
    with postgres_database() as url:
        move_between(path, url)
        with psycopg.connect(url, autocommit=True) as pg:
            pg.execute("ANALYZE")
        yield path, url


def test_the_engines_read_skips_the_earlier_years_blocks(
    long_school: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same figures as the file gives; the engine's read of two academic years (caught as
    the service makes it) goes through the BRIN of the marks' dates, where a scan of the marks
    would read every one of the seven years."""
    from attendance_desk.services.monitoring import pupil_overviews
    from attendance_desk.storage.pg_connection import PgConnection

    path, url = long_school
    on_file = open_database(path)
    try:
        expected = pupil_overviews(on_file, AS_OF, include_leavers=True)
    finally:
        on_file.close()
    seen: list[tuple[str, object]] = []
    execute = PgConnection.execute

    def spy(self: PgConnection, sql: str, params: object = ()) -> object:
        if "FROM pupils p CROSS JOIN marks m" in sql:
            seen.append((sql, params))
        return execute(self, sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(PgConnection, "execute", spy)
    db = open_database(url)
    try:
        assert expected and pupil_overviews(db, AS_OF, include_leavers=True) == expected
        monkeypatch.undo()
        [(sql, params)] = seen
        plan = _plan(db, sql, params)
    finally:
        db.close()
    assert "brin_marks_date" in plan and "Seq Scan on marks" not in plan, plan
