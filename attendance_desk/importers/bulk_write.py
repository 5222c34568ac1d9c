"""Writing a register's differences: new marks in bulk, changed marks with their history.

Whole rows of a wide register for pupils with no marks yet in the range go in with one
INSERT ... SELECT per pupil over a JSON array of the row's codes, joined to a temporary table
of the columns' dates and sessions: about twice as fast as one executemany row per mark
(the per-row work, including the audit trigger on marks, runs once per statement). For a big
load the register's sessions are counted here, not by a trigger per row
(storage/session_counts.py).

On PostgreSQL new marks go in with one binary COPY (importers/pg_binary.py), and for a big
load the marks' primary and foreign keys are dropped and added back too (importers/backend.py
says why), and the import's own source, id, time and school are the columns' defaults for the
load, so the COPY sends each mark's four values only.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from attendance_desk.importers import backend, pg_binary
from attendance_desk.importers.mis_audit import pg_mis_marks_unaudited
from attendance_desk.importers.tables import INSERT_MARK, INSERT_MARK_CHANGE, MARK_COLUMNS, MARKS
from attendance_desk.importers.tally import Tally
from attendance_desk.storage import session_counts
from attendance_desk.storage.trust import owns_table

if TYPE_CHECKING:
    from attendance_desk.importers.store_marks import MarksDiff

CHUNK = 50_000
BULK_TICK = 100
REBUILD_INDEX_AT = 20_000
COUNT_HERE_AT = 2_000  # new marks from which the import counts the sessions, not the trigger
BYTES_BLOCK = 1_000
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
    restore = _drop_for_big_load(conn, len(inserts) + diff.bulk_count)
    total = max(1, len(inserts) + diff.bulk_count + len(updates))

    def report(done: int) -> None:
        if tick:
            tick(0.4 + 0.5 * done / total)

    if backend.is_postgres(conn):
        if diff.bulk or inserts:
            # The school is worked out once: left to the column's default, the function that
            # finds the connection's school runs a query for every one of the marks.
            school = conn.execute("SELECT attendance_desk_school()").fetchone()[0]
            with (
                session_counts.pg_counted_here(conn, school)
                if restore
                else contextlib.nullcontext()
            ) as counts:  # a load that holds the table alone counts its sessions itself
                if backend.column_types(conn, MARKS, pg_binary.COLUMNS) == pg_binary.TYPES:
                    cells_only = bool(restore)  # the load holds the table: its defaults serve
                    if cells_only:
                        restore += backend.constant_defaults(conn, MARKS, _constants(diff, school))
                    stream = pg_binary.framed(
                        _new_row_bytes(diff, columns, tick, total, school, counts, cells_only)
                    )
                    backend.copy_binary(
                        conn,
                        MARKS,
                        pg_binary.CELL_COLUMNS if cells_only else pg_binary.COLUMNS,
                        stream,
                    )
                else:  # not the columns the bytes are made for: psycopg dumps each value
                    if counts is not None:
                        counts.add_grid(columns, [codes for _, codes in diff.bulk])
                        counts.add_marks(inserts)
                    backend.copy_rows(
                        conn,
                        MARKS,
                        MARK_COLUMNS + ", school_id",
                        _new_rows(diff, columns, tick, total, school),
                    )
        done = diff.bulk_count + len(inserts)
    elif diff.bulk_count + len(inserts) >= COUNT_HERE_AT:
        with session_counts.counted_here(conn) as counts:
            if counts is not None:  # the counting trigger is off: the new marks counted here
                counts.add_grid(columns, [codes for _, codes in diff.bulk])
                counts.add_marks(inserts)
            done = _insert_sqlite(conn, diff, columns, report)
    else:
        done = _insert_sqlite(conn, diff, columns, report)
    report(done)
    for statement in restore:
        conn.execute(statement)
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


def _insert_sqlite(
    conn: sqlite3.Connection,
    diff: MarksDiff,
    columns: list[tuple[str, str]],
    report: Callable[[int], None],
) -> int:
    """Whole grid rows with one INSERT ... SELECT per pupil, then single marks in chunks."""
    import_id, now, inserts = int(diff.tally.import_id), diff.tally.now, diff.inserts
    done = 0
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
                report(diff.bulk_count * n // len(diff.bulk))
        conn.execute("DROP TABLE temp.import_columns")
        done = diff.bulk_count
    insert_sql = INSERT_MARK + f"VALUES (?, ?, ?, ?, 'mis', {import_id}, '{now}')"
    for start in range(0, len(inserts), CHUNK):
        conn.executemany(insert_sql, inserts[start : start + CHUNK])
        done += min(CHUNK, len(inserts) - start)
        report(done)
    return done


def _new_rows(
    diff: MarksDiff, columns: list[tuple[str, str]], tick: Tick | None, total: int, school: int
) -> Iterator[tuple[Any, ...]]:
    """The new marks as the rows COPY writes (with their school): whole grid rows, then
    single marks."""
    mis, import_id = "mis", int(diff.tally.import_id)
    now = datetime.fromisoformat(diff.tally.now)
    day = functools.cache(date.fromisoformat)  # a register repeats each date many times

    cells = [(day(iso), session) for iso, session in columns]
    for n, (pupil_id, codes_json) in enumerate(diff.bulk, start=1):
        for (when, session), code in zip(cells, json.loads(codes_json), strict=True):
            if code is not None:
                yield (pupil_id, when, session, code, mis, import_id, now, school)
        if tick and n % BULK_TICK == 0:
            tick(0.4 + 0.5 * (diff.bulk_count * n // len(diff.bulk)) / total)
    for pupil_id, iso, session, code in diff.inserts:
        yield (pupil_id, day(iso), session, code, mis, import_id, now, school)


def _new_row_bytes(
    diff: MarksDiff,
    columns: list[tuple[str, str]],
    tick: Tick | None,
    total: int,
    school: int,
    counts: session_counts.Counts | None = None,
    cells_only: bool = False,
) -> Iterator[bytes]:
    """The new marks as COPY's binary rows (importers/pg_binary.py): a block per grid row,
    then the single marks in blocks of BYTES_BLOCK; each added to `counts` where given (as the
    server reads the last blocks). `cells_only`: each mark's own four values only."""
    day = functools.cache(date.fromisoformat)  # a register repeats each date many times

    rows = pg_binary.MarkRows(
        [(day(iso), session) for iso, session in columns],
        int(diff.tally.import_id),
        datetime.fromisoformat(diff.tally.now),
        school,
        cells_only=cells_only,
    )
    loads, grid_row = json.loads, rows.grid_row
    grid: list[list[str | None]] = []
    keep = grid.append if counts is not None else None
    for n, (pupil_id, codes_json) in enumerate(diff.bulk, start=1):
        codes = loads(codes_json)
        yield grid_row(pupil_id, codes)
        if keep is not None:
            keep(codes)
        if tick and n % BULK_TICK == 0:
            tick(0.4 + 0.5 * (diff.bulk_count * n // len(diff.bulk)) / total)
    inserts, mark = diff.inserts, rows.mark
    for start in range(0, len(inserts), BYTES_BLOCK):
        yield b"".join(
            [mark(p, day(iso), s, code) for p, iso, s, code in inserts[start : start + BYTES_BLOCK]]
        )
    if counts is not None:
        counts.add_lists(columns, grid)
        counts.add_marks(inserts)


def _constants(diff: MarksDiff, school: int) -> dict[str, str]:
    """The import's own values of pg_binary.CONSTANT_COLUMNS as SQL literals (each made from
    its type, so nothing but a number or a timestamp is written into the statement)."""
    now = datetime.fromisoformat(diff.tally.now).isoformat(sep=" ")
    values = ("'mis'", str(int(diff.tally.import_id)), f"'{now}'::timestamp", str(int(school)))
    return dict(zip(pg_binary.CONSTANT_COLUMNS, values, strict=True))


def _drop_for_big_load(conn: sqlite3.Connection, inserts: int) -> list[str]:
    """PostgreSQL, for a big load into a smaller table: drop the marks' primary key, foreign
    keys, other indexes and the insert audit trigger (it skips MIS marks) and add them back after (inside the same transaction): building and
    checking them once is much faster than keeping them up to date row by row. SQLite: nothing
    (the marks have no index beside their key since migration 0018). Returns the statements
    that put back what was dropped."""
    if inserts < REBUILD_INDEX_AT or not backend.is_postgres(conn):
        return []
    if not owns_table(conn, MARKS):
        return []  # a role that does not own the table: every row is checked as it goes in
    if inserts < backend.rows_everywhere(conn, MARKS, at_least=inserts):
        return []  # other schools' marks too: keys kept (their PCs are not held up either)
    # The owner bound by its row-level security (backend.forced_row_security says why): the
    # marks' lifted for the load (the table is the load's alone by now: the keys' dropping
    # holds it), the tables the keys point at only while the keys are checked, at the end.
    forced = backend.forced_row_security(conn, [MARKS, *backend.referenced_tables(conn, MARKS)])
    on_marks = [t for t in forced if t == MARKS]
    pointed_at = [t for t in forced if t != MARKS]
    keys = backend.drop_foreign_keys(conn, MARKS)
    primary = backend.drop_primary_key(conn, MARKS)
    indexes = backend.drop_indexes(conn, MARKS, "ix_marks_date")
    audit = pg_mis_marks_unaudited(conn)  # the load writes MIS marks only
    for statement in backend.row_security_statements(on_marks, force=False):
        conn.execute(statement)
    checked = [
        *backend.row_security_statements(pointed_at, force=False),
        *keys,
        *backend.row_security_statements(forced, force=True),
    ]
    return [*audit, *backend.more_sort_memory(conn), *primary, *indexes, *checked]
