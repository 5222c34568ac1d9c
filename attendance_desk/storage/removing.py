"""Removing one school's records from a trust's PostgreSQL database (once it has left).

A school that leaves its trust takes its records out to a file of its own (storage/leaving.py);
the trust's database is only read then. Whether the trust then keeps the school's records is
its own decision: when it no longer runs the school it has no reason to hold its children's
data, and until the school is gone from its database the file cannot join the trust again
(joining.py refuses a school the trust holds already). `remove_school` deletes it there, in
one transaction: all of it or, on any error, nothing.

- **The school's rows**: every row of every table whose rows carry `school_id` (read from the
  catalogue), children before the rows their foreign keys point at. The tables' row triggers
  (the audit's, the register's session counts) are dropped for the deletion and made again in
  the same transaction: what goes is recorded once below, not as a log entry per mark, and
  the school's session counts go with its rows. The statement triggers that tell the other
  PCs of a change stay.
- **The school** (`schools`): its row, and with it which logins were given it
  (`staff_schools`). The trust's casework staff list (`staff`, every school's) is kept.
- **Its audit log entries**: cleared as retention clears a removed pupil's (who, what and the
  values gone; each entry's seal kept), so the trust's one chain through every school's
  entries still verifies; then one entry records the removal: the school's name, number and
  URN, the rows removed from each table and the entries cleared, not who any child was.

Only the trust's owner (the login owning its tables) or a superuser removes a school, and
only one named exactly (the caller asks for the name typed), never the trust's last school,
and never from a trust whose audit log does not verify.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from attendance_desk.errors import UserError
from attendance_desk.storage.audit_chain import (
    require_intact,
    seal_chain,
    tombstone_rows,
)
from attendance_desk.storage.dialect import is_postgres
from attendance_desk.storage.joining import id_references, parents_first
from attendance_desk.storage.leaving import refuse_staff, school_in_trust
from attendance_desk.storage.trust import CHANNEL, act_for_no_school

REMOVE_ACTION, REMOVE_ENTITY = "remove", "school"  # the trust's audit entry of a removal
REMOVING = "remove a school from it"  # what a member of staff is told only the owner does
# a row trigger, or a statement trigger reading the rows changed (a transition table)
_ROW_TRIGGERS = (
    "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relname = ANY(?) "
    "AND c.relnamespace = to_regnamespace(current_schema()) "
    "AND ((t.tgtype & 1) = 1 OR t.tgnewtable IS NOT NULL OR t.tgoldtable IS NOT NULL) "
    "ORDER BY c.relname, t.tgname"
)


@dataclass(frozen=True)
class RemoveResult:
    school_id: int
    name: str
    urn: str
    rows: dict[str, int]  # rows removed per table (the school's own row in `schools`)
    audit_cleared: int  # the school's audit entries cleared, their seals kept

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def same_name(typed: str, name: str) -> bool:
    """Whether `typed` is the school's name (spaces and capitals aside)."""
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold() != ""


def school_tables(conn: Any) -> list[str]:
    """The tables whose rows carry their school (audit_log aside: cleared, not deleted), in
    the order their rows are deleted: each before the tables its foreign keys point at."""
    found = {
        str(r[0])
        for r in conn.execute(
            "SELECT c.table_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name WHERE c.table_schema = current_schema() "
            "AND c.column_name = 'school_id' AND t.table_type = 'BASE TABLE'"
        ).fetchall()
    }
    found.discard("audit_log")
    plan = parents_first([(t, []) for t in sorted(found)], id_references(conn))
    return [t for t, _ in reversed(plan)]


def remove_school(conn: Any, school_id: int, confirm_name: str) -> RemoveResult:
    """Delete school `school_id` and every row of it from the trust's database (a raw
    PostgreSQL connection of its owner), in one transaction, once `confirm_name` is the
    school's name. Raises UserError or DatabaseError with nothing changed."""
    if not is_postgres(conn):
        raise UserError("a school is removed from a trust's database on a PostgreSQL server")
    refuse_staff(conn, REMOVING)
    if conn.in_transaction:
        conn.rollback()
    conn.execute("BEGIN IMMEDIATE")  # the database's write lock: an import waits for it
    with conn:  # committed at the end, rolled back on any error
        act_for_no_school(conn)
        school = school_in_trust(conn, school_id)
        name = str(school.get("name") or "")
        if not same_name(confirm_name, name):
            raise UserError(
                f'the name typed, "{confirm_name.strip()}", is not the school\'s: type '
                f'"{name}" to remove school {school_id}; nothing was removed'
            )
        others = conn.execute("SELECT count(*) FROM schools WHERE id <> ?", (school_id,))
        if not others.fetchone()[0]:
            raise UserError(
                f'"{name}" is the only school in this database: a trust\'s last school is not '
                "removed (the database itself is dropped on the server when it is no longer "
                "needed); nothing was removed"
            )
        require_intact(
            conn,
            "the trust's",
            "no school is removed from a log that does not check; nothing was removed",
        )
        order = school_tables(conn)
        triggers = conn.execute(_ROW_TRIGGERS, (order,)).fetchall()
        for table, trigger, _ in triggers:
            conn.execute(f'DROP TRIGGER "{trigger}" ON "{table}"')
        removed: dict[str, int] = {}
        for table in order:
            removed[table] = _deleted(
                conn.execute(f'DELETE FROM "{table}" WHERE school_id = ?', (school_id,))
            )
        removed["schools"] = _deleted(
            conn.execute("DELETE FROM schools WHERE id = ?", (school_id,))
        )
        for _, _, definition in triggers:
            conn.execute(str(definition))
        cleared = tombstone_rows(conn, "school_id = ?", (school_id,))
        note = {
            "school": name,
            "urn": str(school.get("urn") or ""),
            "school_in_trust": school_id,
            "rows": {t: n for t, n in sorted(removed.items()) if n},
            "audit_cleared": cleared,
        }
        conn.execute(
            "INSERT INTO audit_log (at, who, action, entity, entity_id, new_json, school_id) "
            "VALUES (clock_timestamp() AT TIME ZONE 'UTC', coalesce(nullif(current_setting("
            "'attendance_desk.who', true), ''), session_user), ?, ?, ?, ?, ?)",
            (REMOVE_ACTION, REMOVE_ENTITY, str(school_id), json.dumps(note), school_id),
        )
        # the trust's open windows: their School lists, and a window working in the school
        note = {"table": "schools", "school": school_id, "who": "", "pid": 0}
        conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, json.dumps(note)))  # on commit
        seal_chain(conn)
        require_intact(conn, "after the removal the trust's", "nothing was removed")
    return RemoveResult(school_id, name, str(school.get("urn") or ""), removed, cleared)


def _deleted(cursor: Any) -> int:
    count = getattr(cursor, "rowcount", -1)
    return int(count) if count is not None and count >= 0 else 0


def removals_recorded(conn: Any) -> list[dict[str, Any]]:
    """Every school removed from this database, as its audit entry recorded it, oldest first."""
    rows = conn.execute(
        "SELECT id, at, who, new_json FROM audit_log WHERE action = ? AND entity = ? ORDER BY id",
        (REMOVE_ACTION, REMOVE_ENTITY),
    ).fetchall()
    return [
        {**json.loads(str(text)), "id": int(row_id), "at": at, "who": str(who)}
        for row_id, at, who, text in rows
        if text
    ]
