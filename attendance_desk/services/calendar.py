"""The school calendar from the database: term dates and closures, or the register itself."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from attendance_desk.domain.calendar import AcademicYear, SchoolCalendar
from attendance_desk.storage.db import Database


def get_calendar(db: Database) -> SchoolCalendar:
    """Half terms and closures as entered; years with no term dates are inferred from marks."""
    conn = db.raw_connection()
    try:
        return load_calendar(conn)
    finally:
        conn.close()


def load_calendar(conn: sqlite3.Connection) -> SchoolCalendar:
    """Read term dates and closures; for academic years with register marks but no term dates,
    the days with sessions (some pupil has a mark other than `#`) so they can be inferred."""
    halves = [
        (name, date.fromisoformat(start[:10]), date.fromisoformat(end[:10]))
        for name, start, end in conn.execute(
            "SELECT name, start_date, end_date FROM half_terms ORDER BY start_date"
        )
    ]
    closures = [date.fromisoformat(d[:10]) for (d,) in conn.execute("SELECT date FROM closures")]
    covered = {AcademicYear.containing(start).name for _, start, _ in halves}
    first, last = conn.execute("SELECT min(date), max(date) FROM marks").fetchone()
    sessions: list[date] = []
    if first is not None:
        year = AcademicYear.containing(date.fromisoformat(first[:10]))
        end = date.fromisoformat(last[:10])
        while year.start <= end:
            if year.name not in covered:
                sessions += [
                    date.fromisoformat(d[:10])
                    for (d,) in conn.execute(
                        "SELECT date FROM marks WHERE date >= ? AND date <= ? "
                        "GROUP BY date HAVING max(code NOT IN ('#', '-', ''))",
                        (year.start.isoformat(), year.end.isoformat()),
                    )
                ]
            year = AcademicYear.containing(year.end + timedelta(days=1))
    return SchoolCalendar(halves, closures, sessions)
