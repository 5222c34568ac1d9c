"""`attendance-desk [--db PATH] calls [--date YYYY-MM-DD] [--format csv|json]`: first-day calls."""

from __future__ import annotations

import argparse

from attendance_desk import clock
from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import parse_date, write_rows


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "calls", help="the first-day call list: pupils absent with no reason, numbers to ring"
    )
    parser.add_argument(
        "--date", type=parse_date, default=None, metavar="YYYY-MM-DD", help="default: today"
    )
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.calls import CALL_COLUMNS, call_rows, first_day_calls

    db = open_from_args(args, read_only=True)  # reads only: works beside the window
    try:
        entries = first_day_calls(db, args.date or clock.today())
    finally:
        db.close()
    write_rows(call_rows(entries), CALL_COLUMNS, args.format)
    return 0
