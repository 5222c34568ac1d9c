"""The audit log made tamper-evident: each row carries a hash chained to the row before it.

`digest` is the sha256 of the row's own content; `chain` is sha256(previous chain + digest). A
row edited, deleted or slipped in afterwards no longer matches, and `verify_chain` names the
first row where the chain breaks. Rows are sealed in id order after the transaction that wrote
them (`seal_chain`, run after each unit of work and at open), so the triggers that write the log
need no custom SQL function and any connection may still write it.

Retention removes what the log says about a pupil; it keeps each row's place as a tombstone
(content cleared, `digest` and `chain` kept) so the chain still verifies without the data.

On PostgreSQL a trust's member of staff reads only their schools' rows (migration 0017), while
the chain runs through every school's. For such a connection the other rows' hashes (never their
content) come from two functions that run as the tables' owner: a seal links the connection's
own rows onto the newest sealed row and stops at an unsealed row it cannot read, and the check
walks every link and checks the content of every row it can read. Where the tables' owner has
made it (storage/pg_audit.py `SEAL_FUNCTION`, at its next open), such a connection seals every
school's rows through a third function that runs as the owner and gives back a count only: the
same digests and links as here, so no school's rows wait for that school's PC to be sealed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from attendance_desk.errors import DatabaseError
from attendance_desk.storage.dialect import is_postgres

GENESIS = "0" * 64
CONTENT = "id, at, who, action, entity, entity_id, pupil_id, field, old_json, new_json"
TOMBSTONE_ACTION = "removed"


@dataclass(frozen=True)
class ChainReport:
    rows: int  # rows checked
    broken_at: int | None  # the id of the first row that does not match; None: intact
    reason: str
    unsealed: int  # newest rows not sealed yet (written by a program that does not seal)

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def row_digest(values: tuple[object, ...]) -> str:
    text = json.dumps([None if v is None else str(v) for v in values], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link(previous: str, digest: str) -> str:
    return hashlib.sha256((previous + digest).encode("ascii")).hexdigest()


def _has_chain(conn: sqlite3.Connection) -> bool:
    columns = {r[1] for r in conn.execute("PRAGMA table_info(audit_log)")}
    return {"digest", "chain"} <= columns


def _restricted(conn: sqlite3.Connection) -> bool:
    """Whether row-level security hides other schools' audit rows from this connection."""
    if not is_postgres(conn):
        return False
    row = conn.execute("SELECT row_security_active(to_regclass('audit_log'))").fetchone()
    return bool(row and row[0])


