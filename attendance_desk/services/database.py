"""Opening the school's database: the one way in for the window and the command line.

The front ends hold a `Database` as an opaque handle and pass it to the services; they never
reach into storage themselves.
"""

from __future__ import annotations

from pathlib import Path

from attendance_desk.storage.db import (
    Database,
    check_database_path,
    is_database_url,
    open_database,
    set_aside,
)
from attendance_desk.storage.integrity import (
    DamagedDatabaseError,
    damage_error,
    forget_early,
    start_early,
)
from attendance_desk.storage.writer_lock import DatabaseInUseError

__all__ = [
    "DamagedDatabaseError",
    "Database",
    "DatabaseInUseError",
    "check_database_path",
    "database_label",
    "database_shown",
    "database_target",
    "is_database_url",
    "damage_error",
    "forget_early",
    "start_early",
    "open_database",
    "set_aside",
]


def database_target(text: str) -> Path | str:
    """What `--db` names: a PostgreSQL URL as it is, else a file path."""
    return text.strip() if is_database_url(text.strip()) else Path(text)


def database_label(target: str) -> str:
    """A database's name to show and remember: a server's URL without its password."""
    if not is_database_url(target):
        return target
    from attendance_desk.storage.postgres import safe_label

    return safe_label(target)


def database_shown(target: str) -> str:
    """A database's name as a person reads it: the file, or user@host:port/dbname."""
    if not is_database_url(target):
        return target
    from attendance_desk.storage.postgres import shown_name

    return shown_name(target)
