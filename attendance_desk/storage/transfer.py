"""Copying every row of one school database into another, SQLite or PostgreSQL either way.

Both ends are open at the same schema revision (storage opens each at the latest). The rows go
in one transaction on the target: all of them or, on any error, none. The target must hold no
school data yet; what opening it wrote for itself (its identity, who opened it, the schema
revision) is replaced by the source's rows, so the moved school keeps its identity and its
audit log exactly, chain included. While rows go in, the target's own triggers are off (the
audit log is copied, not written again) and its foreign keys are checked once at the end.

The catalogue is read here, one branch per backend: sqlite_master and PRAGMA on SQLite,
pg_catalog / information_schema on PostgreSQL. On PostgreSQL rows go in with COPY.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from attendance_desk.errors import DatabaseError
from attendance_desk.storage.dialect import is_postgres

# the schema's own bookkeeping: made by each database's migrations, never copied
NOT_COPIED = frozenset({"alembic_version"})
# what opening a new database writes for itself: replaced by the source's rows
OWN_ROWS = frozenset({"app_settings", "audit_session", "audit_log"})
OWN_SETTINGS = frozenset({"database.identity"})
BATCH = 20_000
# A table copied into PostgreSQL goes in this order: the marks academic year by academic year
# (each year pupil by pupil, as a year's first import writes them), so each block of the table
# holds one year's marks and the index of their dates (a BRIN, migration 0020) lets the
# engine's read of two academic years skip the earlier years' blocks. In the key's order (each
# pupil's whole history in turn) every block range would span every year, and the read scanned
# all of them. SQL for each source's backend: the year starting 1 September of a date.
_ACADEMIC_YEAR = {
    "sqlite": """strftime('%Y', "date", '-8 months')""",
    "postgresql": """date_part('year', "date" - interval '8 months')""",
}
PG_ORDER = {"marks": ("{academic_year}", '"pupil_id"', '"date"', '"session"')}
TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy writes a DateTime in SQLite

Progress = Callable[[str, int, int], None]  # table, rows copied so far, rows in all


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "timestamp", "date", "boolean", "other"


def tables(conn: Any) -> list[str]:
    """The school's tables (not the schema's bookkeeping), by name."""
    if is_postgres(conn):
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
    return sorted(str(r[0]) for r in rows if str(r[0]) not in NOT_COPIED)


def columns(conn: Any, table: str) -> list[Column]:
    if is_postgres(conn):
        rows = conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped "
            "ORDER BY a.attnum",
            (table,),
        ).fetchall()
    else:
        rows = [(r[1], r[2]) for r in conn.execute(f'PRAGMA table_info("{table}")')]
    return [Column(str(name), _kind(str(declared))) for name, declared in rows]


def _kind(declared: str) -> str:
    text = declared.lower()
    if "timestamp" in text or "datetime" in text:
        return "timestamp"
    if text == "date":
        return "date"
    if "bool" in text:
        return "boolean"
    return "other"


def count(conn: Any, table: str) -> int:
    return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def school_rows(conn: Any) -> dict[str, int]:
    """Rows per table that are the school's (a new database's own rows not counted)."""
    found: dict[str, int] = {}
    for table in tables(conn):
        if table == "app_settings":
            marks = ", ".join("?" * len(OWN_SETTINGS))
            n = conn.execute(
                f"SELECT count(*) FROM app_settings WHERE key NOT IN ({marks})",
                tuple(sorted(OWN_SETTINGS)),
            ).fetchone()[0]
        elif table == "audit_session":
            n = 0
        else:
            n = count(conn, table)
        found[table] = int(n)
    return found


def read_rows(
    conn: Any, table: str, names: Sequence[str], into_postgres: bool = False
) -> Iterator[tuple[Any, ...]]:
    """Every row of `table` (the columns `names`), in batches; `into_postgres`: in the order
    PostgreSQL's table should hold them (PG_ORDER), where there is one."""
    listed = ", ".join(f'"{n}"' for n in names)
    order = PG_ORDER.get(table, ()) if into_postgres else ()
    year = _ACADEMIC_YEAR["postgresql" if is_postgres(conn) else "sqlite"]
    by = " ORDER BY " + ", ".join(order).format(academic_year=year) if order else ""
    cursor = conn.execute(f'SELECT {listed} FROM "{table}"{by}')
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            return
        yield from batch


