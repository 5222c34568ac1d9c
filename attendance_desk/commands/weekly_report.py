"""`attendance-desk weekly-report [--class CLASS] --week-ending DATE --out FILE.pdf`.

The class teacher's weekly report: a page per class (natural order, as the book-bag batches)
or one class's page.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import parse_date, write_file


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "weekly-report", help="the class teacher's weekly report (a page per class) as a PDF"
    )
    parser.add_argument("--class", dest="class_name", metavar="CLASS", help="one class only")
    parser.add_argument(
        "--week-ending",
        type=parse_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="the last day of the week (the week runs from its Monday)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.weekly_report import render_weekly_report, weekly_report

    db = open_from_args(args, read_only=True)  # reads only: works beside the window
    try:
        report = weekly_report(db, args.week_ending, args.class_name)
    finally:
        db.close()
    write_file(args.out, render_weekly_report(report), (".pdf",))
    print(f"{report.summary(', ')}, written to {args.out}")
    return 0
