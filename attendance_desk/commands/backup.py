"""`attendance-desk [--db PATH] backup [--to FILE]` and `attendance-desk [--db PATH] restore FILE`."""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_desk.commands import (
    database_path,
    open_from_args,
    require_password_if_readable,
)
from attendance_desk.domain.dates import numeric_time


def register(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser(
        "backup", help="back up the database (safe while the window is open)"
    )
    backup.add_argument(
        "--to",
        type=Path,
        metavar="FILE",
        default=None,
        help="write the backup to FILE (default: a new file in the backup folder)",
    )
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists already")
    backup.set_defaults(handler=run_backup)
    restore = subparsers.add_parser(
        "restore", help="replace the database with a backup (the current file is kept)"
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup file to restore")
    restore.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace) -> int:
    from attendance_desk.services.backup import make_backup

    # Read-only: a backup needs no writer lock, so it works while the window has the file open.
    db = open_from_args(args, read_only=True, create=False)
    try:
        info = make_backup(db, to=args.to, force=args.force)
    finally:
        db.close()
    print(f"Backed up to {info.path} ({info.pupils} pupils, {info.marks} marks)")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    from attendance_desk.services.backup import restore_backup

    key = require_password_if_readable(args)  # replacing a school's records needs its password
    result = restore_backup(database_path(args), args.file, key)
    source = result.restored_from
    line = (
        f"Restored {result.database} from {source.path} "
        f"(taken {numeric_time(source.taken_at)}; {source.pupils} pupils, {source.marks} marks)"
    )
    if result.previous_kept_as is not None:
        line += f"; the file it replaced is kept as {result.previous_kept_as}"
    print(line)
    return 0
