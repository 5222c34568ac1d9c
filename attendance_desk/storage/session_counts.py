"""The register's sessions (`register_sessions`, migration 0018): the SQLite triggers on marks
that keep their counts, put back at open when lost, and the counts made by the import itself for
a big load, instead of by the insert trigger on marks once per row.

The triggers are declared here (migration 0018 keeps its own frozen copy, as a migration must;
tests/storage/test_register_sessions.py checks the two agree). SQLite drops a table's triggers
when the table is rebuilt (an Alembic batch migration of `marks` would), and marks written
without them leave the counts wrong: every writable open checks that they are all there and,
when one is missing, makes it again and counts every session again from the marks, in one
transaction (`restore_counting`), so the calendar, the engine and the call list read exact
counts again. PostgreSQL keeps a table's triggers through any change to it, but a trigger can
still be dropped or turned off by hand: the integrity check says so, and the tables' owner's
next open makes it again and counts every school's sessions again (`pg_restore_counting`).

The trigger keeps, for each date and session, the number of marks, of blank ones ('-', '') and
of closed ones ('#'). For a first import of a year (570,000 marks) SQLite would run it for
every row; instead, inside the import's transaction, the trigger is dropped around the bulk
insert, the new marks are counted in Python from the rows written (a register has a few hundred
sessions: one upsert each) and the trigger is made again from its own stored SQL. As with the
audit trigger (importers/mis_audit.py) no other connection can see the file in between (the
import holds the write lock), and a failure rolls back the drop with everything else.

On PostgreSQL the trigger runs once per statement over the statement's rows (one grouped
upsert for the whole COPY), yet keeping the COPY's rows for it and grouping them cost the server
0.13 s of a year's first import (0.45 s -> 0.32 s for the COPY itself). So the big load, which
already holds the marks' table alone (it drops the table's keys: only a role that owns the
table can, and no other connection reads or writes the marks until it commits), drops the
trigger for its COPY, counts the new marks here and makes the trigger again from its own
definition (`pg_counted_here`). Turning it off (ALTER TABLE ... DISABLE TRIGGER) is not
enough: PostgreSQL still keeps every row of the statement for a disabled trigger's transition
table, 0.03-0.04 s of the COPY of a year (measured: 0.29 s disabled, 0.25 s dropped, on a table
otherwise bare). A failure rolls back the whole transaction, the trigger with it. Another
role's load, or a small one, is counted by the trigger.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from attendance_desk.storage.trust import acting_for_no_school

INSERT_TRIGGER = "register_sessions_insert_v1"
DELETE_TRIGGER = "register_sessions_delete_v1"
UPDATE_TRIGGER = "register_sessions_update_v1"
_ADD = (
    "INSERT INTO register_sessions (school_id, date, session, marks, blank, closed) "
    "VALUES ({r}.school_id, {r}.date, {r}.session, 1, {r}.code IN ('-', ''), {r}.code = '#') "
    "ON CONFLICT (date, session, school_id) DO UPDATE SET marks = marks + 1, "
    "blank = blank + excluded.blank, closed = closed + excluded.closed;"
)
_TAKE = (
    "UPDATE register_sessions SET marks = marks - 1, blank = blank - ({r}.code IN ('-', '')), "
    "closed = closed - ({r}.code = '#') "
    "WHERE school_id = {r}.school_id AND date = {r}.date AND session = {r}.session; "
    "DELETE FROM register_sessions WHERE school_id = {r}.school_id AND date = {r}.date "
    "AND session = {r}.session AND marks <= 0;"
)
# name -> its CREATE TRIGGER statement (a change to one is a new name: _v2)
SQLITE_TRIGGERS: dict[str, str] = {
    INSERT_TRIGGER: f"CREATE TRIGGER {INSERT_TRIGGER} AFTER INSERT ON marks BEGIN "
    + _ADD.format(r="NEW")
    + " END",
    DELETE_TRIGGER: f"CREATE TRIGGER {DELETE_TRIGGER} AFTER DELETE ON marks BEGIN "
    + _TAKE.format(r="OLD")
    + " END",
    UPDATE_TRIGGER: f"CREATE TRIGGER {UPDATE_TRIGGER} AFTER UPDATE OF school_id, date, session, "
    "code ON marks WHEN OLD.school_id IS NOT NEW.school_id OR OLD.date IS NOT NEW.date "
    "OR OLD.session IS NOT NEW.session OR OLD.code IS NOT NEW.code BEGIN "
    + _ADD.format(r="NEW")
    + " "
    + _TAKE.format(r="OLD")
    + " END",
}
# PostgreSQL: statement triggers over the statement's rows (transition tables), each calling
# its function; the same as migration 0018 made them (tests/storage/test_register_sessions.py)
_PG_COUNTS = (
    "SELECT school_id, date, session, count(*) AS marks, "
    "count(*) FILTER (WHERE code IN ('-', '')) AS blank, "
    "count(*) FILTER (WHERE code = '#') AS closed FROM {rows} GROUP BY school_id, date, session"
)
_PG_ADD = (
    "INSERT INTO register_sessions AS r (school_id, date, session, marks, blank, closed) "
    + _PG_COUNTS.format(rows="new_marks")
    + " ON CONFLICT (date, session, school_id) DO UPDATE SET marks = r.marks + excluded.marks, "
    "blank = r.blank + excluded.blank, closed = r.closed + excluded.closed;"
)
_PG_TAKE = (
    "UPDATE register_sessions AS r SET marks = r.marks - o.marks, blank = r.blank - o.blank, "
    "closed = r.closed - o.closed FROM ("
    + _PG_COUNTS.format(rows="old_marks")
    + ") AS o WHERE r.school_id = o.school_id AND r.date = o.date AND r.session = o.session; "
    "DELETE FROM register_sessions AS r USING (SELECT DISTINCT school_id, date, session "
    "FROM old_marks) AS o WHERE r.school_id = o.school_id AND r.date = o.date "
    "AND r.session = o.session AND r.marks <= 0;"
)
# function -> its body
PG_FUNCTIONS: dict[str, str] = {
    "register_sessions_add_v1": _PG_ADD,
    "register_sessions_take_v1": _PG_TAKE,
    "register_sessions_move_v1": _PG_ADD + " " + _PG_TAKE,
}
# trigger -> (event, transition tables, function)
PG_TRIGGERS: dict[str, tuple[str, str, str]] = {
    INSERT_TRIGGER: ("INSERT", "NEW TABLE AS new_marks", "register_sessions_add_v1"),
    DELETE_TRIGGER: ("DELETE", "OLD TABLE AS old_marks", "register_sessions_take_v1"),
    UPDATE_TRIGGER: (
        "UPDATE",
        "OLD TABLE AS old_marks NEW TABLE AS new_marks",
        "register_sessions_move_v1",
    ),
}
BLANK = frozenset({"-", ""})
CLOSED = "#"
# every session counted again from the marks (SQLite)
RECOUNT = (
    "INSERT INTO register_sessions (school_id, date, session, marks, blank, closed) "
    "SELECT school_id, date, session, count(*), sum(code IN ('-', '')), sum(code = '#') "
    "FROM marks GROUP BY school_id, date, session"
)
# PostgreSQL: the school is the one the new marks were written for
_PG_UPSERT = (
    "INSERT INTO register_sessions AS r (school_id, date, session, marks, blank, closed) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (date, session, school_id) DO UPDATE SET "
    "marks = r.marks + excluded.marks, blank = r.blank + excluded.blank, "
    "closed = r.closed + excluded.closed"
)
_UPSERT = (
    "INSERT INTO register_sessions (date, session, marks, blank, closed) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (date, session, school_id) DO UPDATE SET marks = marks + excluded.marks, "
    "blank = blank + excluded.blank, closed = closed + excluded.closed"
)


def lost_triggers(names: Container[str]) -> list[str]:
    """The counting triggers missing from a SQLite database whose objects are `names` (none
    before migration 0018, which has no `register_sessions`)."""
    if "register_sessions" not in names:
        return []
    return [name for name in SQLITE_TRIGGERS if name not in names]


def pg_lost_triggers(conn: Any) -> list[str]:
    """The counting triggers missing from a PostgreSQL database, or there but turned off (none
    before migration 0018)."""
    row = conn.execute("SELECT to_regclass('register_sessions') IS NOT NULL").fetchone()
    if not (row and row[0]):
        return []
    on = {
        r[0]
        for r in conn.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass('marks') "
            "AND NOT tgisinternal AND tgenabled <> 'D'"
        )
    }
    return [name for name in PG_TRIGGERS if name not in on]


def pg_restore_counting(conn: Any, lost: Iterable[str]) -> None:
    """PostgreSQL, inside the caller's transaction, by the tables' owner: make the `lost`
    counting triggers again (a turned-off one is dropped first), with their functions, and
    count every school's sessions again from the marks, acting for no school for it (under
    row-level security the owner acting for one school sees only that school's rows)."""
    for name, body in PG_FUNCTIONS.items():
        conn.execute(
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body} RETURN NULL; END $$"
        )
    for name in lost:
        event, tables, function = PG_TRIGGERS[name]
        conn.execute(f"DROP TRIGGER IF EXISTS {name} ON marks")
        conn.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON marks REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    with acting_for_no_school(conn):
        conn.execute("DELETE FROM register_sessions")
        conn.execute(
            "INSERT INTO register_sessions (school_id, date, session, marks, blank, closed) "
            + _PG_COUNTS.format(rows="marks")
        )


