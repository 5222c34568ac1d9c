"""Benchmark: figures and every concern for 1,500 pupils over a full year (570,000 marks).

Standalone (not collected by pytest): `python tests/benchmarks/bench_engine.py`. Builds its
own database in a temporary folder, then times, in the same run,
  - a bare SQL GROUP BY over the marks table (the yardstick),
  - pupil_overviews (figures, band, trend and every concern's rule id for every pupil),
  - school_concerns (every concern with its evidence),
each COLD (the engine's stored results dropped before every run, so nothing is reused), then
  - both together (overviews then concerns, cold before the pair: the marks are read twice,
    the rules run once), and as the window asks for them: school_snapshot, one read and one
    run of the rules for the list, the concerns and the dashboard, and
  - a repeat call with the data unchanged (the marks are read and compared, the rules reused).
Target (issue 18): each cold call within 1.5x the GROUP BY, and both together within 2x.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from attendance_desk.services import monitoring
from attendance_desk.services.monitoring import pupil_overviews, school_concerns, school_snapshot
from attendance_desk.storage.db import open_database

HALF_TERMS = [
    ("Autumn 1", date(2024, 9, 2), date(2024, 10, 25)),
    ("Autumn 2", date(2024, 11, 4), date(2024, 12, 20)),
    ("Spring 1", date(2025, 1, 6), date(2025, 2, 14)),
    ("Spring 2", date(2025, 2, 24), date(2025, 4, 4)),
    ("Summer 1", date(2025, 4, 22), date(2025, 5, 23)),
    ("Summer 2", date(2025, 6, 2), date(2025, 7, 15)),
]
CLOSURES = [date(2025, 5, 5)]
PUPILS = 1500
ROUNDS = 7


def school_days() -> list[date]:
    days = []
    for _, start, end in HALF_TERMS:
        d = start
        while d <= end:
            if d.weekday() < 5 and d not in CLOSURES:
                days.append(d)
            d += timedelta(days=1)
    return days


def build(path: Path, seed: int = 7) -> int:
    rng = random.Random(seed)
    db = open_database(path)
    db.close()
    conn = db.raw_connection()
    conn.execute(
        "INSERT INTO academic_years (id, name, start_date, end_date) VALUES (1, '2024/25', '2024-09-01', '2025-08-31')"
    )
    conn.executemany(
        "INSERT INTO half_terms (academic_year_id, name, start_date, end_date) VALUES (1, ?, ?, ?)",
        [(n, s.isoformat(), e.isoformat()) for n, s, e in HALF_TERMS],
    )
    conn.executemany(
        "INSERT INTO closures (date, kind, description) VALUES (?, 'bank_holiday', '')",
        [(c.isoformat(),) for c in CLOSURES],
    )
    now = "2025-07-22 12:00:00"
    conn.executemany(
        "INSERT INTO pupils (id, upn, legal_surname, legal_forename, year_group, reg_group, sex,"
        " pupil_premium, fsm, sen_status, eal, looked_after, child_protection, child_in_need,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?)",
        [
            (
                i,
                f"B{i:012d}",
                f"Surname{i}",
                f"Forename{i}",
                "R123456"[i % 7],
                f"Class {i % 50}",
                "FM"[i % 2],
                i % 4 == 0,
                i % 5 == 0,
                "NNNNNNKE"[i % 8],
                now,
                now,
            )
            for i in range(1, PUPILS + 1)
        ],
    )
    days = school_days()
    rows = []
    absent = ["I", "I", "I", "M", "O", "G", "N", "C", "U", "L"]
    for pupil in range(1, PUPILS + 1):
        rate = rng.choice((0.01, 0.03, 0.05, 0.08, 0.15, 0.3))
        for d in days:
            iso = d.isoformat()
            for session, present in (("AM", "/"), ("PM", "\\")):
                code = rng.choice(absent) if rng.random() < rate else present
                rows.append((pupil, iso, session, code, "mis", now))
    conn.executemany(
        "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    return len(rows)


def best_of(fn, runs: int = 5, cold: bool = True) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        if cold:
            monitoring._RESULTS.clear()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        t0 = time.perf_counter()
        marks = build(path)
        print(f"built {PUPILS} pupils, {marks} marks in {time.perf_counter() - t0:.1f} s")
        db = open_database(path)
        as_of = date(2025, 7, 15)

        def group_by() -> None:
            conn = db.raw_connection()
            conn.execute(
                "SELECT pupil_id, code, count(*) FROM marks GROUP BY pupil_id, code"
            ).fetchall()
            conn.close()

        # Interleaved, round by round (the machine is shared: a busy spell hits every
        # measurement alike), best of the rounds for each.
        jobs = {
            "sql": (group_by, True),
            "overviews": (lambda: pupil_overviews(db, as_of), True),
            "concerns": (lambda: school_concerns(db, as_of), True),
            "both": (lambda: (pupil_overviews(db, as_of), school_concerns(db, as_of)), True),
            # what the window asks: the list's overviews, every concern and the dashboard's
            # figures from ONE read of the marks and one run of the rules
            "screen": (lambda: school_snapshot(db, as_of), True),
            "repeat": (lambda: school_concerns(db, as_of), False),
        }
        best = {name: float("inf") for name in jobs}
        for _ in range(ROUNDS):
            for name, (fn, cold) in jobs.items():
                best[name] = min(best[name], best_of(fn, runs=1, cold=cold))
        sql, overviews, concerns = best["sql"], best["overviews"], best["concerns"]
        both, repeat, screen = best["both"], best["repeat"], best["screen"]
        found = school_concerns(db, as_of)
        db.close()
    print(f"bare SQL GROUP BY (pupil, code):      {sql * 1000:7.1f} ms")
    print(
        f"pupil_overviews (figures + concerns): {overviews * 1000:7.1f} ms  ({overviews / sql:.2f}x)"
    )
    print(
        f"school_concerns ({len(found)} concerns):  {concerns * 1000:7.1f} ms  ({concerns / sql:.2f}x)"
    )
    print(f"both, as a screen asks (cold):        {both * 1000:7.1f} ms  ({both / sql:.2f}x)")
    print(
        f"the screen's one call (school_snapshot):  {screen * 1000:7.1f} ms  ({screen / sql:.2f}x)"
    )
    print(f"school_concerns again, data unchanged: {repeat * 1000:7.1f} ms  ({repeat / sql:.2f}x)")
    ok = overviews <= 1.5 * sql and concerns <= 1.5 * sql and min(both, screen) <= 2 * sql
    print("PASS" if ok else "SLOWER THAN THE TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
