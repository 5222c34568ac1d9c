"""The sqlite3 manners of a psycopg connection (storage/postgres.py's `raw_connection()`).

`PgConnection` wraps one psycopg connection (`.pg`, in autocommit: transactions are opened as
sqlite3 opens them, before a statement that writes, or by an explicit BEGIN / `with conn:`). It
turns `?` and `:name` into psycopg's placeholders, reads dates and timestamps back as ISO text
and numerics as floats (as SQLite gives them), answers `PRAGMA table_info` /
`foreign_key_list` from the catalogue, `sqlite_master` from the catalogue too, and ignores the
PRAGMAs that only tune SQLite. `BEGIN IMMEDIATE` (SQLite's "take the write lock now") takes one
advisory lock for the database, so what SQLite serialises (sealing the audit chain, a
migration) is serialised here too.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from attendance_desk.errors import DatabaseError

if TYPE_CHECKING:
    import psycopg

# the one advisory lock that stands for SQLite's write lock (BEGIN IMMEDIATE)
WRITE_LOCK_KEY = 0x41747444  # "AttD"


class _Pool(Protocol):
    def _give_back(self, pg: psycopg.Connection[Any]) -> None: ...


# --- the sqlite3 manners of a psycopg connection -----------------------------------------------
_TOKEN = re.compile(
    r"""('(?:[^']|'')*')        # a string literal
      |("(?:[^"]|"")*")         # a quoted name
      |(::)                     # a PostgreSQL cast
      |(\?)                     # a positional parameter
      |(?<![:\w]):([A-Za-z_]\w*) # a named parameter
      |(%)                      # a literal percent sign
    """,
    re.VERBOSE,
)
_WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_BEGIN = re.compile(
    r"^\s*BEGIN(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?\s*;?\s*$", re.I
)
_PRAGMA = re.compile(
    r"^\s*PRAGMA\s+(\w+)\s*(?:\(\s*[\"']?(\w+)[\"']?\s*\)|=\s*(\S+))?\s*;?\s*$", re.I
)

# sqlite_master from the catalogue of the connection's schema: tables, indexes, triggers, views
CATALOGUE = """(
SELECT 'table'::text AS type, c.relname::text AS name, c.relname::text AS tbl_name,
       NULL::text AS sql
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
UNION ALL
SELECT 'view', c.relname::text, c.relname::text, NULL
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('v', 'm')
UNION ALL
SELECT 'index', ci.relname::text, ct.relname::text, pg_get_indexdef(ci.oid)
FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_class ct ON ct.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ct.relnamespace WHERE n.nspname = current_schema()
UNION ALL
SELECT 'trigger', t.tgname::text, c.relname::text, pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND NOT t.tgisinternal
) AS sqlite_master"""
_SQLITE_MASTER = re.compile(
    r"\bsqlite_(?:master|schema)\b(\s+(AS\s+)?(?!WHERE|ORDER|GROUP|LIMIT|JOIN|ON)\w+)?", re.I
)

_TABLE_INFO = """
SELECT a.attnum - 1, a.attname::text, format_type(a.atttypid, a.atttypmod),
       a.attnotnull::int, pg_get_expr(d.adbin, d.adrelid),
       coalesce(array_position(pk.conkey, a.attnum), 0)
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_constraint pk ON pk.conrelid = a.attrelid AND pk.contype = 'p'
WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
# PRAGMA foreign_key_list: id, seq, table, from, to, on_update, on_delete, match
_FOREIGN_KEYS = """
SELECT c.oid::int, k.i - 1, rt.relname::text, fa.attname::text, ta.attname::text,
       'NO ACTION', CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
       WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END, 'NONE'
FROM pg_constraint c
JOIN pg_class rt ON rt.oid = c.confrelid
CROSS JOIN LATERAL generate_subscripts(c.conkey, 1) AS k(i)
JOIN pg_attribute fa ON fa.attrelid = c.conrelid AND fa.attnum = c.conkey[k.i]
JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = c.confkey[k.i]
WHERE c.contype = 'f' AND c.conrelid = to_regclass(%s)
ORDER BY c.oid, k.i
"""


@lru_cache(maxsize=512)
def translate(sql: str, named: bool | None) -> str:
    """sqlite3's SQL for psycopg: `?` -> `%s`, `:name` -> `%(name)s`, `%` -> `%%` (named:
    None when there are no parameters: then psycopg reads no placeholders), and
    `sqlite_master` read from the catalogue."""

    def one(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2):
            return m.group(0).replace("%", "%%")  # psycopg reads `%` inside quotes too
        if m.group(3):
            return m.group(0)
        if m.group(4):
            return "%s"
        if m.group(5):
            return f"%({m.group(5)})s" if named else m.group(0)
        return "%%"

    out = sql if named is None else _TOKEN.sub(one, sql)
    if "sqlite_" in out.lower():
        out = _SQLITE_MASTER.sub(
            lambda m: CATALOGUE + (" " + m.group(1).split()[-1] if m.group(1) else ""), out
        )
    return out


class _Rows:
    """A cursor of rows made in Python (what a PRAGMA answers)."""

    def __init__(self, rows: Sequence[tuple[Any, ...]] = ()) -> None:
        self._rows = list(rows)
        self.rowcount = -1
        self.lastrowid = None
        self.description = None

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        while self._rows:
            yield self._rows.pop(0)

    def close(self) -> None:
        self._rows = []


