"""What an import does differently on SQLite and on PostgreSQL, kept to this one module.

The importers write plain SQL through a raw connection: sqlite3's own, or on PostgreSQL the
storage layer's small adapter with the same surface (`execute`, `executemany`, `?` and `:name`
parameters). The statements are written to run on both (ON CONFLICT, RETURNING, UPDATE ...
FROM); what cannot be (the transaction's start, a JSON array as a table, the catalogue, COPY)
is here, with one branch per backend. Nothing here imports psycopg on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from attendance_desk.storage.dialect import is_postgres as is_postgres
from attendance_desk.storage.trust import acting_for_no_school


def begin_import(conn: Any) -> None:
    """Start the import's one transaction, holding the write lock throughout."""
    if is_postgres(conn):
        # storage/postgres.py: BEGIN and the database's write lock (an advisory lock), so two
        # imports run one after the other as on SQLite (the second then sees the first's marks)
        conn.execute("BEGIN IMMEDIATE")
        return
    conn.isolation_level = None
    # Every id the import writes is looked up or created inside this transaction, which holds
    # the write lock throughout, so per-row foreign-key checks are skipped for the bulk load.
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN IMMEDIATE")


def end_import(conn: Any, commit: bool) -> None:
    conn.execute("COMMIT" if commit else "ROLLBACK")


def abandon_import(conn: Any) -> None:
    """After an error: roll back whatever was begun (nothing is half-written)."""
    if is_postgres(conn):
        conn.rollback()
    elif conn.in_transaction:
        conn.execute("ROLLBACK")


def after_import(conn: Any) -> None:
    if not is_postgres(conn):
        conn.execute("PRAGMA foreign_keys = ON")


def json_ints(conn: Any) -> str:
    """A table `j(value)` of the integers in a JSON array given as one parameter."""
    if is_postgres(conn):
        return "(SELECT value::integer AS value FROM json_array_elements_text(?::json)) AS j"
    return "json_each(?) AS j"


def mark_key(conn: Any) -> str:
    """The expression 'YYYY-MM-DD' || session of a mark `m` (a date column is a date there)."""
    if is_postgres(conn):
        return "to_char(m.date, 'YYYY-MM-DD') || m.session"
    return "m.date || m.session"


def json_object_of(conn: Any, key: str, value: str) -> str:
    """The aggregate that makes one JSON object of `key` -> `value` over a group of rows."""
    if is_postgres(conn):
        return f"json_object_agg({key}, {value})"
    return f"json_group_object({key}, {value})"


def json_object(value: Any) -> dict[str, Any]:
    """A JSON object read back: the text SQLite gives, or what the PostgreSQL driver made of
    it (already a dict)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    loaded = json.loads(value)
    return loaded if isinstance(loaded, dict) else {}


def timestamp(conn: Any, parameter: str) -> str:
    """A text parameter used as a timestamp where PostgreSQL cannot tell (a CASE's result)."""
    return f"CAST({parameter} AS timestamp)" if is_postgres(conn) else parameter


def drop_indexes(conn: Any, table: str, name: str) -> list[str]:
    """Drop the table's indexes that back no constraint, for a big load, and return the
    statements that make them again (run inside the same transaction). SQLite: the index `name`
    only. PostgreSQL: every such index (the marks had one by date until 0018 and one by school
    until 0019: kept up to date row by row, the one by school cost as much as the whole COPY
    into a bare table; built once after, a tenth of that). The BRIN by date (0020) too: kept
    through a year's COPY it cost 0.12 s there, built again after 0.075 s (five runs each)."""
    if is_postgres(conn):
        found = conn.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass(?) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            (table,),
        ).fetchall()
    else:
        found = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).fetchall()
    found = [(n, sql) for n, sql in found if sql]
    for index, _ in found:
        conn.execute(f'DROP INDEX "{index}"')
    return [str(sql) for _, sql in found]