def restore_counting(conn: sqlite3.Connection, lost: Iterable[str]) -> None:
    """Make the `lost` counting triggers again and count every session again from the marks
    (the marks written while one was missing were not counted, or not taken off), in one
    transaction: the caller's, or one begun here and left for the caller to commit."""
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")
    for name in lost:
        conn.execute(SQLITE_TRIGGERS[name])
    conn.execute("DELETE FROM register_sessions")
    conn.execute(RECOUNT)


class Counts:
    """The new marks' codes by date and session, gathered while they are written."""

    def __init__(self) -> None:
        self.codes: Counter[tuple[str, str, str]] = Counter()  # (date, session, code) -> n

    def add_grid(self, columns: list[tuple[str, str]], rows: Iterable[str]) -> None:
        """Whole grid rows: each a JSON array of codes (null: no mark) over `columns`."""
        self.add_lists(columns, [json.loads(row) for row in rows])

    def add_lists(
        self, columns: list[tuple[str, str]], grid: Sequence[Sequence[str | None]]
    ) -> None:
        """Whole grid rows: each a list of codes (None: no mark) over `columns`."""
        if not grid:
            return
        codes = self.codes
        for (iso, session), column in zip(columns, zip(*grid, strict=True), strict=True):
            for code, n in Counter(column).items():
                if code is not None:
                    codes[iso, session, code] += n

    def add_marks(self, marks: Iterable[tuple[int, str, str, str]]) -> None:
        """(pupil, date, session, code) marks."""
        self.codes.update((iso, session, code) for _, iso, session, code in marks)

    def rows(self) -> list[tuple[str, str, int, int, int]]:
        """(date, session, marks, blank, closed) for each session with new marks."""
        sessions: dict[tuple[str, str], list[int]] = {}
        for (iso, session, code), n in self.codes.items():
            row = sessions.setdefault((iso, session), [0, 0, 0])
            row[0] += n
            if code in BLANK:
                row[1] += n
            elif code == CLOSED:
                row[2] += n
        return [(iso, s, *row) for (iso, s), row in sorted(sessions.items())]  # type: ignore[misc]


