"""Command-line commands; each module registers one command family with `register(subparsers)`."""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_desk.paths import default_database_path
from attendance_desk.services.database import Database, open_database


def database_path(args: argparse.Namespace) -> Path:
    return args.db if args.db is not None else default_database_path()


def open_from_args(args: argparse.Namespace) -> Database:
    """The database named by `--db` (or the default one), migrated to the latest schema."""
    return open_database(database_path(args))
