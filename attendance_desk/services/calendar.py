"""The school calendar from the database: term dates and closures, or the register itself."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, timedelta

from attendance_desk.domain.calendar import AcademicYear, SchoolCalendar
from attendance_desk.domain.dates import numeric
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database
from attendance_desk.storage.dialect import backend_of
from attendance_desk.storage.trust import this_school


def get_calendar(
    db: Database, since: date | None = None, until: date | None = None
) -> SchoolCalendar:
    """Half terms and closures as entered; years with no term dates are inferred from marks
    (only the academic years from `since` to `until`, when given: see load_calendar)."""
    conn = db.raw_connection()
    try:
        return load_calendar(conn, since, until)
    finally:
        conn.close()


def load_calendar(
    conn: sqlite3.Connection, since: date | None = None, until: date | None = None
) -> SchoolCalendar:
    """Read term dates and closures; for academic years with register marks but no term dates,
    the days with sessions (some pupil has a mark other than `#`) so they can be inferred.

    With `since` / `until`, only the academic years from the one holding `since` to the one
    holding `until` are inferred (each year is inferred from its own marks alone, so those
    years come out exactly as in the whole calendar): the cost follows the years asked for,
    not the years of history kept.

    Term dates and closures are the connection's school's (each school of a trust has its own;
    the trust's administrator, acting for none, reads school 1's: storage/trust.py).
    """
    here = this_school(backend_of(conn))
    halves = [
        (name, date.fromisoformat(start[:10]), date.fromisoformat(end[:10]))
        for name, start, end in conn.execute(
            f"SELECT name, start_date, end_date FROM half_terms WHERE {here} ORDER BY start_date"
        )
    ]
    closures = [
        date.fromisoformat(d[:10])
        for (d,) in conn.execute(f"SELECT date FROM closures WHERE {here}")
    ]
    covered = {AcademicYear.containing(start).name for _, start, _ in halves}
    # The register of sessions (a row per session with marks, kept by triggers on marks); two
    # subqueries: each one step into its key (one min(), max() pair walks it all).
    first, last = conn.execute(
        "SELECT (SELECT min(date) FROM register_sessions), "
        "(SELECT max(date) FROM register_sessions)"
    ).fetchone()
    sessions: list[date] = []
    if first is not None:
        start = date.fromisoformat(str(first)[:10])
        end = date.fromisoformat(str(last)[:10])
        if since is not None:
            start = max(start, AcademicYear.containing(since).start)
        if until is not None:
            end = min(end, AcademicYear.containing(until).end)
        year = AcademicYear.containing(start)
        while year.start <= end:
            if year.name not in covered:
                # a school day: a session with a mark other than '#' (closed), '-' and ''
                sessions += [
                    date.fromisoformat(str(d)[:10])
                    for (d,) in conn.execute(
                        "SELECT DISTINCT date FROM register_sessions "
                        "WHERE date >= ? AND date <= ? AND marks > blank + closed ORDER BY date",
                        (year.start.isoformat(), year.end.isoformat()),
                    )
                ]
            year = AcademicYear.containing(year.end + timedelta(days=1))
    return SchoolCalendar(halves, closures, sessions)


# -- editing term dates in Settings ------------------------------------------------------------

CLOSURE_KINDS = {"inset": "INSET day", "bank_holiday": "Bank holiday", "other": "Other closure"}


def academic_year_named(year_name: str) -> AcademicYear:
    """'2024/25' -> the academic year 1 Sep 2024 to 31 Aug 2025 (UserError if malformed)."""
    try:
        first = int(year_name.split("/")[0])
    except ValueError:
        raise UserError(f"{year_name!r} is not an academic year like 2024/25") from None
    return AcademicYear.starting(first)


def check_half_terms(year_name: str, half_terms: Sequence[tuple[str, date, date]]) -> None:
    """UserError, in words, for a name missing, an end before its start, a date outside the
    academic year (September to August), or two half terms that overlap."""
    year = academic_year_named(year_name)
    for name, start, end in half_terms:
        if not name.strip():
            raise UserError(f"the half term starting {numeric(start)} needs a name")
        if end < start:
            raise UserError(f"{name} ends ({numeric(end)}) before it starts ({numeric(start)})")
        if start < year.start or end > year.end:
            raise UserError(
                f"{name} ({numeric(start)} to {numeric(end)}) is outside {year_name}, "
                f"which runs from {numeric(year.start)} to {numeric(year.end)}"
            )
    ordered = sorted(half_terms, key=lambda h: h[1])
    for (name_a, _s, end_a), (name_b, start_b, _e) in zip(ordered, ordered[1:], strict=False):
        if start_b <= end_a:
            raise UserError(
                f"{name_a} and {name_b} overlap: {name_b} starts {numeric(start_b)}, "
                f"before {name_a} ends on {numeric(end_a)}"
            )


def save_half_terms(
    db: Database, year_name: str, half_terms: Sequence[tuple[str, date, date]]
) -> None:
    """Replace the half terms of one academic year with `half_terms` (name, start, end),
    checked first (check_half_terms); an empty list leaves the year to be inferred again."""
    from sqlalchemy import select, text  # SQLAlchemy only for editing: reading is plain SQL

    from attendance_desk.storage.models.calendar import AcademicYear as AcademicYearRow
    from attendance_desk.storage.models.calendar import HalfTerm

    check_half_terms(year_name, half_terms)
    year = academic_year_named(year_name)
    with db.session() as s:
        row = s.scalars(
            select(AcademicYearRow).where(
                AcademicYearRow.name == year.name, text(this_school(db.backend))
            )
        ).first()
        if row is None:
            row = AcademicYearRow(name=year.name, start_date=year.start, end_date=year.end)
            s.add(row)
        row.half_terms.clear()
        s.flush()
        for name, start, end in sorted(half_terms, key=lambda h: h[1]):
            row.half_terms.append(HalfTerm(name=name.strip(), start_date=start, end_date=end))


def save_closures(db: Database, year_name: str, closures: Sequence[tuple[date, str, str]]) -> None:
    """Replace one academic year's closures with `closures` (date, kind, description)."""
    from sqlalchemy import select, text

    from attendance_desk.storage.models.calendar import Closure

    year = academic_year_named(year_name)
    seen: set[date] = set()
    for day, kind, _description in closures:
        if not year.start <= day <= year.end:
            raise UserError(f"the closure on {numeric(day)} is outside {year_name}")
        if kind not in CLOSURE_KINDS:
            raise UserError(f"{kind!r} is not a kind of closure ({', '.join(CLOSURE_KINDS)})")
        if day in seen:
            raise UserError(f"{numeric(day)} is listed twice as a closure")
        seen.add(day)
    with db.session() as s:
        for old in s.scalars(
            select(Closure).where(
                Closure.date >= year.start, Closure.date <= year.end, text(this_school(db.backend))
            )
        ):
            s.delete(old)
        s.flush()
        for day, kind, description in sorted(closures):
            s.add(Closure(date=day, kind=kind, description=description.strip()))


def closures_in_year(db: Database, year_name: str) -> list[tuple[date, str, str]]:
    """One academic year's closures as entered: (date, kind, description), in date order."""
    from sqlalchemy import select, text

    from attendance_desk.storage.models.calendar import Closure

    year = academic_year_named(year_name)
    with db.session() as s:
        rows = s.scalars(
            select(Closure)
            .where(
                Closure.date >= year.start, Closure.date <= year.end, text(this_school(db.backend))
            )
            .order_by(Closure.date)
        )
        return [(c.date, c.kind, c.description or "") for c in rows]