@contextmanager
def counted_here(conn: sqlite3.Connection) -> Iterator[Counts | None]:
    """Run the block without the per-row counting trigger on SQLite, inside a transaction: the
    block adds every mark it inserts to the Counts given, which are written when it ends
    without an error. None (the trigger counts as usual): another backend, no transaction, or
    no such trigger."""
    kind = type(conn).__module__.split(".")[0]
    if kind not in ("sqlite3", "sqlcipher3") or not conn.in_transaction:
        yield None
        return
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? AND tbl_name = 'marks'",
        (INSERT_TRIGGER,),
    ).fetchone()
    if row is None:
        yield None
        return
    conn.execute(f"DROP TRIGGER {INSERT_TRIGGER}")
    counts = Counts()
    try:
        yield counts
        conn.executemany(_UPSERT, counts.rows())
    finally:
        conn.execute(row[0])


@contextmanager
def pg_counted_here(conn: Any, school: int) -> Iterator[Counts | None]:
    """PostgreSQL: run the block (a big load that holds the marks' table alone: it dropped the
    table's keys) with the counting trigger dropped; the block adds every mark it inserts to
    the Counts given, which are written for `school` when it ends without an error, and the
    trigger is made again from its own definition. On an error the transaction is rolled back
    by the caller (the trigger is back with it). None (the trigger counts as usual): no such
    trigger, or it is off."""
    row = conn.execute(
        "SELECT tgenabled, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE tgrelid = to_regclass('marks') AND tgname = ?",
        (INSERT_TRIGGER,),
    ).fetchone()
    if row is None or row[0] != "O":
        yield None
        return
    conn.execute(f"DROP TRIGGER {INSERT_TRIGGER} ON marks")
    counts = Counts()
    yield counts
    conn.executemany(_PG_UPSERT, [(school, *row) for row in counts.rows()])
    conn.execute(str(row[1]))
