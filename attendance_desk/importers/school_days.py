"""Every mark a register brings checked against the school's calendar, before anything is written.

A mark may only fall on a school day: not a weekend, not a holiday or half term (when the
school's term dates for that year are held), not a closure (an INSET day, a bank holiday; `#`,
the closure code itself, is the one mark allowed on a closure), not after today, and not before
the pupil's admission or after their leaving date. Blank cells never count. The check runs
inside the import's transaction, after term dates, closures and pupil details from the same
import are written, so a closure or an admission date declared in the same import counts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date

from attendance_desk.domain.calendar import academic_start_year
from attendance_desk.domain.dates import WEEKDAY_NAMES, numeric
from attendance_desk.importers.model import RegisterData
from attendance_desk.importers.problems import Problems
from attendance_desk.importers.tables import CLOSURES, HALF_TERMS, PUPILS
from attendance_desk.storage.dialect import backend_of
from attendance_desk.storage.trust import this_school

CLOSURE_CODE = "#"
ROWS_LISTED = 8  # rows named per problem; the count is always complete


def check_school_days(
    conn: sqlite3.Connection,
    data: RegisterData,
    pupil_ids: list[int],
    problems: Problems,
    today: date,
) -> None:
    """Add a problem for each group of marks on a day that is not a school day for the pupil."""
    if not data.dates:
        return
    here = this_school(backend_of(conn))  # the school's own calendar, not another's
    closures = {d for (d,) in conn.execute(f"SELECT date FROM {CLOSURES} WHERE {here}")}
    terms = _TermDates(
        conn.execute(f"SELECT start_date, end_date FROM {HALF_TERMS} WHERE {here}").fetchall()
    )
    today_iso = today.isoformat()
    day_reason = {iso: _day_reason(iso, today_iso, terms) for iso in data.dates}
    closed = {iso for iso in data.dates if iso in closures and day_reason[iso] is None}
    limits = _pupil_limits(conn, data, pupil_ids)
    if not closed and not limits and not any(day_reason.values()):
        return
    found: dict[tuple[str, str], tuple[int, list[int]]] = {}  # (reason, date) -> column, rows
    for pupil, iso, _session, code, r, c in data.iter_marks():
        reason = day_reason[iso]
        if reason is None and iso in closed and code != CLOSURE_CODE:
            reason = f"{_uk(iso)} is a closure day (only '#' may be recorded)"
        if reason is None:
            bounds = limits.get(pupil)
            if bounds is not None:
                reason = _pupil_reason(iso, bounds, data.pupils[pupil].display_name)
        if reason is not None:
            rows = found.setdefault((reason, iso), (c, []))[1]
            if not rows or rows[-1] != r + 1:
                rows.append(r + 1)
    for (reason, _iso), (col, rows) in sorted(found.items(), key=lambda kv: (kv[0][1], kv[1][1])):
        problems.add(rows[0], col, f"{reason}{_rows_text(rows)}")


class _TermDates:
    """Half terms held, by academic year: a year with none is checked for weekends only."""

    def __init__(self, spans: Iterable[tuple[str, str]]) -> None:
        self.spans = sorted((str(s), str(e)) for s, e in spans)
        self.years = {_academic_year(s) for s, _ in self.spans}

    def holiday(self, iso: str) -> bool:
        if _academic_year(iso) not in self.years:
            return False
        return not any(start <= iso <= end for start, end in self.spans)


def _academic_year(iso: str) -> int:
    return academic_start_year(date.fromisoformat(iso))


def _day_reason(iso: str, today_iso: str, terms: _TermDates) -> str | None:
    day = date.fromisoformat(iso)
    if day.weekday() >= 5:
        return f"{WEEKDAY_NAMES[day.weekday()]} {_uk(iso)} is a weekend"
    if iso > today_iso:
        return f"{_uk(iso)} is after today ({_uk(today_iso)})"
    if terms.holiday(iso):
        return f"{_uk(iso)} is in a holiday (outside the half terms held)"
    return None


def _pupil_limits(
    conn: sqlite3.Connection, data: RegisterData, pupil_ids: list[int]
) -> dict[int, tuple[str | None, str | None]]:
    """Admission and leaving dates of the file's pupils whose dates cut into the file's range."""
    first, last = data.first_date or "", data.last_date or ""
    held: dict[int, tuple[str | None, str | None]] = {}
    wanted = sorted({p for p in pupil_ids if p})
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        marks = ",".join("?" * len(chunk))
        for pid, admitted, left in conn.execute(
            f"SELECT id, admission_date, leaving_date FROM {PUPILS} WHERE id IN ({marks})", chunk
        ):
            admitted = str(admitted)[:10] if admitted else None
            left = str(left)[:10] if left else None
            if (admitted and admitted > first) or (left and left < last):
                held[int(pid)] = (admitted, left)
    return {index: held[pid] for index, pid in enumerate(pupil_ids) if pid in held}


def _pupil_reason(iso: str, bounds: tuple[str | None, str | None], name: str) -> str | None:
    admitted, left = bounds
    if admitted and iso < admitted:
        return f"{_uk(iso)} is before {name} was admitted ({_uk(admitted)})"
    if left and iso > left:
        return f"{_uk(iso)} is after {name} left ({_uk(left)})"
    return None


def _rows_text(rows: list[int]) -> str:
    """' (rows 3, 5, 7)' when the same problem is on more than one row."""
    if len(rows) == 1:
        return ""
    listed = ", ".join(str(r) for r in rows[:ROWS_LISTED])
    more = f" and {len(rows) - ROWS_LISTED} more" if len(rows) > ROWS_LISTED else ""
    return f" (rows {listed}{more})"


def _uk(iso: str) -> str:
    return numeric(date.fromisoformat(iso))
