"""`attendance-desk tsm-list [--term autumn|spring|summer] [--date DATE] --out FILE.(pdf|xlsx)`.

The termly Targeted Support Meeting list for the local authority: persistent and severe
absentees with their figures, pattern of absence, support in place and next steps.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_desk import clock
from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import parse_date
from attendance_desk.domain.wording import count


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "tsm-list", help="the termly Targeted Support Meeting list (PDF or Excel)"
    )
    parser.add_argument(
        "--term",
        choices=("autumn", "spring", "summer"),
        default=None,
        help="a term of the date's academic year (default: the date's term)",
    )
    parser.add_argument(
        "--date",
        type=parse_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="figures to this date or the term's end, if earlier (default: today)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.pdf|FILE.xlsx")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.tsm import write_tsm

    db = open_from_args(args, read_only=True)  # reads only: works beside the window
    try:
        tsm = write_tsm(db, args.out, args.date or clock.today(), args.term)
    finally:
        db.close()
    print(f"{tsm.title}: {count(len(tsm.rows), 'pupil')}, written to {args.out}")
    return 0
