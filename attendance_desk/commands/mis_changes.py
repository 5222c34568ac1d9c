"""`attendance-desk changes-for-mis [--date YYYY-MM-DD] [--format csv|json]`: the marks the office
changed that the MIS still holds differently, to enter in the MIS."""

from __future__ import annotations

import argparse

from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import parse_date, write_rows


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "changes-for-mis",
        help="marks the office changed that the MIS still holds differently",
    )
    parser.add_argument(
        "--date", type=parse_date, default=None, metavar="YYYY-MM-DD", help="default: every date"
    )
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.mis_changes import COLUMNS, change_rows, changes_for_mis

    db = open_from_args(args)
    try:
        changes = changes_for_mis(db, args.date)
    finally:
        db.close()
    write_rows(change_rows(changes), COLUMNS, args.format)
    return 0
