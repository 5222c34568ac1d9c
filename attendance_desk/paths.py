"""Where things live: the shipped resources and the user's data folder."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resources_dir() -> Path:
    """The `resources/` folder: inside the package in a wheel or frozen build, beside it in a checkout."""
    candidates = [_PACKAGE_DIR / "resources", _PACKAGE_DIR.parent / "resources"]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.insert(0, Path(frozen_root) / "attendance_desk" / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("Attendance Desk's resources folder is missing from this installation")


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def user_data_dir() -> Path:
    """The per-user application-data folder (created on first use)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "AttendanceDesk"


def default_database_path() -> Path:
    return user_data_dir() / "attendance.sqlite3"


def start_database_file() -> Path:
    """Where this PC's user keeps the database to open when none is named (`--db`): chosen in
    the start-up dialog or in Settings (a PostgreSQL server's address, without its password,
    or a file); absent, the school file in the data folder."""
    return user_data_dir() / "start-database.txt"


def chosen_database() -> Path | str:
    """The database the window and the commands open when none is named (`--db`): the one
    chosen for this PC (start_database_file), else the school file in the data folder."""
    try:
        text = start_database_file().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        text = ""
    if text.lower().startswith(("postgresql:", "postgres:")):
        return text
    return Path(text) if text else default_database_path()
