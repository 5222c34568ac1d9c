"""The command line: `attendance-desk [--db PATH] [--demo] [COMMAND ...]`.

No command opens the main window. Each command lives in `attendance_desk/commands/` and only
parses arguments, calls services and prints; business rules stay in services and domain.
Exit codes: 0 success, 2 bad input (one clear line on stderr), 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from attendance_desk import APP_NAME, __version__
from attendance_desk.errors import UserError

# One module per command family; each has `register(subparsers)` and sets `handler`.
COMMAND_MODULES = [
    "attendance_desk.commands.backup",
    "attendance_desk.commands.demo",
    "attendance_desk.commands.import_",
    "attendance_desk.commands.letters",
    "attendance_desk.commands.calls",
    "attendance_desk.commands.pupils",
    "attendance_desk.commands.concerns",
    "attendance_desk.commands.policy",
    "attendance_desk.commands.groups",
]

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistake in one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="attendance-desk",
        description=f"{APP_NAME}: attendance monitoring, letters and casework for a primary school.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="the school's database file (default: in your app-data folder)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="open the window on a fresh demo school database"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from attendance_desk.app import run_window

            return run_window(db_path=args.db, demo=args.demo)
        return int(args.handler(args) or EXIT_OK)
    except UserError as exc:
        print(f"attendance-desk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("attendance-desk: stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
