"""Writing term dates (academic years, half terms) and closures, inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from datetime import date

from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.importers.model import ClosureRow, HalfTermRow
from attendance_desk.importers.problems import Problems
from attendance_desk.importers.tables import ACADEMIC_YEARS, CLOSURES, HALF_TERMS
from attendance_desk.importers.tally import Tally
from attendance_desk.storage.dialect import backend_of
from attendance_desk.storage.trust import this_school


def academic_year_of(day: date) -> tuple[str, date, date]:
    """The academic year (1 September to 31 August) a date falls in: ('2024/25', start, end)."""
    year = AcademicYear.containing(day)
    return year.name, year.start, year.end


def _year_id(conn: sqlite3.Connection, day: date) -> int:
    name, start, end = academic_year_of(day)
    here = this_school(backend_of(conn))  # a trust's schools each have the year "2024/25"
    row = conn.execute(
        f"SELECT id FROM {ACADEMIC_YEARS} WHERE name = ? AND {here}", (name,)
    ).fetchone()
    if row:
        return int(row[0])
    return int(
        conn.execute(
            f"INSERT INTO {ACADEMIC_YEARS} (name, start_date, end_date) VALUES (?, ?, ?) "
            "RETURNING id",
            (name, start.isoformat(), end.isoformat()),
        ).fetchone()[0]
    )


def apply_half_terms(
    conn: sqlite3.Connection, rows: list[HalfTermRow], problems: Problems, tally: Tally
) -> None:
    """Add or update half terms by start date. A file is the whole of each academic year it
    names: that year's half terms missing from the file are removed (and reported)."""
    years: dict[int, set[str]] = {}
    here = this_school(backend_of(conn))
    for row in rows:
        if academic_year_of(row.start)[0] != academic_year_of(row.end)[0]:
            problems.add(row.row, None, f"{row.name} runs across two academic years")
            continue
        year_id = _year_id(conn, row.start)
        years.setdefault(year_id, set()).add(row.start.isoformat())
        existing = conn.execute(
            f"SELECT id, name, end_date, academic_year_id FROM {HALF_TERMS} "
            f"WHERE start_date = ? AND {here}",
            (row.start.isoformat(),),
        ).fetchone()
        wanted = (row.name, row.end.isoformat(), year_id)
        if existing is None:
            conn.execute(
                f"INSERT INTO {HALF_TERMS} (academic_year_id, name, start_date, end_date) "
                "VALUES (?, ?, ?, ?)",
                (year_id, row.name, row.start.isoformat(), row.end.isoformat()),
            )
            tally.half_terms_added += 1
        elif tuple(existing[1:]) != wanted:
            conn.execute(
                f"UPDATE {HALF_TERMS} SET name = ?, end_date = ?, academic_year_id = ? WHERE id = ?",
                (*wanted, existing[0]),
            )
            tally.half_terms_changed += 1
    for year_id, starts in years.items():
        for ht_id, name, start in conn.execute(
            f"SELECT id, name, start_date FROM {HALF_TERMS} WHERE academic_year_id = ?", (year_id,)
        ).fetchall():
            if start not in starts:
                conn.execute(f"DELETE FROM {HALF_TERMS} WHERE id = ?", (ht_id,))
                tally.half_terms_changed += 1
                tally.notes.append(f"half term {name} starting {start} removed (not in the file)")


def apply_closures(
    conn: sqlite3.Connection, rows: list[ClosureRow], problems: Problems, tally: Tally
) -> None:
    here = this_school(backend_of(conn))
    for row in rows:
        existing = conn.execute(
            f"SELECT id, kind, description FROM {CLOSURES} WHERE date = ? AND {here}",
            (row.day.isoformat(),),
        ).fetchone()
        if existing is None:
            conn.execute(
                f"INSERT INTO {CLOSURES} (date, kind, description) VALUES (?, ?, ?)",
                (row.day.isoformat(), row.kind, row.description),
            )
            tally.closures_added += 1
        elif (existing[1], existing[2]) != (row.kind, row.description):
            conn.execute(
                f"UPDATE {CLOSURES} SET kind = ?, description = ? WHERE id = ?",
                (row.kind, row.description, existing[0]),
            )
            tally.closures_changed += 1
