"""`attendance-desk report [--as-of DATE] [--trust | --school ID] --out FILE.pdf`: the
governors' attendance report (for a database holding several schools: the trust's, or one
school's)."""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_desk import clock
from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import parse_date, write_file


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="the attendance report for the head and governors as a PDF"
    )
    parser.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="figures to this date (default: today)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--trust", action="store_true", help="the trust's report: every school side by side"
    )
    which.add_argument(
        "--school", type=int, default=None, metavar="ID", help="one school of the trust"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.reports import half_term_report_pdf

    db = open_from_args(args, read_only=True)  # reads only: works beside the window
    try:
        as_of = args.as_of or clock.today()
        if args.trust or args.school is not None:
            from attendance_desk.services.trust import governors_report_pdf

            pdf = governors_report_pdf(db, as_of, None if args.trust else args.school)
        else:
            pdf = half_term_report_pdf(db, as_of)
    finally:
        db.close()
    write_file(args.out, pdf, (".pdf",))
    print(f"governors' report written to {args.out}")
    return 0