def _for_sqlite(target: list[Column]) -> Callable[[tuple[Any, ...]], tuple[Any, ...]] | None:
    """What a row read from PostgreSQL needs to be as SQLite keeps it: timestamps written as
    SQLAlchemy writes them (PostgreSQL's text drops trailing zeros of the fraction)."""
    stamps = [i for i, c in enumerate(target) if c.kind == "timestamp"]
    if not stamps:
        return None

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for i in stamps:
            value = values[i]
            if isinstance(value, str):
                values[i] = datetime.fromisoformat(value).strftime(TIMESTAMP)
            elif isinstance(value, datetime):
                values[i] = value.strftime(TIMESTAMP)
        return tuple(values)

    return convert


class TargetWriter:
    """The target's side of the copy: its transaction, its triggers and keys, the rows."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pg = is_postgres(conn)
        self.restore: list[str] = []

    def begin(self, names: list[str], keep_keys: bool = False) -> None:
        """Take the write lock and turn the target's triggers off; its foreign keys dropped
        (checked once, as they are made again at the end), or with `keep_keys` left to check
        each row as it goes in (rows added beside others': the tables' own rows are not
        checked again; the tables must then go in parents first)."""
        conn = self.conn
        if self.pg:
            conn.execute("BEGIN IMMEDIATE")  # storage/postgres.py: BEGIN and the write lock
            for table in names:
                conn.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
                self.restore.append(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
            # Row-level security forced on the tables' owner (0015) allows it no COPY into them
            # (a superuser is never restricted): lifted inside this transaction, put back before
            # it commits, so no other connection ever sees the tables without it.
            forced = conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relforcerowsecurity"
            ).fetchall()
            # Put back after the keys are made again: checked under the policies, whose
            # conditions PostgreSQL cannot estimate, each key's check became a nested loop
            # over both tables (the demo school's move by its owner: 4.8 s, against 3.0 s).
            forced_back = []
            for (table,) in forced:
                conn.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
                forced_back.append(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
            keys = (
                []
                if keep_keys
                else conn.execute(
                    "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
                    "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                    "WHERE c.contype = 'f' AND n.nspname = current_schema()"
                ).fetchall()
            )
            for table, name, definition in keys:
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                self.restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            self.restore += forced_back
            return
        conn.isolation_level = None
        conn.execute("PRAGMA foreign_keys = OFF")  # checked once, at the end
        conn.execute("BEGIN IMMEDIATE")
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
            self.restore.append(str(sql))

    def clear(self, table: str) -> None:
        self.conn.execute(f'DELETE FROM "{table}"')

    def write(self, table: str, cols: list[Column], rows: Iterator[tuple[Any, ...]]) -> None:
        names = [c.name for c in cols]
        listed = ", ".join(f'"{n}"' for n in names)
        if self.pg:
            with (
                self.conn.pg.cursor() as cursor,
                cursor.copy(f'COPY "{table}" ({listed}) FROM STDIN') as copy,
            ):
                write = copy.write_row
                for row in rows:
                    write(row)
            return
        convert = _for_sqlite(cols)
        sql = f'INSERT INTO "{table}" ({listed}) VALUES ({", ".join("?" * len(names))})'
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(convert(row) if convert else row)
            if len(batch) >= BATCH:
                self.conn.executemany(sql, batch)
                batch = []
        if batch:
            self.conn.executemany(sql, batch)

    def finish(self, names: list[str]) -> None:
        conn = self.conn
        for statement in self.restore:
            conn.execute(statement)
        if self.pg:
            for table, column in conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND (column_default LIKE 'nextval(%' "
                "OR is_identity = 'YES')"
            ).fetchall():
                if table in names:
                    conn.execute(
                        f"SELECT setval(pg_get_serial_sequence(?, ?), "
                        f'coalesce(max("{column}"), 0) + 1, false) FROM "{table}"',
                        (table, column),
                    )
            # A BRIN learns of rows COPYed into blocks it has not summed up yet only at a
            # VACUUM: summed up here, the moved years' blocks are skipped from the first read.
            for (index,) in conn.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND a.amname = 'brin'"
            ).fetchall():
                conn.execute("SELECT brin_summarize_new_values(to_regclass(?))", (index,))
            return
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            table, rowid, parent = broken[0][0], broken[0][1], broken[0][2]
            raise DatabaseError(
                f"the source's {table} row {rowid} refers to a missing {parent} row: nothing "
                "was moved (check the source's integrity first)"
            )

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def abandon(self) -> None:
        if self.pg:
            self.conn.rollback()
        elif self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        if not self.pg:
            self.conn.execute("PRAGMA foreign_keys = ON")


def begin_snapshot(conn: Any) -> None:
    """Read the source as of one moment (other PCs may write to a PostgreSQL source)."""
    if is_postgres(conn):
        conn.pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    else:
        conn.isolation_level = None
        conn.execute("BEGIN")


def end_snapshot(conn: Any) -> None:
    if is_postgres(conn):
        conn.pg.execute("ROLLBACK")
    elif conn.in_transaction:
        conn.execute("ROLLBACK")


def same_schema(source: Any, target: Any) -> list[tuple[str, list[Column]]]:
    """Each table of the school with the target's columns, in name order; raises DatabaseError
    when the two schemas differ (nothing written)."""
    names = tables(source)
    theirs = tables(target)
    if names != theirs:
        missing = sorted(set(names) ^ set(theirs))
        raise DatabaseError(
            f"the two databases have different tables ({', '.join(missing)}): open each with "
            "this version first so both are at the latest schema"
        )
    plan = []
    for table in names:
        theirs_cols = columns(target, table)
        ours = {c.name for c in columns(source, table)}
        lacking = [c.name for c in theirs_cols if c.name not in ours]
        if lacking:
            raise DatabaseError(
                f"the source's {table} has no column {', '.join(lacking)}: open it with this "
                "version first so it is at the latest schema"
            )
        plan.append((table, theirs_cols))
    return plan


def refuse_school_data(target: Any) -> None:
    """Raise DatabaseError (nothing changed) when `target` holds a school's data already."""
    held = {t: n for t, n in school_rows(target).items() if n}
    if held:
        named = [f"{held[t]:,} {t}" for t in ("pupils", "marks") if held.get(t)]
        rest = sum(n for t, n in held.items() if t not in ("pupils", "marks"))
        listed = ", ".join([*named, *([f"{rest:,} other records"] if rest else [])])
        raise DatabaseError(
            f"the target already holds a school's data ({listed}): moving needs an empty "
            "database; nothing was changed"
        )


