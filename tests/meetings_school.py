"""A small Clifton school for the meeting papers, every figure worked by hand.

Year 2024/25, half terms Autumn 1 (2 Sep-25 Oct), Autumn 2 (4 Nov-20 Dec), Spring 1 (6 Jan-
14 Feb), Spring 2 (24 Feb-4 Apr), no closures. The week ending Fri 28 Mar 2025 (WEEK_END):
- a pupil on roll from 2 Sep has 26 school weeks = 260 possible sessions (250 to Sun 23 Mar);
- a pupil admitted Mon 13 Jan has 10 school weeks = 100 sessions (90 to Sun 23 Mar).
Spread absences are `M` (appointments: authorised, not illness, one session each, never two in
a row) so they raise no illness or absence-run concern.

pupil            class adm.   absent                           ytd now        last week     band / routes
Ada Green        3B    2 Sep  none                             260/260 100%   100%          green
Ben Edge         3B    13 Jan 7 M before this week             93/100 93.00%  83/90 92.22%  class teacher (edge)
Cara Miss        3B    13 Jan 4 M before this week             96/100 96.00%  86/90         green (edge)
Dan Ninety       3B    13 Jan 10 M, Mondays AM incl. this week 90/100 90.00%  81/90 90.00%  SLT band (edge), not falling
Eve Hub          3B    13 Jan 10 M before, 1 M this week       89/100 89.00%  80/90 88.89%  Family Hub band, rising
Fay Falling      3B    13 Jan 18 M before, 3 M this week       79/100 79.00%  72/90 80.00%  Family Hub band + falling -> SLT
Gus Flat         3B    13 Jan 18 M before, 2 M this week       80/100 80.00%  72/90 80.00%  Family Hub band, level (not falling)
Kim Ill          3B    2 Sep  3 single I in Spring 2           257/260                      green; frequent illness -> Family Hub
Lou Ill          3B    2 Sep  2 single I in Spring 2           258/260                      green; not frequent
Hal Run          4K    2 Sep  10 I Mon 24 AM-Fri 28 PM          250/260 96.15% 100%          green; absent a week -> SLT
Ivy Nine         4K    2 Sep  9 I Mon 24 AM-Fri 28 AM           251/260 96.54%               green; run of 9 only
Jo Late          4K    2 Sep  12 M before; 2 L this week        248/260 95.38% 238/250 95.2%  class teacher; 2 lates
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from attendance_desk.services.policy import set_preset
from attendance_desk.storage.db import Database

WEEK_END = date(2025, 3, 28)
THIS_MONDAY = date(2025, 3, 24)
HALF_TERMS = (
    ("Autumn 1", date(2024, 9, 2), date(2024, 10, 25)),
    ("Autumn 2", date(2024, 11, 4), date(2024, 12, 20)),
    ("Spring 1", date(2025, 1, 6), date(2025, 2, 14)),
    ("Spring 2", date(2025, 2, 24), date(2025, 4, 4)),
)
JAN13 = date(2025, 1, 13)
NOW = "2025-03-28 16:00:00"

Code = Callable[[int, date, str], str]  # (index of the session since admission, day, AM/PM)


def school_days(start: date, end: date) -> list[date]:
    out, d = [], start
    while d <= end:
        if d.weekday() < 5 and any(s <= d <= e for _n, s, e in HALF_TERMS):
            out.append(d)
        d += timedelta(days=1)
    return out


def _sessions(admitted: date) -> list[tuple[date, str]]:
    return [(d, s) for d in school_days(admitted, WEEK_END) for s in ("AM", "PM")]


def _absent_at(indexes: set[int], code: str = "M") -> Code:
    return lambda i, d, s: code if i in indexes else "/"


def _spread(n: int, before: date, admitted: date, this_week: int = 0) -> set[int]:
    """n sessions absent before `before` (every other day's AM, never adjacent) and
    `this_week` AM/PM sessions absent in the week of WEEK_END (Mon AM, Tue PM, Wed AM...)."""
    sessions = _sessions(admitted)
    earlier = [i for i, (d, s) in enumerate(sessions) if d < before and s == "AM"][::2]
    week = [i for i, (d, _s) in enumerate(sessions) if d >= THIS_MONDAY]
    chosen = set(earlier[:n])
    chosen |= {week[k * 3] for k in range(this_week)}  # Mon AM, Tue PM, Thu AM
    assert len(chosen) == n + this_week
    return chosen


PUPILS: dict[str, tuple[str, date, Code]] = {}


def _define() -> None:
    sep2 = HALF_TERMS[0][1]

    def run(first: date, sessions: int, code: str = "I") -> Code:
        all_sessions = _sessions(sep2)
        start = all_sessions.index((first, "AM"))
        return _absent_at(set(range(start, start + sessions)), code)

    def singles(days: list[date], code: str = "I") -> Code:
        return lambda i, d, s: code if d in days and s == "AM" else "/"

    def late_this_week(base: Code) -> Code:
        def code(i: int, d: date, s: str) -> str:
            if d in (date(2025, 3, 25), date(2025, 3, 27)) and s == "AM":
                return "L"
            return base(i, d, s)

        return code

    PUPILS.update(
        {
            "Ada Green": ("3B", sep2, lambda i, d, s: "/"),
            "Ben Edge": ("3B", JAN13, _absent_at(_spread(7, THIS_MONDAY, JAN13))),
            "Cara Miss": ("3B", JAN13, _absent_at(_spread(4, THIS_MONDAY, JAN13))),
            "Dan Ninety": (
                "3B",
                JAN13,
                lambda i, d, s: "M" if d.weekday() == 0 and s == "AM" else "/",
            ),
            "Eve Hub": ("3B", JAN13, _absent_at(_spread(10, THIS_MONDAY, JAN13, 1))),
            "Fay Falling": ("3B", JAN13, _absent_at(_spread(18, THIS_MONDAY, JAN13, 3))),
            "Gus Flat": ("3B", JAN13, _absent_at(_spread(18, THIS_MONDAY, JAN13, 2))),
            "Kim Ill": (
                "3B",
                sep2,
                singles([date(2025, 3, 3), date(2025, 3, 10), date(2025, 3, 17)]),
            ),
            "Lou Ill": ("3B", sep2, singles([date(2025, 3, 3), date(2025, 3, 10)])),
            "Hal Run": ("4K", sep2, run(THIS_MONDAY, 10)),
            "Ivy Nine": ("4K", sep2, run(THIS_MONDAY, 9)),
            "Jo Late": (
                "4K",
                sep2,
                late_this_week(_absent_at(_spread(12, THIS_MONDAY, sep2))),
            ),
        }
    )


_define()


def make_school(db: Database, preset: str = "clifton", end: date = WEEK_END) -> dict[str, int]:
    """Fill `db` with the pupils above (marks up to `end`); returns pupil ids by name."""
    conn = db.raw_connection()
    try:
        _fill(conn, end)
        ids = {
            f"{f} {s}": i
            for i, f, s in conn.execute("SELECT id, legal_forename, legal_surname FROM pupils")
        }
    finally:
        conn.close()
    set_preset(db, preset)
    return ids


def _fill(conn: sqlite3.Connection, end: date) -> None:
    conn.execute(
        "INSERT INTO schools (id, name, address, postcode, phone, email, urn, headteacher, "
        "attendance_officer) VALUES (1, 'Clifton Test Primary', '1 Road', 'BS1 1AA', '', '', "
        "'100000', 'Mrs Head', 'Mr Officer')"
    )
    conn.execute(
        "INSERT INTO academic_years (id, name, start_date, end_date) "
        "VALUES (1, '2024/25', '2024-09-01', '2025-08-31')"
    )
    conn.executemany(
        "INSERT INTO half_terms (academic_year_id, name, start_date, end_date) VALUES (1, ?, ?, ?)",
        [(n, s.isoformat(), e.isoformat()) for n, s, e in HALF_TERMS],
    )
    for pid, (name, (cls, admitted, code)) in enumerate(PUPILS.items(), start=1):
        forename, surname = name.split(" ")
        conn.execute(
            "INSERT INTO pupils (id, upn, legal_surname, legal_forename, year_group, reg_group, "
            "sex, admission_date, sen_status, pupil_premium, fsm, eal, looked_after, "
            "child_protection, child_in_need, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'F', ?, 'N', FALSE, FALSE, FALSE, FALSE, FALSE, FALSE, ?, ?)",
            (
                pid,
                f"A{pid:012d}",
                surname,
                forename,
                cls[0],
                cls,
                admitted.isoformat(),
                NOW,
                NOW,
            ),
        )
        rows = [
            (pid, d.isoformat(), s, code(i, d, s), NOW)
            for i, (d, s) in enumerate(_sessions(admitted))
            if d <= end
        ]
        conn.executemany(
            "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) "
            "VALUES (?, ?, ?, ?, 'mis', ?)",
            rows,
        )
    conn.commit()


def pdf_text(path: Path) -> str:
    """The PDF's text, page by page (pages split by form feeds), read with poppler's pdftotext."""
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))
