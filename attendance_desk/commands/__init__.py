"""Command-line commands; each module registers one command family with `register(subparsers)`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attendance_desk.paths import default_database_path
from attendance_desk.services.access import open_for_command_line
from attendance_desk.services.database import DamagedDatabaseError, Database


def database_path(args: argparse.Namespace) -> Path:
    return args.db if args.db is not None else default_database_path()


def open_from_args(
    args: argparse.Namespace, *, read_only: bool = False, create: bool = True
) -> Database:
    """The database named by `--db` (or the default one), migrated to the latest schema; when
    the school has set a password, nothing is read until it is given (asked for, or from the
    environment or the system keyring). `read_only` needs no writer lock, so it works while the
    window has the database open."""
    path = database_path(args)
    # a read-only command on a database not made yet makes it, as every command always has
    db = open_for_command_line(path, read_only=read_only and (path.is_file() or not create))
    for notice in db.notices:  # what opening did (a half-upgraded file put back)
        print(f"attendance-desk: {notice}", file=sys.stderr)
    return db


def require_password_if_readable(args: argparse.Namespace) -> str | None:
    """Before a command replaces the database: its password, if it is readable and has one.
    Returns the database's encryption key (None for plain SQLite), for reading its backups."""
    path = database_path(args)
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        db = open_for_command_line(path, read_only=True)
    except DamagedDatabaseError:
        return None  # a damaged file holds nothing to protect: restoring over it is the cure
    key = db.key
    db.close()
    return key
