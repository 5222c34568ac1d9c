"""`attendance-desk [--db PATH] import FILE... [--dry-run] [--overwrite-office-marks]`.

Reads registers, pupil details, term dates and closures, prints what changed (or, with
--dry-run, what would change). Bad input: one line on stderr and exit 2 (a UserError).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attendance_desk.commands import open_from_args

MAX_CONFLICTS_SHOWN = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="import registers, pupil details, term dates or closures"
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would change, write nothing"
    )
    parser.add_argument(
        "--overwrite-office-marks",
        action="store_true",
        help="let the file replace marks entered in the application by the office",
    )
    parser.add_argument(
        "--again",
        action="store_true",
        help="compare and import a file even if this exact file was imported before",
    )
    parser.add_argument(
        "--mapping",
        metavar="NAME",
        help="read the files with this saved mapping (saved in the import window; listed in "
        "Settings > Import mappings)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.services.importing import apply_import, preview_import

    db = open_from_args(args)
    try:
        if args.dry_run:
            report = preview_import(db, args.files, mapping_name=args.mapping)
            lines = report.summary_lines()
            files = report.files
            print("Dry run: nothing was written.")
        else:
            result = apply_import(
                db,
                args.files,
                overwrite_office=args.overwrite_office_marks,
                reimport=args.again,
                mapping_name=args.mapping,
            )
            lines = result.summary_lines()
            files = result.files
    finally:
        db.close()
    for line in lines:
        print(line)
    for outcome in files:
        for line in outcome.recognised:
            print(f"  {line}")
        for warning in outcome.warnings:
            print(f"  note: {warning}")
        for row, why in outcome.skipped[:10]:
            print(f"  skipped row {row}: {why}")
        for conflict in outcome.conflicts[:MAX_CONFLICTS_SHOWN]:
            action = (
                "overwritten"
                if args.overwrite_office_marks and not args.dry_run
                else "kept (use --overwrite-office-marks to replace it)"
            )
            print(
                f"  office mark {conflict.old_code} for {conflict.pupil} on "
                f"{conflict.date:%a %d/%m/%Y} {conflict.session}: file says "
                f"{conflict.new_code}; {action}"
            )
        if len(outcome.conflicts) > MAX_CONFLICTS_SHOWN:
            print(f"  ... and {outcome.conflicts_total - MAX_CONFLICTS_SHOWN} more office marks")
    sys.stdout.flush()
    return 0