@contextmanager
def copying(source: Any, target: Any) -> Iterator[TargetWriter]:
    """One copy between two databases: `source` read in one snapshot, `target` written through
    the writer given, committed when the block ends without an error, else abandoned (nothing
    written); both connections left as they were."""
    begin_snapshot(source)
    writer = TargetWriter(target)
    try:
        yield writer
        writer.commit()
    except BaseException:
        writer.abandon()
        raise
    finally:
        writer.close()
        end_snapshot(source)


def copy_school(source: Any, target: Any, progress: Progress | None = None) -> dict[str, int]:
    """Copy every school row from `source` into `target` (raw connections of two open
    databases at the same revision), in one transaction on the target; returns the rows copied
    per table. Raises DatabaseError (nothing written) when the target holds school data or the
    two schemas differ."""
    plan = same_schema(source, target)
    names = [t for t, _ in plan]
    refuse_school_data(target)
    copied: dict[str, int] = {}
    with copying(source, target) as writer:
        expected = {table: count(source, table) for table in names}
        total, done = sum(expected.values()), 0
        writer.begin(names)
        for table, cols in plan:
            if table in OWN_ROWS:
                writer.clear(table)
            if progress:
                progress(table, done, total)
            rows = read_rows(source, table, [c.name for c in cols], into_postgres=writer.pg)
            writer.write(table, cols, rows)
            copied[table] = count(target, table)
            if copied[table] != expected[table]:
                raise DatabaseError(
                    f"{table}: {expected[table]} rows in the source but {copied[table]} "
                    "copied; nothing was moved"
                )
            done += copied[table]
        writer.finish(names)
        if progress:
            progress("", total, total)
    return copied
