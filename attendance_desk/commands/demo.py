"""`attendance-desk [--db PATH] demo [--seed N] [--as-of DATE]`: fill a database with a demo school."""

from __future__ import annotations

import argparse

from attendance_desk import clock
from attendance_desk.commands import database_path
from attendance_desk.commands.common import parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("demo", help="create a demo school in a new database")
    parser.add_argument(
        "--seed", type=int, default=2024, help="random seed (same seed, same school)"
    )
    parser.add_argument(
        "--as-of",
        type=parse_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="marks run up to this date (default: today)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from attendance_desk.demo import create_demo_database

    path = database_path(args)
    summary = create_demo_database(path, seed=args.seed, as_of=args.as_of or clock.today())
    print(f"Demo school written to {path}: {summary}")
    return 0