def _pending(conn: sqlite3.Connection) -> tuple[int, str, list[tuple[object, ...]]]:
    """The newest sealed row (id, chain) and the rows after it this connection may seal, in
    id order: every one, or, where other schools' rows are hidden, up to the first it cannot
    read."""
    if not _restricted(conn):
        last = conn.execute(
            "SELECT id, chain FROM audit_log WHERE chain IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        last_id, previous = (int(last[0]), str(last[1])) if last else (0, GENESIS)
        rows = conn.execute(
            f"SELECT {CONTENT} FROM audit_log WHERE id > ? ORDER BY id", (last_id,)
        ).fetchall()
        return last_id, previous, rows
    last = conn.execute("SELECT id, chain FROM attendance_desk_audit_tip()").fetchone()
    last_id, previous = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    seen = {
        int(r[0]): tuple(r)
        for r in conn.execute(
            f"SELECT {CONTENT} FROM audit_log WHERE id > ? ORDER BY id", (last_id,)
        ).fetchall()
    }
    rows = []
    for (row_id,) in conn.execute(
        "SELECT id FROM attendance_desk_audit_links(?) ORDER BY id", (last_id,)
    ).fetchall():
        if int(row_id) not in seen:
            break
        rows.append(seen[int(row_id)])
    return last_id, previous, rows


def _server_seals(conn: sqlite3.Connection) -> bool:
    from attendance_desk.storage.pg_audit import SEAL_FUNCTION

    row = conn.execute(f"SELECT to_regprocedure('{SEAL_FUNCTION}()') IS NOT NULL").fetchone()
    return bool(row and row[0])


def seal_chain(conn: sqlite3.Connection) -> int:
    """Seal every row written since the last sealed one; returns how many. Cheap when there is
    nothing to do (one look at the newest row). Commits its own small transaction."""
    newest = conn.execute("SELECT id, chain FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    if newest is None or newest[1] is not None:
        return 0
    own = not conn.in_transaction
    if _restricted(conn) and _server_seals(conn):  # other schools' rows too, unread
        from attendance_desk.storage.pg_audit import SEAL_FUNCTION

        sealed = conn.execute(f"SELECT {SEAL_FUNCTION}()").fetchone()
        return int(sealed[0]) if sealed else 0
    if own:
        # the rows are read under the write lock: on a server several PCs seal (each the same
        # rows to the same values), and a row's id is given under that lock too (pg_audit.py)
        conn.execute("BEGIN IMMEDIATE")
    try:
        _, previous, rows = _pending(conn)
        updates = []
        for values in rows:
            digest = row_digest(values)
            previous = link(previous, digest)
            updates.append((digest, previous, values[0]))
        if updates:
            conn.executemany(
                "UPDATE audit_log SET digest = ?, chain = ? WHERE id = ? AND chain IS NULL",
                updates,
            )
        if own:
            conn.execute("COMMIT")
    except BaseException:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(updates)


def require_intact(conn: Any, whose: str, refused: str) -> None:
    """Raise DatabaseError unless the log verifies: "`whose` audit log does not verify
    (where it breaks): `refused`" (what is not done, and that nothing was)."""
    checked = verify_chain(conn)
    if not checked.intact:
        raise DatabaseError(f"{whose} audit log does not verify ({checked.reason}): {refused}")


def verify_chain(conn: sqlite3.Connection) -> ChainReport:
    """Walk the whole log in id order and say where, if anywhere, the chain breaks."""
    if not _has_chain(conn):
        return ChainReport(0, None, "", 0)
    previous = GENESIS
    checked = 0
    unsealed: list[int] = []
    for *values, digest, chain in _links(conn):
        row_id = int(values[0])
        if chain is None:
            unsealed.append(row_id)
            continue
        if unsealed:
            return ChainReport(
                checked, unsealed[0], f"row {unsealed[0]} lost its seal or was added later", 0
            )
        checked += 1
        hidden = len(values) == 1  # another school's row: its link only
        tombstone = (
            not hidden and values[3] == TOMBSTONE_ACTION and all(v is None for v in values[6:])
        )
        if not hidden and not tombstone and row_digest(tuple(values)) != digest:
            return ChainReport(checked, row_id, f"row {row_id} was changed after it was written", 0)
        if link(previous, str(digest)) != chain:
            return ChainReport(
                checked, row_id, f"the row before row {row_id} was removed or changed", 0
            )
        previous = str(chain)
    return ChainReport(checked, None, "", len(unsealed))


def _links(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """Every row of the log in id order: its content, digest and chain; where other schools'
    rows are hidden from the connection, theirs as (id, digest, chain)."""
    if not _restricted(conn):
        yield from conn.execute(f"SELECT {CONTENT}, digest, chain FROM audit_log ORDER BY id")
        return
    # both reads from one snapshot: a row sealed meanwhile is seen alike by each
    pg = conn.pg  # type: ignore[attr-defined]
    own = not conn.in_transaction
    if own:
        pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    try:
        seen = {
            int(r[0]): tuple(r)
            for r in conn.execute(f"SELECT {CONTENT}, digest, chain FROM audit_log ORDER BY id")
        }
        links = conn.execute(
            "SELECT id, digest, chain FROM attendance_desk_audit_links(0) ORDER BY id"
        ).fetchall()
    finally:
        if own:
            pg.execute("ROLLBACK")
    for row_id, digest, chain in links:
        row = seen.get(int(row_id))
        yield row if row is not None else (row_id, digest, chain)


def tombstone_rows(conn: sqlite3.Connection, where: str, params: tuple[object, ...]) -> int:
    """Clear the content of the rows `where` selects (retention), keeping their seals."""
    seal_chain(conn)
    cursor = conn.execute(
        f"UPDATE audit_log SET who = '', action = '{TOMBSTONE_ACTION}', entity = '', "
        "entity_id = '', pupil_id = NULL, field = NULL, old_json = NULL, new_json = NULL "
        f"WHERE {where}",
        params,
    )
    return cursor.rowcount
