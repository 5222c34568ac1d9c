"""Removing a school from its trust's PostgreSQL database once it has left (taken out to a file
of its own: services/moving.py).

First a backup of the whole database (pg_dump, kept like a manual backup: never rotated out),
so a removal made by mistake is undone by restoring it; then the school's every row
(storage/removing.py), in one transaction. Only the trust's owner removes a school, typing its
name; never the school the connection works in, nor the trust's last school.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from attendance_desk.errors import UserError
from attendance_desk.services.backup import MANUAL, make_backup
from attendance_desk.services.moving import trust_schools
from attendance_desk.storage.db import Database, is_database_url, open_database
from attendance_desk.storage.leaving import refuse_staff
from attendance_desk.storage.removing import REMOVING, RemoveResult, remove_school, same_name

__all__ = ["RemovalOutcome", "remove_from_trust", "remove_from_trust_at", "same_name"]

Progress = Callable[[int, str], None]  # percent 0-100, what is happening


@dataclass(frozen=True)
class RemovalOutcome:
    removed: RemoveResult
    backup: Path  # the whole database as it was just before

    def summary(self) -> str:
        done = self.removed
        pupils, marks = done.rows.get("pupils", 0), done.rows.get("marks", 0)
        return (
            f'Removed school {done.school_id} "{done.name}" from the trust\'s database: '
            f"{done.total:,} rows in {sum(1 for n in done.rows.values() if n)} tables "
            f"({pupils:,} pupils, {marks:,} marks); its {done.audit_cleared:,} audit entries "
            "cleared with their seals kept, so the trust's log still verifies, and one entry "
            f"records the removal. The database as it was is in the backup {self.backup}."
        )


def remove_from_trust(
    db: Database, school: str | int, confirm_name: str, progress: Progress | None = None
) -> RemovalOutcome:
    """Remove `school` (its name or the start of it, URN or number) from the trust's database
    `db`, open as its owner, once `confirm_name` is the school's name."""
    from attendance_desk.services.trust import find_school

    report = progress or (lambda _p, _w: None)
    trust = trust_schools(db) if db.backend == "postgresql" else None
    if trust is None:
        raise UserError(
            "only a trust's PostgreSQL database holding several schools has a school to "
            "remove; nothing was removed"
        )
    chosen = find_school(trust.schools, str(school))
    if trust.acting == chosen.school_id:
        raise UserError(
            f'this window works in "{chosen.name}": open the trust\'s database for all its '
            "schools, or another school, to remove it; nothing was removed"
        )
    if not same_name(confirm_name, chosen.name):
        raise UserError(
            f'type the school\'s name, "{chosen.name}", to remove it; nothing was removed'
        )
    conn = db.raw_connection()
    try:  # a member of staff is refused before anything is done, the backup too
        refuse_staff(conn, REMOVING)
    finally:
        conn.close()
    report(5, "Backing up the trust's database")
    backup = make_backup(db, kind=MANUAL)  # refused, saying why, where pg_dump is missing
    report(50, f"Removing {chosen.name}")
    conn = db.raw_connection(write=True)
    try:
        removed = remove_school(conn, chosen.school_id, confirm_name)
    finally:
        conn.close()
    report(100, "Done")
    return RemovalOutcome(removed, backup.path)


def remove_from_trust_at(
    address: str, school: str | int, confirm_name: str, progress: Progress | None = None
) -> RemovalOutcome:
    """Open the trust's database at `address` (a postgresql:// URL), remove the school, close."""
    if not is_database_url(address):  # a file holds one school: never made here by a typo
        raise UserError(
            f"{address} is not a trust's database: a school is removed from a trust's database "
            "on a PostgreSQL server (postgresql://user@host/dbname); nothing was removed"
        )
    db = open_database(address)
    try:
        return remove_from_trust(db, school, confirm_name, progress)
    finally:
        db.close()
