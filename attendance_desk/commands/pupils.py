"""`attendance-desk [--db PATH] pupils [--as-of DATE] [--format csv|json]`: figures per pupil."""

from __future__ import annotations

import argparse

from attendance_desk import clock
from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import parse_date, write_rows
from attendance_desk.domain.figures import pct_2dp

COLUMNS = (
    "upn",
    "surname",
    "forename",
    "year_group",
    "reg_group",
    "possible",
    "attended",
    "authorised",
    "unauthorised",
    "late",
    "attendance_pct",
    "band",
    "persistent",
    "severe",
)


def add_as_of_and_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of", type=parse_date, default=None, metavar="YYYY-MM-DD", help="default: today"
    )
    parser.add_argument("--format", choices=("csv", "json"), default="csv")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pupils", help="year-to-date figures, band, PA and SA for every pupil on roll"
    )
    add_as_of_and_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.monitoring import pupil_overviews

    db = open_from_args(args, read_only=True)
    try:
        rows = pupil_overviews(db, args.as_of or clock.today())
    finally:
        db.close()
    write_rows(
        (
            {
                "upn": o.upn,
                "surname": o.surname,
                "forename": o.forename,
                "year_group": o.year_group,
                "reg_group": o.reg_group,
                "possible": o.year.possible,
                "attended": o.year.attended,
                "authorised": o.year.authorised,
                "unauthorised": o.year.unauthorised,
                "late": o.year.late,
                "attendance_pct": pct_2dp(o.year.attendance),
                "band": o.band.id if o.band else None,
                "persistent": o.persistent,
                "severe": o.severe,
            }
            for o in rows
        ),
        COLUMNS,
        args.format,
    )
    return 0
