"""Command-line commands; each module registers one command family with `register(subparsers)`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attendance_desk.errors import UserError
from attendance_desk.paths import chosen_database
from attendance_desk.services.access import open_for_command_line
from attendance_desk.services.database import DamagedDatabaseError, Database


def database_path(args: argparse.Namespace) -> Path:
    """The database file named by `--db` (or the default one); a command that works on files
    only (demo, restore) says so for a PostgreSQL URL."""
    target = database_target(args)
    if isinstance(target, str) and args.db is None:
        raise UserError(
            f"{args.command or 'this'}: works on a database file, and this PC opens a database "
            "on a server (Settings > This PC): name a file with --db"
        )
    if isinstance(target, str):
        raise UserError(
            f"{args.command or 'this'}: works on a database file; for a database on a "
            "PostgreSQL server use the server's own tools (or `attendance-desk move`)"
        )
    return target


def database_target(args: argparse.Namespace) -> Path | str:
    """The database file named by `--db` (or the default one), or a PostgreSQL URL."""
    return args.db if args.db is not None else chosen_database()


def open_from_args(
    args: argparse.Namespace, *, read_only: bool = False, create: bool = True
) -> Database:
    """The database named by `--db` (or the default one), migrated to the latest schema; when
    the school has set a password, nothing is read until it is given (asked for, or from the
    environment or the system keyring). `read_only` needs no writer lock, so it works while the
    window has the database open."""
    path = database_target(args)
    if isinstance(path, str):
        return open_for_command_line(path, read_only=read_only)
    # a read-only command on a database not made yet makes it, as every command always has
    db = open_for_command_line(path, read_only=read_only and (path.is_file() or not create))
    for notice in db.notices:  # what opening did (a half-upgraded file put back)
        print(f"attendance-desk: {notice}", file=sys.stderr)
    return db


def require_password_if_readable(args: argparse.Namespace) -> str | None:
    """Before a command replaces the database: its password, if it is readable and has one.
    Returns the database's encryption key (None for plain SQLite), for reading its backups."""
    path = database_target(args)
    if isinstance(path, str) or not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        db = open_for_command_line(path, read_only=True)
    except DamagedDatabaseError:
        return None  # a damaged file holds nothing to protect: restoring over it is the cure
    key = db.key
    db.close()
    return key
