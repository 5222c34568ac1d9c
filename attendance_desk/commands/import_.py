"""`attendance-desk [--db PATH] import FILE... [--dry-run] [--overwrite-office-marks]`.

Reads registers, pupil details, term dates and closures, prints what changed (or, with
--dry-run, what would change). Bad input: one line on stderr and exit 2 (a UserError).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from attendance_desk.commands import database_target, open_from_args
from attendance_desk.domain.dates import day_text
from attendance_desk.errors import UserError

MAX_CONFLICTS_SHOWN = 20


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import", help="import registers, pupil details, term dates or closures"
    )
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE")
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
    parser.add_argument(
        "--watch",
        type=Path,
        metavar="FOLDER",
        help="import every new, completely written file in FOLDER that needs no decision, then "
        "exit (for a scheduled task); files that need a decision stay there and are listed "
        "(exit 2)",
    )
    parser.add_argument(
        "--keep-watching",
        action="store_true",
        help="with --watch: keep watching the folder until stopped (Ctrl+C)",
    )
    parser.add_argument(
        "--interval",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="with --keep-watching: how often to look in the folder (default 30)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.watch is not None:
        return watch(args)
    if not args.files:
        raise UserError("name the files to import (or --watch FOLDER)")
    from attendance_desk.services.import_ahead import read_ahead

    # the files are read (and a spreadsheet unpacked) while the database is opened and checked
    ahead = read_ahead(args.files, database_target(args), again=args.again)
    from attendance_desk.services.importing import apply_import, preview_import

    db = open_from_args(args)
    try:
        if args.dry_run:
            report = preview_import(db, args.files, mapping_name=args.mapping, ahead=ahead)
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
                ahead=ahead,
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
                f"{day_text(conflict.date)} {conflict.session}: file says "
                f"{conflict.new_code}; {action}"
            )
        if len(outcome.conflicts) > MAX_CONFLICTS_SHOWN:
            print(f"  ... and {outcome.conflicts_total - MAX_CONFLICTS_SHOWN} more office marks")
    sys.stdout.flush()
    return 0


def watch(args: argparse.Namespace) -> int:
    """`import --watch FOLDER`: what a Windows scheduled task runs each morning."""
    import time

    from attendance_desk.services.watched_folder import Settling, scan_once

    folder: Path = args.watch
    if not folder.is_dir():
        raise UserError(f"{folder}: there is no such folder")
    db = open_from_args(args)
    waiting: dict[Path, str] = {}
    try:
        settling = None if not args.keep_watching else Settling()
        while True:
            for outcome in scan_once(db, folder, settling):
                if outcome.waits_for_user:
                    if waiting.get(outcome.path) != outcome.message:
                        print(f"{outcome.status}: {outcome.message}", file=sys.stderr)
                    waiting[outcome.path] = outcome.message
                else:
                    waiting.pop(outcome.path, None)
                    if outcome.status != "already imported" or not args.keep_watching:
                        print(f"{outcome.status}: {outcome.message}")
                sys.stdout.flush()
            if not args.keep_watching:
                break
            time.sleep(max(1.0, args.interval))
    except KeyboardInterrupt:
        pass
    finally:
        db.close()
    return 2 if waiting else 0
