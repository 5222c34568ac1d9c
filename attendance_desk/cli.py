"""The command line: `attendance-desk [--db PATH] [--demo] [COMMAND ...]`.

No command opens the main window. Each command lives in `attendance_desk/commands/` and only
parses arguments, calls services and prints; business rules stay in services and domain.
Exit codes: 0 success, 2 bad input (one clear line on stderr), 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from attendance_desk import APP_NAME, __version__
from attendance_desk.errors import UserError

# Every command: its module (one per family; `register(subparsers)` adds the family's commands
# and sets `handler`) and the line `--help` shows. Only the module of the command that runs is
# imported: a command pays for its own imports, not for every other command's.
COMMANDS: dict[str, tuple[str, str]] = {
    "backup": ("backup", "back up the database (safe while the window is open)"),
    "restore": ("backup", "replace the database with a backup (the current file is kept)"),
    "demo": ("demo", "create a demo school in a new database"),
    "import": ("import_", "import registers, pupil details, term dates or closures"),
    "templates": ("letters", "list the letter templates"),
    "letters": ("letters", "print letters for chosen pupils into one PDF (kept in the register)"),
    "void-letter": ("letters", "mark a letter in the register void (kept, left out of bundles)"),
    "calls": ("calls", "the first-day call list: pupils absent with no reason, numbers to ring"),
    "changes-for-mis": (
        "mis_changes",
        "marks the office changed that the MIS still holds differently",
    ),
    "pupils": ("pupils", "year-to-date figures, band, PA and SA for every pupil on roll"),
    "concerns": ("concerns", "every concern for pupils on roll, by rule id"),
    "policy": ("policy", "show the attendance policy, or set a preset"),
    "groups": ("groups", "year-to-date figures for the school, year groups, classes and groups"),
    "weekly-report": (
        "weekly_report",
        "the class teacher's weekly report (a page per class) as a PDF",
    ),
    "agenda": ("agenda", "a meeting's agenda as a PDF"),
    "tsm-list": ("tsm_list", "the termly Targeted Support Meeting list (PDF or Excel)"),
    "report": ("report", "the attendance report for the head and governors as a PDF"),
    "move": (
        "move",
        "move the school to another database (SQLite file <-> PostgreSQL), every row kept",
    ),
    "remove-school": (
        "move",
        "remove a school that has left from its trust's database (a backup taken first)",
    ),
}
# Commands that only read: they may reuse the verdict of a full integrity check of the very
# same file state (storage/integrity.py); a write they make still waits for a full check.
READING_COMMANDS = frozenset(
    {
        "pupils",
        "concerns",
        "groups",
        "calls",
        "changes-for-mis",
        "templates",
        "weekly-report",
        "agenda",
        "tsm-list",
        "report",
    }
)
COMMAND_MODULES = [
    f"attendance_desk.commands.{m}" for m in dict.fromkeys(m for m, _ in COMMANDS.values())
]

# commands whose `--school` names the school they take out of a trust or remove from it, not
# the school the address works in
_NAMING_A_SCHOOL = ("move", "remove-school")

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
DB_HELP = (
    "the school's database file (default: in your app-data folder), or a database on a "
    "PostgreSQL server: postgresql://user@host/dbname"
)
SCHOOL_HELP = (
    "in a trust's database on a PostgreSQL server, the school to work in (its name or the "
    "start of it, its URN or number): without it a connection given several schools looks "
    "at all of them and changes nothing"
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a mistake in one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


def _db_target(text: str) -> Path | str:
    from attendance_desk.services.database import database_target

    return database_target(text)


def command_in(argv: Sequence[str]) -> str | None:
    """The command named in `argv` (the first word that is not an option or the value of
    `--db`), or None for the window."""
    words = iter(argv)
    for word in words:
        if word in ("--db", "--school"):
            next(words, None)
        elif word in COMMANDS:
            return word
        elif not word.startswith("-"):
            return None  # not a command: argparse says so
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; `command` (or all commands, when None) gets its full arguments, the others
    only their line in `--help`."""
    parser = _Parser(
        prog="attendance-desk",
        description=f"{APP_NAME}: attendance monitoring, letters and casework for a primary school.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--db", type=_db_target, metavar="PATH", help=DB_HELP)
    parser.add_argument("--school", dest="work_in", metavar="SCHOOL", help=SCHOOL_HELP)
    parser.add_argument(
        "--demo", action="store_true", help="open the window on a fresh demo school database"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = COMMAND_MODULES if command is None else [COMMANDS[command][0]]
    modules = [
        m if m.startswith("attendance_desk.") else f"attendance_desk.commands.{m}" for m in wanted
    ]
    for name, (module, help_text) in COMMANDS.items():
        if f"attendance_desk.commands.{module}" not in modules:
            subparsers.add_parser(name, help=help_text)  # never parsed: listed for --help
    for module_name in modules:
        importlib.import_module(module_name).register(subparsers)
    # `--db` after the command too, as people type it (`attendance-desk demo --db FILE`); left
    # out there, the one before the command (or the default) stands.
    for name, sub in subparsers.choices.items():
        if f"attendance_desk.commands.{COMMANDS[name][0]}" in modules:
            sub.add_argument(
                "--db", type=_db_target, metavar="PATH", help=DB_HELP, default=argparse.SUPPRESS
            )
            if "--school" not in sub._option_string_actions:  # `report --school ID`: its own
                sub.add_argument(
                    "--school",
                    dest="work_in",
                    metavar="SCHOOL",
                    help=SCHOOL_HELP,
                    default=argparse.SUPPRESS,
                )
    # --help lists the commands in the table's order
    subparsers._choices_actions.sort(key=lambda a: list(COMMANDS).index(a.dest))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if os.name == "posix":
        os.umask(0o077)  # the database, its backups and every export: the owner's only
    argv = list(sys.argv[1:] if argv is None else argv)
    command = command_in(argv)
    if command is not None and command not in ("demo", "restore", *_NAMING_A_SCHOOL):
        _check_early(argv, reuse=command in READING_COMMANDS)
    parser = build_parser(command)
    args = parser.parse_args(argv)
    try:
        if args.work_in and args.command not in _NAMING_A_SCHOOL:
            from attendance_desk.services.trust import school_address

            args.db = school_address(args.db, args.work_in)
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
    finally:
        if command is not None:
            from attendance_desk.services.database import forget_early

            forget_early()


def _check_early(argv: Sequence[str], *, reuse: bool) -> None:
    """Start the database's full integrity check now, before the command's imports: it runs
    beside them and the work, and the command's open takes it over (storage/integrity.py).
    With `reuse` (a command that reads), the verdict of a full check of the same file state
    stands instead, when there is one."""
    from attendance_desk.paths import chosen_database
    from attendance_desk.services.database import start_early

    named = None  # the last --db given, as argparse reads it
    for i, word in enumerate(argv):
        if word == "--db" and i + 1 < len(argv):
            named = argv[i + 1]
        elif word.startswith("--db="):
            named = word.split("=", 1)[1]
    target = named or chosen_database()
    if str(target).lower().startswith(("postgresql:", "postgres:")):
        return  # a server checks its own pages
    with contextlib.suppress(OSError):  # the command's own open says what is wrong with it
        start_early(Path(target), reuse=reuse)
