"""`attendance-desk move --from SOURCE --to TARGET [--school SCHOOL]`: the school's database
from its SQLite file to a PostgreSQL database (an empty one, or a trust's beside its schools),
or back, with every row kept; from a trust's database, the school named taken out to a new
file (the trust's database left as it was). `attendance-desk remove-school --from URL --school
SCHOOL --confirm NAME`: a school that has left removed from the trust's database."""

from __future__ import annotations

import argparse
import sys

WHERE = "a database file, or a PostgreSQL URL such as postgresql://user@host/dbname"


def register(subparsers: argparse._SubParsersAction) -> None:
    move = subparsers.add_parser(
        "move",
        help="move the school to another database (SQLite file <-> PostgreSQL), every row kept",
        description=(
            "Copy every row of the school's database into an empty one, in one transaction: "
            "from its SQLite file to a PostgreSQL database (made on the server beforehand, "
            "e.g. with createdb), or back to a new file. Into a trust's PostgreSQL database that "
            "holds its schools already, moved by the trust's owner, the school is added as a "
            "new school beside them (its ids the trust's; the same URN there is refused). Out "
            "of a trust's database, moved by the trust's owner, one school (--school) is taken "
            "to a new file as its one school (or, by way of such a file, into an empty "
            "PostgreSQL database or another trust's): its rows only, the trust's audit log "
            "checked first and the school's entries sealed as the file's own. The source is left as "
            "it was (a school taken out of a trust is still in it until the trust removes it "
            "there); any other target that already holds a school's data is refused."
        ),
    )
    move.add_argument("--from", dest="source", required=True, metavar="SOURCE", help=WHERE)
    move.add_argument("--to", dest="target", required=True, metavar="TARGET", help=WHERE)
    move.add_argument(
        "--school",
        dest="school",
        metavar="SCHOOL",
        default=None,
        help=(
            "from a trust's database: the school to take out (its name or the "
            "start of it, its URN or number; without it, the school the address works in)"
        ),
    )
    move.set_defaults(handler=run_move)
    remove = subparsers.add_parser(
        "remove-school",
        help="remove a school that has left from its trust's database (a backup taken first)",
        description=(
            "Delete one school and every row of it from a trust's PostgreSQL database, once it "
            "has left (taken out to a file of its own with `move`): first a backup of the whole "
            "database (pg_dump, in the backup folder, never rotated out), then the school's "
            "rows in one transaction; its audit entries are cleared with their seals kept, so "
            "the trust's log still verifies, and one entry records the removal. Only the "
            "trust's owner removes a school, and only with its name typed in --confirm; never "
            "the trust's last school."
        ),
    )
    remove.add_argument(
        "--from", dest="source", required=True, metavar="URL", help="the trust's database"
    )
    remove.add_argument(
        "--school",
        dest="school",
        metavar="SCHOOL",
        default=None,
        help="the school to remove (its name or the start of it, its URN or number)",
    )
    remove.add_argument(
        "--confirm",
        required=True,
        metavar="NAME",
        help="the school's name, typed in full: nothing is removed without it",
    )
    remove.set_defaults(handler=run_remove_school)


def run_move(args: argparse.Namespace) -> int:
    from attendance_desk.services.moving import move_between

    def progress(percent: int, what: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{percent:3d}% {what:<40}", end="", file=sys.stderr, flush=True)

    school = args.school or getattr(args, "work_in", None)  # `--school` before `move` too
    result = move_between(str(args.source), str(args.target), progress, school)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(result.summary())
    for table, rows in sorted(result.rows.items()):
        print(f"  {table:<24} {rows:>10,}")
    if result.taken_out:
        print(result.left_behind)
        print(f"To work on the school where it went: attendance-desk --db {result.target_address}")
    return 0


def run_remove_school(args: argparse.Namespace) -> int:
    from attendance_desk.errors import UserError
    from attendance_desk.services.school_removal import remove_from_trust_at

    school = args.school or getattr(args, "work_in", None)  # `--school` before the command too
    if not school:
        raise UserError("name the school to remove with --school; nothing was removed")
    outcome = remove_from_trust_at(str(args.source), school, str(args.confirm))
    print(outcome.summary())
    for table, rows in sorted(outcome.removed.rows.items()):
        if rows:
            print(f"  {table:<24} {rows:>10,}")
    return 0