def rows_everywhere(conn: Any, table: str, at_least: int) -> int:
    """The table's rows, every school's: a trust's owner working on one school sees only that
    school's under row-level security, so a first year into a new school of a big trust looked
    like a load into an empty table. PostgreSQL: the planner's estimate when it already reaches
    `at_least` (kept by every index build and ANALYZE), else a count with the connection acting
    for no school for that one statement (the owner then sees every school). SQLite: a count."""
    if not is_postgres(conn):
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    row = conn.execute(
        "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(?)", (table,)
    ).fetchone()
    estimate = int(row[0]) if row and row[0] is not None else 0
    if estimate >= at_least:
        return estimate
    with acting_for_no_school(conn):
        return max(estimate, int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]))


def drop_foreign_keys(conn: Any, table: str) -> list[str]:
    """PostgreSQL checks a foreign key with a query per row inserted (about 5 of the 6 seconds
    of COPYing a year's marks); for a big load the import drops the table's foreign keys and
    adds them back before it commits, which checks every row at once (0.1 s each). Returns the
    statements that add them back. SQLite: none (its checks are off for the import)."""
    if not is_postgres(conn):
        return []
    found = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = to_regclass(?)",
        (table,),
    ).fetchall()
    for name, _ in found:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in found
    ]


def referenced_tables(conn: Any, table: str) -> list[str]:
    """PostgreSQL: the tables `table`'s foreign keys point at. SQLite: none."""
    if not is_postgres(conn):
        return []
    rows = conn.execute(
        "SELECT DISTINCT confrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = to_regclass(?) ORDER BY 1",
        (table,),
    ).fetchall()
    return [str(name) for (name,) in rows]


def forced_row_security(conn: Any, tables: Sequence[str]) -> list[str]:
    """PostgreSQL: those of `tables` whose row-level security binds their owner too (FORCE,
    migration 0015) where it binds this connection's role (not a superuser, no BYPASSRLS: the
    owner a school's server is set up with). SQLite: none.

    For a big load they are lifted inside the import's transaction and put back before it
    commits (as storage/transfer.py does for a move), so no other connection ever sees them
    without it: bound by it, the owner may not COPY into the marks (they went through a
    temporary table: 0.65 s more for a year), and PostgreSQL plans the check of the marks'
    foreign keys under the policies, whose conditions it cannot estimate, as a nested loop
    over every mark and every pupil (a year's first import into a school: 14-16 s for that
    one check, against 0.1 s without the policies)."""
    if not is_postgres(conn) or not tables:
        return []
    bypass = conn.execute(
        "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    if bypass and bypass[0]:
        return []
    forced = {
        str(name)
        for (name,) in conn.execute(
            "SELECT relname FROM pg_class WHERE relforcerowsecurity AND oid IN ("
            + ", ".join("to_regclass(?)" for _ in tables)
            + ")",
            tuple(tables),
        ).fetchall()
    }
    return [t for t in tables if t in forced]


def row_security_statements(tables: Sequence[str], force: bool) -> list[str]:
    """The statements that lift (force=False) or put back the owner's row-level security."""
    verb = "FORCE" if force else "NO FORCE"
    return [f"ALTER TABLE {t} {verb} ROW LEVEL SECURITY" for t in tables]


def drop_primary_key(conn: Any, table: str) -> list[str]:
    """PostgreSQL: drop the table's primary key for a big load and return the statement that
    adds it back (one sorted build is cheaper than keeping it up to date row by row; the load
    writes no two rows with the same key: the import checked). SQLite: nothing."""
    if not is_postgres(conn):
        return []
    row = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'p' AND conrelid = to_regclass(?)",
        (table,),
    ).fetchone()
    if row is None:
        return []
    conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{row[0]}"')
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{row[0]}" {row[1]}']


# The memory PostgreSQL may use to sort a big load's rows for its key and index builds, at least
# (the server's default, 64 MB, split among the build's parallel workers, makes each sort
# spill to disk: a year's key 0.16 s -> 0.14 s with it). For this transaction only.
SORT_MEMORY_KB = 256 * 1024


