"""Years of history change nothing a date shows, and the reads for a date are bounded by it.

The demo school, and a copy of it holding three earlier academic years of marks for the
same pupils with NO term dates (so the calendar infers those years from the register),
must give exactly the same figures, bands, concerns, groups, weeks and call list for a date;
and the reads the engine makes go through the indexes, never a walk of the whole table.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.services import monitoring
from attendance_desk.services.calendar import load_calendar
from attendance_desk.services.calls import first_day_calls
from attendance_desk.services.monitoring.loading import _MARKS_SQL, _TAKEN_SQL
from attendance_desk.services.monitoring.school import _LEAGUE_SQL, _WEEKLY_SQL
from attendance_desk.storage.db import open_database

AS_OF = date(2025, 11, 14)
EARLIER_YEARS = 3


@pytest.fixture(scope="module")
def schools(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from attendance_desk.demo import create_demo_database

    folder = tmp_path_factory.mktemp("history")
    short, long = folder / "short.sqlite3", folder / "long.sqlite3"
    create_demo_database(short, seed=2024, as_of=AS_OF)
    shutil.copy(short, long)
    conn = sqlite3.connect(long)
    first = conn.execute("SELECT min(date) FROM marks").fetchone()[0]
    end = AcademicYear.containing(date.fromisoformat(first)).end.isoformat()
    with conn:
        for k in range(1, EARLIER_YEARS + 1):
            conn.execute(
                "INSERT INTO marks (pupil_id, date, session, code, source, updated_at)"
                " SELECT pupil_id, date(date, ?), session, code, source, updated_at FROM marks"
                " WHERE date >= ? AND date <= ?",
                (f"-{364 * k} days", first, end),
            )
    conn.close()
    return short, long


def test_earlier_years_change_nothing_the_date_shows(schools: tuple[Path, Path]) -> None:
    results = []
    for path in schools:
        monitoring._RESULTS.clear()
        db = open_database(path)
        try:
            snapshot = monitoring.school_snapshot(db, AS_OF)
            results.append(
                (
                    snapshot,
                    monitoring.pupil_overviews(db, AS_OF, include_leavers=True),
                    monitoring.school_concerns(db, AS_OF),
                    monitoring.group_figures(db, AS_OF),
                    monitoring.weekly_attendance(db, AS_OF),
                    first_day_calls(db, AS_OF),
                )
            )
        finally:
            db.close()
    short, long = results
    assert short[0].overviews and short[0].concerns  # a school with something to show
    assert short == long


def test_the_calendar_for_a_date_infers_only_the_years_it_needs(
    schools: tuple[Path, Path],
) -> None:
    conn = sqlite3.connect(schools[1])
    try:
        whole = load_calendar(conn)
        since = date(2024, 9, 1)
        bounded = load_calendar(conn, since=since, until=date(2026, 8, 31))
    finally:
        conn.close()
    assert {h.year for h in whole.half_terms if h.inferred}  # the earlier years, inferred
    assert not {h.year for h in bounded.half_terms if h.inferred}  # not read at all
    # The years asked for come out as in the whole calendar.
    assert [h for h in bounded.half_terms if h.start >= since] == [
        h for h in whole.half_terms if h.start >= since
    ]
    days = [d for d in whole.school_day_ordinals if d >= since.toordinal()]
    assert [d for d in bounded.school_day_ordinals if d >= since.toordinal()] == days


def _plan(conn: sqlite3.Connection, sql: str, params: object = ()) -> str:
    return " | ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


# The reads bounded by dates, as the services make them: none walks the whole marks table.
_DATE_READS = {
    "the calendar's ends": (
        "SELECT (SELECT min(date) FROM register_sessions), "
        "(SELECT max(date) FROM register_sessions)"
    ),
    "the calendar's school days": (
        "SELECT DISTINCT date FROM register_sessions "
        "WHERE date >= '2024-09-01' AND date <= '2025-08-31' AND marks > blank + closed "
        "ORDER BY date"
    ),
    "the sessions taken": _TAKEN_SQL,
    "the letters' counts": (
        "SELECT m.pupil_id, m.date, m.code FROM pupils p CROSS JOIN marks m "
        "WHERE m.pupil_id = p.id AND m.date >= '2025-09-01' AND m.date <= '2025-11-14'"
    ),
    "the class league": _LEAGUE_SQL,
    "the weekly figures": _WEEKLY_SQL,
}


def test_the_reads_for_a_date_go_through_indexes(schools: tuple[Path, Path]) -> None:
    conn = sqlite3.connect(schools[1])
    try:
        marks = _plan(
            conn,
            _MARKS_SQL.format(where="WHERE p.id > 0", join="group_concat"),
            {"as_of": "2025-11-14", "load_start": "2024-09-01"},
        )
        # each pupil's marks: a range of the primary key, from the date the rules need
        assert "SEARCH m USING PRIMARY KEY (pupil_id=? AND date>? AND date<?)" in marks
        assert "SCAN m " not in marks + " " and "SCAN marks" not in marks
        # no sort between the rows and each pupil's codes: they come in the key's time order
        assert "TEMP B-TREE" not in marks
        # the sessions with marks: the register of sessions (a row a session), not the marks
        assert "register_sessions" in marks
        for what, sql in _DATE_READS.items():
            params = {"day": "2025-11-14"} if ":day" in sql else ("2025-11-10", "2025-11-14")
            plan = _plan(conn, sql, params if ":day" in sql else params[: sql.count("?")])
            # a range of a key: each pupil's marks, or the register of sessions
            assert "SEARCH" in plan and "SCAN m " not in plan + " ", (what, plan)
            assert "SCAN marks" not in plan and "SCAN register_sessions" not in plan, (what, plan)
        # the marks of a day for the call list: each pupil's few steps of their key
        calls = _plan(
            conn,
            "SELECT m.pupil_id, m.code FROM marks m WHERE m.pupil_id IN (SELECT id FROM pupils) "
            "AND m.date IN ('2025-11-13', '2025-11-14')",
        )
        assert "SEARCH m USING PRIMARY KEY (pupil_id=? AND date=?)" in calls, calls
    finally:
        conn.close()


def test_the_unresolved_n_tasks_read_each_pupils_range_of_the_key(
    schools: tuple[Path, Path], tmp_path: Path
) -> None:
    """The caseload's unresolved-N tasks: the same from both files, and the read the service
    makes (caught as it runs) is each pupil's range of the marks' key from the dates the rule
    needs, never a walk of every mark."""
    from sqlalchemy import event

    from attendance_desk.services.tasks import pupil_tasks, sync_unresolved_n_tasks

    tasks, reads = [], []
    for path in schools:
        copy = tmp_path / path.name
        shutil.copy(path, copy)
        db = open_database(copy)
        seen: list[tuple[str, object]] = []

        def spy(*args: object, seen: list[tuple[str, object]] = seen) -> None:
            statement, parameters = str(args[2]), args[3]
            if "FROM marks" in statement and "marks.code" in statement:
                seen.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", spy)
        try:
            added = sync_unresolved_n_tasks(db, AS_OF)
            pupils = {t.pupil_id for t in monitoring.pupil_overviews(db, AS_OF)}
            tasks.append((added, [pupil_tasks(db, p) for p in sorted(pupils)]))
        finally:
            db.close()
        [read] = seen
        reads.append((copy, read))
    assert tasks[0][0] > 0 and tasks[0] == tasks[1]
    copy, (sql, params) = reads[1]
    conn = sqlite3.connect(copy)
    try:
        plan = _plan(conn, sql, params)
    finally:
        conn.close()
    assert "SEARCH marks USING PRIMARY KEY (pupil_id=? AND date>? AND date<?)" in plan, plan
    assert "SCAN marks" not in plan, plan


def test_the_register_of_sessions_holds_the_marks_counted(schools: tuple[Path, Path]) -> None:
    """Three earlier years written straight into marks (by the triggers) and the demo's bulk
    load (counted once after): the counts are the marks grouped, exactly."""
    for path in schools:
        conn = sqlite3.connect(path)
        try:
            held = conn.execute(
                "SELECT date, session, marks, blank, closed FROM register_sessions "
                "ORDER BY date, session"
            ).fetchall()
            counted = conn.execute(
                "SELECT date, session, count(*), sum(code IN ('-', '')), sum(code = '#') "
                "FROM marks GROUP BY date, session ORDER BY date, session"
            ).fetchall()
        finally:
            conn.close()
        assert held == counted and len(held) > 300
