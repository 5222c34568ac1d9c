"""`attendance-desk agenda --meeting slt|family-hub|attendance-team [--date DATE] --out FILE.pdf`.

The pupils the policy sends to the meeting, with figures, pattern, case, last contact and the
actions agreed last time. The meetings are the policy's own (`policy` shows them).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_desk import clock
from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import parse_date, write_file
from attendance_desk.domain.wording import count


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("agenda", help="a meeting's agenda as a PDF")
    parser.add_argument(
        "--meeting",
        required=True,
        metavar="MEETING",
        help="the policy's meeting: slt, family-hub (Clifton) or attendance-team (Clifford)",
    )
    parser.add_argument(
        "--date",
        type=parse_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="the meeting's date (default: today)",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.meetings import agenda, render_agenda

    db = open_from_args(args, read_only=True)  # reads only: works beside the window
    try:
        paper = agenda(db, args.meeting, args.date or clock.today())
    finally:
        db.close()
    write_file(args.out, render_agenda(paper), (".pdf",))
    print(
        f"{paper.title}: {count(len(paper.pupils), 'pupil')} on the agenda, "
        f"{len(paper.follow_ups)} with actions to review, written to {args.out}"
    )
    return 0