class PgConnection:
    """A psycopg connection with the sqlite3 manners the plain-SQL code uses (see above)."""

    backend = "postgresql"

    def __init__(self, pg: psycopg.Connection[Any], owner: _Pool | None = None) -> None:
        self.pg = pg
        self._owner = owner
        self._depth = 0  # `with conn:` blocks open
        self.row_factory = None  # accepted for compatibility; rows are tuples

    # transactions as sqlite3 keeps them
    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self.pg.info.transaction_status != TransactionStatus.IDLE

    def _begin(self, immediate: bool = False) -> None:
        self.pg.execute("BEGIN")
        if immediate:
            self.pg.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))

    def commit(self) -> None:
        if self.in_transaction:
            self.pg.execute("COMMIT")

    def rollback(self) -> None:
        if self.in_transaction:
            self.pg.execute("ROLLBACK")

    def __enter__(self) -> PgConnection:
        if not self.in_transaction:
            self._begin()
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        begin = _BEGIN.match(sql)
        if begin:
            self._begin(immediate=(begin.group(2) or "").upper() in ("IMMEDIATE", "EXCLUSIVE"))
            return _Rows()
        word = sql.lstrip()[:8].upper()
        if word.startswith("COMMIT") or word.startswith("END"):
            self.commit()
            return _Rows()
        if word.startswith("ROLLBACK") and "TO" not in sql.upper():
            self.rollback()
            return _Rows()
        if word.startswith("PRAGMA"):
            return self._pragma(sql)
        if not self.in_transaction and _WRITES.match(sql):
            self._begin()  # as sqlite3 does: a statement that writes opens a transaction
        named = isinstance(params, Mapping) if params else None
        try:
            return self.pg.execute(translate(sql, named), params or None)
        except Exception as exc:
            raise _as_sqlite_error(exc) from exc

    def executemany(self, sql: str, seq: Iterable[Sequence[Any] | Mapping[str, Any]]) -> Any:
        rows = list(seq)
        if not rows:
            return _Rows()
        if not self.in_transaction and _WRITES.match(sql):
            self._begin()
        cur = self.pg.cursor()
        try:
            cur.executemany(translate(sql, isinstance(rows[0], Mapping)), rows)
        except Exception as exc:
            raise _as_sqlite_error(exc) from exc
        return cur

    def executescript(self, script: str) -> Any:
        for statement in _split_script(script):
            self.execute(statement)
        return _Rows()

    def _pragma(self, sql: str) -> Any:
        m = _PRAGMA.match(sql)
        if m is None:
            return _Rows()
        name, arg = m.group(1).lower(), m.group(2)
        if name == "table_info" and arg:
            return _Rows(self.pg.execute(_TABLE_INFO, (arg,)).fetchall())
        if name == "foreign_key_list" and arg:
            return _Rows(self.pg.execute(_FOREIGN_KEYS, (arg,)).fetchall())
        if name in ("integrity_check", "quick_check"):
            return _Rows([("ok",)])
        if name == "foreign_key_check":
            return _Rows()
        return _Rows()  # tuning for SQLite (journal, cache, checkpoint...): nothing to do here

    def cursor(self) -> Any:
        return self.pg.cursor()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.rollback()
        if self._owner is not None and not self.pg.closed:
            self._owner._give_back(self.pg)
        else:
            self.pg.close()
        self._owner = None

    def create_function(self, *args: object, **kwargs: object) -> None:
        raise DatabaseError("SQL functions made in Python are not available on PostgreSQL")


def _split_script(script: str) -> list[str]:
    return [s for s in (part.strip() for part in script.split(";")) if s]


def _as_sqlite_error(exc: Exception) -> Exception:
    """psycopg's errors as the sqlite3 classes the callers catch (the message kept)."""
    import sqlite3

    import psycopg

    if isinstance(exc, psycopg.errors.IntegrityError):
        return sqlite3.IntegrityError(str(exc))
    if isinstance(exc, psycopg.OperationalError):
        return sqlite3.OperationalError(str(exc))
    if isinstance(exc, psycopg.Error):
        return sqlite3.DatabaseError(str(exc))
    return exc


def text_dates(pg: psycopg.Connection[Any]) -> None:
    """Dates and timestamps read back as ISO text, numerics as floats (as sqlite3 gives them).
    A timestamp reads exactly as SQLAlchemy writes one in SQLite (six digits of fraction, which
    PostgreSQL's text trims): the audit chain's digests, and a school moved between the two
    backends, see the same text on both."""
    from psycopg.types.numeric import FloatLoader
    from psycopg.types.string import TextLoader

    class SqliteTimestamp(TextLoader):
        def load(self, data: Any) -> str:
            text = str(super().load(data))
            head, _, fraction = text.partition(".")
            return f"{head}.{(fraction + '000000')[:6]}" if head[-3:-2] == ":" else text

    for name in ("date", "timestamptz", "time"):
        pg.adapters.register_loader(name, TextLoader)
    pg.adapters.register_loader("timestamp", SqliteTimestamp)
    pg.adapters.register_loader("numeric", FloatLoader)
