"""Alembic migrations, run by the application when it opens a database.

A new migration: `python -m attendance_desk.storage.migrations revision -m "what changes"`, then
edit the file in versions/. Revisions are numbered 0001, 0002 ... in one straight line.
"""

from __future__ import annotations

import re
import sqlite3
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from attendance_desk.errors import DatabaseError
from attendance_desk.storage.integrity import connect_read_only

if TYPE_CHECKING:  # Alembic is imported only when a migration (or a developer tool) needs it
    from alembic.config import Config
    from sqlalchemy import Engine

_HERE = Path(__file__).resolve().parent
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(?:None|[\"']([^\"']*)[\"'])", re.MULTILINE)


@cache
def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    return cfg


@cache
def _revision_chain() -> tuple[str, ...]:
    """The revision ids of versions/*.py, read as text (no Alembic import), oldest first.

    The migrations are one straight line (see above); anything else raises, and
    tests/storage checks that this agrees with Alembic's own reading.
    """
    down_of: dict[str, str | None] = {}
    for path in sorted((_HERE / "versions").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev is None or down is None:
            raise DatabaseError(f"migration {path.name} has no revision ids")
        down_of[rev.group(1)] = down.group(1) or None
    chain: list[str] = []
    nxt = {d: r for r, d in down_of.items()}
    if len(nxt) != len(down_of):
        raise DatabaseError("the migrations are not one straight line")
    rev = nxt.get(None)
    while rev is not None:
        chain.append(rev)
        rev = nxt.get(rev)
    if len(chain) != len(down_of):
        raise DatabaseError("the migrations are not one straight line")
    return tuple(chain)


def head_revision() -> str:
    return _revision_chain()[-1]


def known_revisions() -> set[str]:
    return set(_revision_chain())


def stored_revision(conn: sqlite3.Connection) -> str | None:
    """The schema revision recorded in the file (None for a new, empty database)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "alembic_version" not in tables:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return None if row is None else row[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        if engine.dialect.name == "postgresql":
            from attendance_desk.storage.pg_connection import PgConnection

            return stored_revision(PgConnection(driver))  # type: ignore[arg-type]
        return stored_revision(driver)  # type: ignore[arg-type]


def check_is_ours(path: Path) -> None:
    """An existing SQLite file with tables but no Attendance Desk schema is refused, never changed."""
    if not path.exists() or path.stat().st_size == 0:
        return
    conn = connect_read_only(path)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return
        if "alembic_version" not in tables:
            raise DatabaseError(
                f"{path} is a SQLite file of another program, not an Attendance Desk database"
            )
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        conn.close()
    if row is not None and row[0] not in known_revisions():
        raise DatabaseError(
            f"{path} was made by a newer version of Attendance Desk (schema {row[0]}): "
            "install the newer version to open it"
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction per migration (Alembic is imported
    only when there is something to do)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    from alembic import command

    cfg = alembic_config()
    with engine.connect() as conn:
        # One real SQLite transaction for the whole upgrade: the sqlite3 driver would otherwise
        # run each CREATE/ALTER on its own, and a kill or an error part-way would leave a file
        # half-migrated. Now it is the old schema or the new one.
        if engine.dialect.name == "postgresql":
            # PostgreSQL's DDL is transactional too; the advisory lock that stands for SQLite's
            # write lock keeps two PCs from upgrading the same database at once.
            from attendance_desk.storage.pg_connection import WRITE_LOCK_KEY

            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        cfg.attributes["connection"] = conn
        try:
            command.upgrade(cfg, revision)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            cfg.attributes.pop("connection", None)


if __name__ == "__main__":  # developer tool: python -m attendance_desk.storage.migrations ...
    import sys

    from alembic.config import CommandLine

    CommandLine(prog="migrations").main(["-c", "/dev/null", *sys.argv[1:]])
