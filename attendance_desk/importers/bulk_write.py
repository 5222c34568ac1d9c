"""Writing a register's differences: new marks in bulk, changed marks with their history.

Whole rows of a wide register for pupils with no marks yet in the range go in with one
INSERT ... SELECT per pupil over a JSON array of the row's codes, joined to a temporary table
of the columns' dates and sessions: about twice as fast as one executemany row per mark
(the per-row work, including the audit trigger on marks, runs once per statement). For a big
load into a small table the marks-by-date index is dropped and rebuilt afterwards.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from attendance_desk.importers.tables import INSERT_MARK, INSERT_MARK_CHANGE, MARKS
from attendance_desk.importers.tally import Tally

if TYPE_CHECKING:
    from attendance_desk.importers.store_marks import MarksDiff

CHUNK = 50_000
BULK_TICK = 100
REBUILD_INDEX_AT = 20_000
Tick = Callable[[float], None]


def write_changes(
    conn: sqlite3.Connection,
    tally: Tally,
    diff: MarksDiff,
    columns: list[tuple[str, str]],
    tick: Tick | None,
) -> None:
    import_id, now = int(tally.import_id), tally.now
    inserts, updates = diff.inserts, diff.updates
    index_sql = _drop_date_index(conn, len(inserts) + diff.bulk_count)
    total = max(1, len(inserts) + diff.bulk_count + len(updates))
    done = 0

    def report() -> None:
        if tick:
            tick(0.4 + 0.5 * done / total)

    if diff.bulk:
        conn.execute(
            "CREATE TEMP TABLE import_columns (idx INTEGER PRIMARY KEY, date TEXT, session TEXT)"
        )
        conn.executemany(
            "INSERT INTO temp.import_columns VALUES (?, ?, ?)",
            [(i, iso, session) for i, (iso, session) in enumerate(columns)],
        )
        bulk_sql = (
            INSERT_MARK + f"SELECT ?, c.date, c.session, j.value, 'mis', {import_id}, '{now}' "
            "FROM json_each(?) AS j JOIN temp.import_columns AS c ON c.idx = j.key "
            "WHERE j.value IS NOT NULL"
        )
        for n, (pupil_id, codes_json) in enumerate(diff.bulk, start=1):
            conn.execute(bulk_sql, (pupil_id, codes_json))
            if n % BULK_TICK == 0:
                done = diff.bulk_count * n // len(diff.bulk)
                report()
        conn.execute("DROP TABLE temp.import_columns")
        done = diff.bulk_count
    insert_sql = INSERT_MARK + f"VALUES (?, ?, ?, ?, 'mis', {import_id}, '{now}')"
    for start in range(0, len(inserts), CHUNK):
        conn.executemany(insert_sql, inserts[start : start + CHUNK])
        done += min(CHUNK, len(inserts) - start)
        report()
    if index_sql:
        conn.execute(index_sql)
    if updates:
        conn.executemany(
            f"UPDATE {MARKS} SET code = ?, source = 'mis', import_id = {import_id}, "
            f"updated_at = '{now}' WHERE pupil_id = ? AND date = ? AND session = ?",
            updates,
        )
        conn.executemany(
            INSERT_MARK_CHANGE + f"VALUES (?, ?, ?, ?, ?, 'mis', {import_id}, '{now}', '', ?)",
            [
                (p, d, s, old, new, "overwrote an office mark" if src == "office" else "")
                for p, d, s, old, new, src in diff.history
            ],
        )
    if tick:
        tick(1.0)


def _drop_date_index(conn: sqlite3.Connection, inserts: int) -> str | None:
    """For a big load into a smaller table, drop the marks-by-date index and rebuild it after
    (inside the same transaction): building it once is much faster than keeping it up to date
    while rows arrive in primary-key order. Returns the statement that rebuilds it."""
    if inserts < REBUILD_INDEX_AT:
        return None
    existing = conn.execute(f"SELECT count(*) FROM {MARKS}").fetchone()[0]
    if inserts < existing:
        return None
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'ix_marks_date'"
    ).fetchone()
    if not row or not row[0]:
        return None
    conn.execute("DROP INDEX ix_marks_date")
    return str(row[0])
