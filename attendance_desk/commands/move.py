"""`attendance-desk move --from SOURCE --to TARGET`: the school's database from its SQLite file
to a PostgreSQL database (an empty one, or a trust's beside its schools), or back, with every
row kept."""

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
            "new school beside them (its ids the trust's; the same URN there is refused). The "
            "source is left as it was; any other target that already holds a school's data is "
            "refused."
        ),
    )
    move.add_argument("--from", dest="source", required=True, metavar="SOURCE", help=WHERE)
    move.add_argument("--to", dest="target", required=True, metavar="TARGET", help=WHERE)
    move.set_defaults(handler=run_move)


def run_move(args: argparse.Namespace) -> int:
    from attendance_desk.services.moving import move_between

    def progress(percent: int, what: str) -> None:
        if sys.stderr.isatty():
            print(f"\r{percent:3d}% {what:<40}", end="", file=sys.stderr, flush=True)

    result = move_between(str(args.source), str(args.target), progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(result.summary())
    for table, rows in sorted(result.rows.items()):
        print(f"  {table:<24} {rows:>10,}")
    return 0
