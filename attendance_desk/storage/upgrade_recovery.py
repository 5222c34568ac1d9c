"""A file left half-upgraded by an older version, put back from its before-upgrade copy.

Older versions ran each schema change on its own, outside one transaction: a crash or a kill
part-way through an upgrade left a file whose `alembic_version` still names the old revision
while some of the next revision's tables, columns or indexes are there already (or Alembic's
`_alembic_tmp_` copy of a table being rebuilt). Upgrading such a file again fails, or worse,
half-succeeds. Before anything is migrated, the file's schema is compared with the schema its
revision should have (built from the migrations in memory, no file written); a half-upgraded
file is then replaced by the copy taken just before that upgrade began
(`school.before-upgrade-0009.sqlite3`), once that copy is checked whole and at the revision it
names. The half-upgraded file is kept beside it, never deleted. With no such copy the file is
refused, unchanged, with what to do.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from attendance_desk import clock, private_files
from attendance_desk.storage.integrity import DamagedDatabaseError

Schema = frozenset[tuple[str, ...]]
Connect = Callable[[Path], sqlite3.Connection]
TMP_PREFIX = "_alembic_tmp_"


@dataclass(frozen=True)
class HalfUpgrade:
    """What of a later schema a file at `revision` already holds."""

    revision: str
    ahead: tuple[str, ...]  # objects of a later revision found in the file, in words

    def describe(self) -> str:
        shown = ", ".join(self.ahead[:4]) + (" ..." if len(self.ahead) > 4 else "")
        return f"schema {self.revision} with parts of a later one ({shown})"


def schema_of(conn: sqlite3.Connection) -> Schema:
    """The tables, their columns and the indexes of a database (SQLite's own and Alembic's
    version table left out; triggers are the application's, made at every open)."""
    found: set[tuple[str, ...]] = set()
    rows = conn.execute(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index') "
        "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
    ).fetchall()
    for kind, name, _table in rows:
        found.add((kind, name))
        if kind == "table":
            for column in conn.execute(f'PRAGMA table_info("{name}")'):
                found.add(("column", name, column[1]))
    return frozenset(found)


def _words(item: tuple[str, ...]) -> str:
    if item[0] == "column":
        return f"column {item[1]}.{item[2]}"
    return f"{item[0]} {item[1]}"


def expected_schemas(revision: str) -> tuple[Schema, Schema]:
    """(the schema at `revision`, the schema at the head), built in memory from the migrations."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from attendance_desk.storage import migrations

    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        migrations.upgrade(engine, revision)
        with engine.connect() as conn:
            at = schema_of(conn.connection.driver_connection)  # type: ignore[arg-type]
        migrations.upgrade(engine, "head")
        with engine.connect() as conn:
            head = schema_of(conn.connection.driver_connection)  # type: ignore[arg-type]
    finally:
        engine.dispose()
    return at, head


def half_upgrade(conn: sqlite3.Connection, revision: str) -> HalfUpgrade | None:
    """Whether the database on `conn`, which says it is at `revision`, was left part-way
    through an upgrade: it holds what only a later revision has, Alembic's copy of a table
    being rebuilt, or lacks what a later revision drops."""
    actual = schema_of(conn)
    at, head = expected_schemas(revision)
    later = head - at
    dropped_later = at - head
    ahead = sorted(x for x in actual - at if x in later or x[1].startswith(TMP_PREFIX))
    gone = sorted(x for x in dropped_later - actual)
    signs = [_words(x) for x in ahead] + [f"{_words(x)} gone" for x in gone]
    return HalfUpgrade(revision, tuple(signs)) if signs else None


def before_upgrade_copy(path: Path, revision: str) -> Path:
    """Where the copy taken before upgrading the file from `revision` is kept."""
    return path.with_name(f"{path.stem}.before-upgrade-{revision}{path.suffix}")


def recover(path: Path, found: HalfUpgrade, connect: Connect) -> str:
    """Put the before-upgrade copy in the place of the half-upgraded file at `path` (no
    connection may be open on it); returns what was done, in words. The half-upgraded file is
    kept as `school.half-upgraded-0009-<when>.sqlite3`. Raises DamagedDatabaseError, the file
    unchanged, when there is no usable copy."""
    copy = before_upgrade_copy(path, found.revision)
    hint = (
        f"It has not been changed. Restore the latest backup (the window offers it, or run "
        f"`attendance-desk --db {path} restore BACKUP-FILE`)"
    )
    what = f"{path} was left half-upgraded by an earlier version ({found.describe()})"
    if not copy.is_file():
        raise DamagedDatabaseError(
            path,
            f"{what}, and the copy taken before that upgrade ({copy.name}) is not there. {hint}",
            "half_upgraded",
        )
    problem = _unusable_copy(copy, found.revision, connect)
    if problem:
        raise DamagedDatabaseError(
            path,
            f"{what}, and the copy taken before that upgrade ({copy.name}) cannot be used: "
            f"{problem}. {hint}",
            "half_upgraded",
        )
    stamp = clock.now().strftime("%Y-%m-%d_%H%M%S")
    aside = path.with_name(f"{path.stem}.half-upgraded-{found.revision}-{stamp}{path.suffix}")
    part = path.with_name(f".{path.name}.recover-{os.getpid()}")
    part.unlink(missing_ok=True)
    private_files.create(part, exclusive=True)
    try:
        source, dest = connect(copy), connect(part)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
            source.close()
        with contextlib.closing(connect(path)) as conn:  # the half-upgraded file, whole
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.link(path, aside)  # kept exactly as it was; then the copy takes its place
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return (
        f"{path.name} had been left half-upgraded by an earlier version "
        f"({found.describe()}): it was put back from {copy.name}, the copy taken just before "
        f"that upgrade, and upgraded again. Anything entered after that copy was taken is "
        f"not in it. The half-upgraded file is kept as {aside.name}."
    )


def _unusable_copy(copy: Path, revision: str, connect: Connect) -> str | None:
    from attendance_desk.storage import migrations

    try:
        conn = connect(copy)
        try:
            stored = migrations.stored_revision(conn)
            if stored != revision:
                return f"it is at schema {stored}, not {revision}"
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)") if r[0] != "ok"]
            if problems:
                return f"it is damaged ({problems[0]})"
            if half_upgrade(conn, revision) is not None:
                return "it is half-upgraded too"
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"it cannot be read ({exc})"
    return None
