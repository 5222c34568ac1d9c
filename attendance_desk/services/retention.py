"""Retention: pupils who left more than N years ago (at least 6: registers are kept 6 years),
listed, and removed on confirmation.

A removal deletes everything the pupil owns (found as in the subject access export), the timeline
events and families left about no one, and the audit rows about the pupil, then writes one
audit row saying that a pupil's records were removed, when and under which rule: not who the
child was. Backups still hold the data until they rotate out (14 days for daily backups); on a
PostgreSQL server the backups are pg_dump files, not rewritten: they too hold it until then.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from attendance_desk import clock
from attendance_desk.errors import UserError
from attendance_desk.services.subject_access import SHARED_TABLES, pupil_rows
from attendance_desk.storage.audit_chain import tombstone_rows
from attendance_desk.storage.db import Database
from attendance_desk.storage.models.base import utcnow
from attendance_desk.user import current_user

MIN_YEARS = 6
DEFAULT_YEARS = 6


@dataclass(frozen=True)
class Leaver:
    pupil_id: int
    name: str
    upn: str | None
    year_group: str | None
    reg_group: str | None
    leaving_date: date


@dataclass(frozen=True)
class RemovalResult:
    removed: int
    rows_removed: int


def _cutoff(years: int, as_of: date) -> date:
    if years < MIN_YEARS:
        raise UserError(f"registers must be kept at least {MIN_YEARS} years after a pupil leaves")
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February
        return as_of.replace(year=as_of.year - years, day=28)


def pupils_due_for_removal(
    db: Database, *, years: int = DEFAULT_YEARS, as_of: date | None = None
) -> list[Leaver]:
    """Pupils whose leaving date is more than `years` years before `as_of` (today)."""
    cutoff = _cutoff(years, as_of or clock.today())
    conn = db.raw_connection()
    try:
        rows = conn.execute(
            "SELECT id, legal_forename, legal_surname, upn, year_group, reg_group, leaving_date "
            "FROM pupils WHERE leaving_date IS NOT NULL AND leaving_date < ? "
            "ORDER BY leaving_date, legal_surname, legal_forename",
            (cutoff.isoformat(),),
        ).fetchall()
    finally:
        conn.close()
    return [
        Leaver(r[0], f"{r[2]}, {r[1]}", r[3], r[4], r[5], date.fromisoformat(r[6])) for r in rows
    ]


def remove_pupils(
    db: Database,
    pupil_ids: list[int],
    *,
    years: int = DEFAULT_YEARS,
    as_of: date | None = None,
    by: str | None = None,
) -> RemovalResult:
    """Remove the given pupils (each must be due under the rule) in one transaction."""
    db.require_one_school("remove pupils")  # plain SQL: no unit of work to check it
    due = {p.pupil_id: p for p in pupils_due_for_removal(db, years=years, as_of=as_of)}
    not_due = [i for i in pupil_ids if i not in due]
    if not_due:
        raise UserError(
            f"pupil {not_due[0]} has not been gone {years} years (or does not exist): "
            "nothing was removed"
        )
    conn = db.raw_connection(write=True)
    who = by or current_user()
    total = 0
    try:
        total = _remove_all(conn, pupil_ids, due, years, who)
        # the freed pages were overwritten (secure_delete); fold the log into the file too
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    _remove_from_backups(db, pupil_ids, due, years, who)
    return RemovalResult(len(pupil_ids), total)


def _remove_all(
    conn: sqlite3.Connection, pupil_ids: list[int], due: dict[int, Leaver], years: int, who: str
) -> int:
    """Remove the pupils in one transaction on `conn`, overwriting what is deleted."""
    conn.isolation_level = None
    conn.execute("PRAGMA secure_delete = ON")
    total = 0
    try:
        conn.execute("BEGIN IMMEDIATE")
        for pupil_id in pupil_ids:
            total += _remove_one(conn, pupil_id, due[pupil_id], years, who)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return total


def _remove_from_backups(
    db: Database, pupil_ids: list[int], due: dict[int, Leaver], years: int, who: str
) -> int:
    """The same pupils removed from every backup of this database that holds them (each one a
    transaction, deleted content overwritten), and leftover temporary copies deleted. Returns
    how many backups were changed."""
    from attendance_desk.services.backup import backup_connection, list_backups, remove_leftovers

    changed = 0
    for info in list_backups(db):
        if info.path.suffix != ".sqlite3":
            continue  # a PostgreSQL dump is not changed in place: it rotates out (see above)
        try:
            conn = backup_connection(info.path, db.key)
        except UserError:
            continue  # under a password this database no longer has: cannot be read at all
        try:
            held = [
                p
                for p in pupil_ids
                if conn.execute("SELECT 1 FROM pupils WHERE id = ?", (p,)).fetchone()
            ]
            if held:
                _remove_all(conn, held, due, years, who)
                conn.execute("VACUUM")  # a backup is read rarely: rewrite it without them
                changed += 1
        finally:
            conn.close()
    remove_leftovers(db)
    return changed


def _remove_one(
    conn: sqlite3.Connection, pupil_id: int, leaver: Leaver, years: int, who: str
) -> int:
    held = pupil_rows(conn, pupil_id)
    owned = [t for t in held if t.owned]
    about = [t for t in held if not t.owned and t.table not in SHARED_TABLES and t.keys]
    counts = {t.table: len(t.rows) for t in owned if t.rows}
    for table in reversed(owned):  # children first; foreign keys cascade the rest
        if table.keys and table.key:
            _delete_keys(conn, table.table, table.key, table.keys)
    conn.execute("DELETE FROM pupils WHERE id = ?", (pupil_id,))
    for table in about:  # events and families now about no one
        if table.key is None:
            continue
        still = _still_referenced(conn, table.table, table.keys)
        orphans = tuple(k for k in table.keys if k not in still)
        if orphans:
            _delete_keys(conn, table.table, table.key, orphans)
            counts[table.table] = len(orphans)
    tombstone_rows(conn, "pupil_id = ?", (pupil_id,))  # the chain keeps their place
    conn.execute(
        "INSERT INTO audit_log (at, who, action, entity, entity_id, pupil_id, field, old_json,"
        " new_json) VALUES (?, ?, 'retention', 'pupil', ?, NULL, NULL, NULL, ?)",
        (
            utcnow().isoformat(sep=" "),
            who,
            str(pupil_id),
            json.dumps(
                {
                    "rule": f"left more than {years} years ago",
                    "leaving_year": leaver.leaving_date.year,
                    "rows_removed": counts,
                },
                sort_keys=True,
            ),
        ),
    )
    return sum(counts.values())


def _chunks(values: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """The values 500 at a time, each with its `?, ?, ...` placeholders."""
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        yield chunk, ", ".join("?" * len(chunk))


def _delete_keys(conn: sqlite3.Connection, table: str, key: str, values: tuple[Any, ...]) -> None:
    for chunk, marks in _chunks(values):
        conn.execute(f'DELETE FROM "{table}" WHERE "{key}" IN ({marks})', chunk)


def _still_referenced(conn: sqlite3.Connection, table: str, keys: tuple[Any, ...]) -> set[object]:
    """The keys of `table` that a row of a pupil-linked table (one with a pupil_id) still
    points to: a timeline event still linked to another pupil is kept."""
    others = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        if r[0] != table
    ]
    still: set[object] = set()
    for other in others:
        columns = [
            fk[3] for fk in conn.execute(f'PRAGMA foreign_key_list("{other}")') if fk[2] == table
        ]
        if not columns or not any(
            r[1] == "pupil_id" for r in conn.execute(f'PRAGMA table_info("{other}")')
        ):
            continue
        for column in columns:
            for chunk, marks in _chunks(keys):
                still.update(
                    r[0]
                    for r in conn.execute(
                        f'SELECT DISTINCT "{column}" FROM "{other}" WHERE "{column}" IN ({marks})',
                        chunk,
                    )
                )
    return still