def more_sort_memory(conn: Any) -> list[str]:
    """PostgreSQL: the statement that gives this transaction's index builds SORT_MEMORY_KB, if
    the server gives less. SQLite: none."""
    if not is_postgres(conn):
        return []
    row = conn.execute(
        "SELECT setting::bigint FROM pg_settings WHERE name = 'maintenance_work_mem'"
    ).fetchone()
    if row is None or int(row[0]) >= SORT_MEMORY_KB:
        return []
    return [f"SET LOCAL maintenance_work_mem = '{SORT_MEMORY_KB}kB'"]


def constant_defaults(conn: Any, table: str, values: dict[str, str]) -> list[str]:
    """PostgreSQL, for a big load holding the table alone: make each column's default the SQL
    literal given (the load's own constant: its source, import, time, school) and return the
    statement that puts the defaults back (inside the same transaction). A COPY that names only
    the other columns then sends and parses four values a mark, not eight: 0.08 s of a year's
    load. SQLite: nothing."""
    if not is_postgres(conn):
        return []
    names = list(values)
    found = dict(
        conn.execute(
            "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped",
            (table,),
        ).fetchall()
    )
    missing = [n for n in names if n not in found]
    if missing:
        raise ValueError(f"{table} has no column {', '.join(missing)}")
    conn.execute(
        f"ALTER TABLE {table} "
        + ", ".join(f"ALTER COLUMN {n} SET DEFAULT {values[n]}" for n in names)
    )
    return [
        f"ALTER TABLE {table} "
        + ", ".join(
            f"ALTER COLUMN {n} SET DEFAULT {found[n]}"
            if found[n] is not None
            else f"ALTER COLUMN {n} DROP DEFAULT"
            for n in names
        )
    ]


def column_types(conn: Any, table: str, columns: str) -> tuple[str, ...]:
    """PostgreSQL: the type names (pg_type) of the table's columns, in the order given."""
    names = [c.strip() for c in columns.split(",")]
    types = dict(
        conn.execute(
            "SELECT attname, atttypid::regtype::text FROM pg_attribute "
            "WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped",
            (table,),
        ).fetchall()
    )
    short = {
        "integer": "int4",
        "character varying": "varchar",
        "timestamp without time zone": "timestamp",
    }
    return tuple(short.get(str(types.get(n)), str(types.get(n))) for n in names)


def copy_rows(conn: Any, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows into `table` in PostgreSQL's binary format (one statement, rows streamed; the
    server parses nothing). Each value must be of its column's Python type (a date a `date`)."""
    types = list(column_types(conn, table, columns))
    with _copy_target(conn, table, columns) as target:
        sql = f"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)"
        with conn.pg.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types(types)
            write = copy.write_row
            for row in rows:
                write(row)


def copy_binary(conn: Any, table: str, columns: str, stream: Iterable[bytes]) -> None:
    """COPY into `table` a stream already in PostgreSQL's binary COPY format (signature, rows,
    trailer: importers/pg_binary.py makes it), sent as it comes."""
    with _copy_target(conn, table, columns) as target:
        sql = f"COPY {target} ({columns}) FROM STDIN (FORMAT BINARY)"
        with conn.pg.cursor() as cursor, cursor.copy(sql) as copy:
            write = copy.write
            for block in stream:
                write(block)


@contextmanager
def _copy_target(conn: Any, table: str, columns: str) -> Iterator[str]:
    """Where COPY writes: the table itself, or, where row-level security applies to the
    connection's role (a trust's member of staff, whom PostgreSQL allows no COPY into such a
    table), a temporary table of the same columns whose rows then go in with one INSERT ...
    SELECT, each checked against the school policy (its schools worked out once) and the
    keys."""
    row = conn.execute("SELECT row_security_active(to_regclass(?))", (table,)).fetchone()
    if not (row and row[0]):
        yield table
        return
    # with its defaults: a COPY that leaves columns to them (constant_defaults) fills them here
    conn.execute(f"CREATE TEMP TABLE copy_stage (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
    yield "pg_temp.copy_stage"
    conn.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM pg_temp.copy_stage")
    conn.execute("DROP TABLE pg_temp.copy_stage")
