"""`attendance-desk [--db PATH] groups [--as-of DATE] [--format csv|json] [--no-reception]`."""

from __future__ import annotations

import argparse

from attendance_desk import clock
from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import write_rows
from attendance_desk.commands.pupils import add_as_of_and_format
from attendance_desk.domain.figures import pct_2dp

COLUMNS = (
    "kind",
    "group",
    "pupils",
    "possible",
    "attended",
    "authorised",
    "unauthorised",
    "attendance_pct",
    "persistent",
    "persistent_pct",
    "severe",
    "severe_pct",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "groups", help="year-to-date figures for the school, year groups, classes and groups"
    )
    add_as_of_and_format(parser)
    parser.add_argument(
        "--no-reception",
        action="store_true",
        help="leave out Reception (as national statistics do)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.monitoring import group_figures

    db = open_from_args(args, read_only=True)
    try:
        groups = group_figures(db, args.as_of or clock.today(), not args.no_reception)
    finally:
        db.close()
    write_rows(
        (
            {
                "kind": g.kind,
                "group": g.name,
                "pupils": g.pupils,
                "possible": g.possible,
                "attended": g.attended,
                "authorised": g.figures.authorised,
                "unauthorised": g.figures.unauthorised,
                "attendance_pct": pct_2dp(g.attendance),
                "persistent": g.persistent,
                "persistent_pct": pct_2dp(g.persistent_rate),
                "severe": g.severe,
                "severe_pct": pct_2dp(g.severe_rate),
            }
            for g in groups
        ),
        COLUMNS,
        args.format,
    )
    return 0
