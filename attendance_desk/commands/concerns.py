"""`attendance-desk [--db PATH] concerns [--as-of DATE] [--format csv|json]`: every concern."""

from __future__ import annotations

import argparse

from attendance_desk import clock
from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import write_rows
from attendance_desk.commands.pupils import add_as_of_and_format

COLUMNS = ("upn", "rule", "detail")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("concerns", help="every concern for pupils on roll, by rule id")
    add_as_of_and_format(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.case_context import case_contexts
    from attendance_desk.services.monitoring import school_concerns
    from attendance_desk.services.school import pupil_upns

    as_of = args.as_of or clock.today()
    db = open_from_args(args, read_only=True)
    try:
        concerns = school_concerns(db, as_of, case_contexts(db, as_of))
        upns = pupil_upns(db)
    finally:
        db.close()
    write_rows(
        ({"upn": upns.get(c.pupil_id), "rule": c.rule, "detail": c.detail} for c in concerns),
        COLUMNS,
        args.format,
    )
    return 0
