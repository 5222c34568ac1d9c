"""Alembic migrations, run by the application when it opens a database.

A new migration: `python -m attendance_desk.storage.migrations revision -m "what changes"`, then
edit the file in versions/. Revisions are numbered 0001, 0002 ... in one straight line.
"""

from __future__ import annotations

import sqlite3
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from attendance_desk.errors import DatabaseError

_HERE = Path(__file__).resolve().parent


@cache
def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE))
    return cfg


@cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_is_ours(path: Path) -> None:
    """An existing SQLite file with tables but no Attendance Desk schema is refused, never changed."""
    if not path.exists() or path.stat().st_size == 0:
        return
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
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
    """Bring the schema to `revision` in one transaction per migration."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        try:
            command.upgrade(cfg, revision)
        finally:
            cfg.attributes.pop("connection", None)


if __name__ == "__main__":  # developer tool: python -m attendance_desk.storage.migrations ...
    import sys

    from alembic.config import CommandLine

    CommandLine(prog="migrations").main(["-c", "/dev/null", *sys.argv[1:]])
