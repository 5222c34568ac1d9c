"""Opening the school's database: the one way in for the window and the command line.

The front ends hold a `Database` as an opaque handle and pass it to the services; they never
reach into storage themselves.
"""

from __future__ import annotations

from pathlib import Path

from attendance_desk.paths import chosen_database, default_database_path, start_database_file
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
    "choose_start_database",
    "chosen_database",
    "database_label",
    "database_shown",
    "database_target",
    "is_database_url",
    "keep_server_password",
    "server_password_given",
    "damage_error",
    "default_database_path",
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


def choose_start_database(target: Path | str | None) -> Path | str:
    """Make `target` the database this PC opens when none is named (the window's start, and
    every command without --db); None: the school file in the data folder again. A server's
    address is kept without its password (the server's password file, or PGPASSWORD, gives
    it), in a file only its owner may read. Returns what will be opened."""
    from attendance_desk import private_files

    path = start_database_file()
    if target is None or (
        not is_database_url(str(target)) and Path(target) == default_database_path()
    ):
        path.unlink(missing_ok=True)
        return default_database_path()
    kept = (
        database_label(str(target))
        if is_database_url(str(target))
        else str(Path(target).absolute())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    private_files.replace(path, (kept + "\n").encode("utf-8"))
    return chosen_database()


def check_server(target: str) -> None:
    """Connect to the database on a server, make or upgrade its schema, and close it: raises
    the error a person is shown (the server not reached, a refused password, a role that may
    not build it) before anything is kept."""
    open_database(target).close()


def server_password_given(target: str) -> bool:
    """Whether a server's address was written with its password (user:password@, or ?password=)."""
    return bool(server_password(target))


def server_password(target: str) -> str:
    """The password written in a server's address ("" where none is, and for a file)."""
    if not is_database_url(target):
        return ""
    from attendance_desk.storage.postgres import password_in

    return password_in(target)


def server_address(target: str, password: str) -> str:
    """A server's address with `password` written in it in place of any it had (none when
    `password` is empty): the window asks for the two apart, the password never shown."""
    if not is_database_url(target):
        return target
    from attendance_desk.storage.postgres import with_password

    return with_password(target, password)


def keep_server_password(target: str) -> str:
    """Keep the password written in a server's address for this PC, in the user's PostgreSQL
    password file (readable only by them; libpq, pg_dump and pg_restore read it there); the
    file's name. The application keeps its addresses without passwords."""
    from attendance_desk.storage.pg_password import remember_password

    return str(remember_password(target) or "")
