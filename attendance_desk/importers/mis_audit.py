"""New marks from the MIS written without running the marks audit trigger once per row.

The insert trigger on marks (storage/audit_triggers.py, `audit_marks_insert_v1`) writes an
audit row only for a mark whose source is not the MIS: a new MIS mark is recorded once, in the
import's own audit row. The bulk statements of an import insert MIS marks only, so for them the
trigger never writes anything; yet SQLite runs its program for every row to test its WHEN
clause: about 0.2 s of a 570,000-mark first import (measured: a trigger whose WHEN is a
constant false costs the same, so a cheaper WHEN cannot help).

So, inside the import's transaction and around those statements only, the trigger is dropped
and then made again from its own stored SQL (the same text, now the last entry of
sqlite_master; it is the only insert trigger on marks, so no order among triggers changes). No
other connection can see the file in between: the import holds the write lock (BEGIN
IMMEDIATE) and another reader sees the last commit, trigger included; a failure rolls back the
drop with everything else. Nothing is done outside a transaction, on another backend, or when
the trigger's SQL is not the one that skips MIS marks (an audit never silently lost).
tests/importers/test_mis_audit.py checks the audit log holds exactly the same rows either way.

PostgreSQL tests the WHEN clause of its trigger for every row too (0.02 s of the COPY of a year).
There dropping a trigger takes the whole table, so it is done only by a big load, which holds
the marks' table alone already (it drops the table's keys, importers/bulk_write.py): the
trigger is dropped and made again from its own definition (`pg_mis_marks_unaudited`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from attendance_desk.importers.tables import MARKS
from attendance_desk.storage.audit_triggers import MARKS_INSERT_TRIGGER, TRIGGERS

_SKIPS_MIS = "WHEN NEW.source <> 'mis'"
_SQL = f"CREATE TRIGGER {MARKS_INSERT_TRIGGER} {TRIGGERS[MARKS_INSERT_TRIGGER]}"


@contextmanager
def mis_marks_unaudited(conn: sqlite3.Connection) -> Iterator[None]:
    """Run the block (which inserts MIS marks only) without the per-row insert trigger."""
    kind = type(conn).__module__.split(".")[0]
    if kind not in ("sqlite3", "sqlcipher3") or not conn.in_transaction:
        yield
        return
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? AND tbl_name = 'marks'",
        (MARKS_INSERT_TRIGGER,),
    ).fetchone()
    if row is None or row[0] != _SQL or _SKIPS_MIS not in row[0]:
        yield
        return
    conn.execute(f"DROP TRIGGER {MARKS_INSERT_TRIGGER}")
    try:
        yield
    finally:
        conn.execute(row[0])


# the WHEN clause, as PostgreSQL gives it back, of the trigger that skips MIS marks
_PG_SKIPS_MIS = "WHEN (((new.source)::text <> 'mis'::text))"


def pg_mis_marks_unaudited(conn: Any) -> list[str]:
    """PostgreSQL, for a big load that holds the marks' table alone and inserts MIS marks only:
    drop the marks' insert audit trigger and return the statement that makes it again (run
    before anything else is written). None dropped (and no statement) when the trigger is not
    the one that skips MIS marks: an audit is never silently lost."""
    row = conn.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = to_regclass(?) AND tgname = ? AND tgenabled = 'O'",
        (MARKS, MARKS_INSERT_TRIGGER),
    ).fetchone()
    if row is None or _PG_SKIPS_MIS not in str(row[0]):
        return []
    conn.execute(f"DROP TRIGGER {MARKS_INSERT_TRIGGER} ON {MARKS}")
    return [str(row[0])]
