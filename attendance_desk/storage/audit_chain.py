"""The audit log made tamper-evident: each row carries a hash chained to the row before it.

`digest` is the sha256 of the row's own content; `chain` is sha256(previous chain + digest). A
row edited, deleted or slipped in afterwards no longer matches, and `verify_chain` names the
first row where the chain breaks. Rows are sealed in id order after the transaction that wrote
them (`seal_chain`, run after each unit of work and at open), so the triggers that write the log
need no custom SQL function and any connection may still write it.

Retention removes what the log says about a pupil; it keeps each row's place as a tombstone
(content cleared, `digest` and `chain` kept) so the chain still verifies without the data.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass

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


def seal_chain(conn: sqlite3.Connection) -> int:
    """Seal every row written since the last sealed one; returns how many. Cheap when there is
    nothing to do (one look at the newest row). Commits its own small transaction."""
    newest = conn.execute("SELECT id, chain FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    if newest is None or newest[1] is not None:
        return 0
    own = not conn.in_transaction
    if own:
        # the rows are read under the write lock: on a server several PCs seal (each the same
        # rows to the same values), and a row's id is given under that lock too (pg_audit.py)
        conn.execute("BEGIN IMMEDIATE")
    try:
        last = conn.execute(
            "SELECT id, chain FROM audit_log WHERE chain IS NOT NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        last_id, previous = (last[0], last[1]) if last else (0, GENESIS)
        rows = conn.execute(
            f"SELECT {CONTENT} FROM audit_log WHERE id > ? ORDER BY id", (last_id,)
        ).fetchall()
        updates = []
        for values in rows:
            digest = row_digest(values)
            previous = link(previous, digest)
            updates.append((digest, previous, values[0]))
        conn.executemany(
            "UPDATE audit_log SET digest = ?, chain = ? WHERE id = ? AND chain IS NULL", updates
        )
        if own:
            conn.execute("COMMIT")
    except BaseException:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(updates)


def verify_chain(conn: sqlite3.Connection) -> ChainReport:
    """Walk the whole log in id order and say where, if anywhere, the chain breaks."""
    if not _has_chain(conn):
        return ChainReport(0, None, "", 0)
    previous = GENESIS
    checked = 0
    unsealed: list[int] = []
    for *values, digest, chain in conn.execute(
        f"SELECT {CONTENT}, digest, chain FROM audit_log ORDER BY id"
    ):
        row_id = int(values[0])
        if chain is None:
            unsealed.append(row_id)
            continue
        if unsealed:
            return ChainReport(
                checked, unsealed[0], f"row {unsealed[0]} lost its seal or was added later", 0
            )
        checked += 1
        tombstone = values[3] == TOMBSTONE_ACTION and all(v is None for v in values[6:])
        if not tombstone and row_digest(tuple(values)) != digest:
            return ChainReport(checked, row_id, f"row {row_id} was changed after it was written", 0)
        if link(previous, str(digest)) != chain:
            return ChainReport(
                checked, row_id, f"the row before row {row_id} was removed or changed", 0
            )
        previous = str(chain)
    return ChainReport(checked, None, "", len(unsealed))


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
