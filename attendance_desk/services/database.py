"""Opening the school's database: the one way in for the window and the command line.

The front ends hold a `Database` as an opaque handle and pass it to the services; they never
reach into storage themselves.
"""

from __future__ import annotations

from attendance_desk.storage.db import Database, check_database_path, open_database
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
    "damage_error",
    "forget_early",
    "start_early",
    "open_database",
]
