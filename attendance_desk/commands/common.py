"""Small argument helpers shared by the commands."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from attendance_desk import private_files
from attendance_desk.documents.spreadsheet import FORMULA_PREFIXES


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def write_rows(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str, out: Any = None
) -> None:
    """Print rows as CSV (header first; text that a spreadsheet would run as a formula is
    written with a leading apostrophe) or as a JSON list of objects."""
    out = out or sys.stdout
    if fmt == "json":
        json.dump([{c: row[c] for c in columns} for row in rows], out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row[c]) for c in columns])


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value  # opened in Excel, shown as text: never run as a formula
    return value


def write_file(path: Path, data: bytes, suffixes: Sequence[str]) -> None:
    """Write a document the user asked for; a wrong suffix or an unwritable place is bad input."""
    from attendance_desk.errors import UserError

    if path.suffix.lower() not in suffixes:
        raise UserError(f"--out must name a {' or '.join(suffixes)} file (got {path})")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        private_files.write(path, data)
    except OSError as exc:
        raise UserError(f"cannot write {path} ({exc.strerror})") from None
