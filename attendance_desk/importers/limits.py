"""What a spreadsheet may ask of the program, checked before any of it is read.

A workbook is a zip of XML files. A hostile or broken one can declare far more than it holds:
entries that inflate a thousandfold (a zip bomb), a sheet whose declared size reaches cell
XFD1048576, one cell holding megabytes of text. Each is refused with one line naming the limit,
from the zip's directory and the first bytes of each sheet, before the reader allocates.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

MAX_FILE_BYTES = 200 * 1024 * 1024  # the file itself: a year's register is a few MB
MAX_UNCOMPRESSED = 400 * 1024 * 1024  # every entry of the workbook, inflated
MAX_RATIO = 150  # inflated / compressed, for an entry over RATIO_FLOOR bytes inflated
RATIO_FLOOR = 8 * 1024 * 1024
MAX_ROWS = 100_000  # a school's register: some thousands of rows
MAX_COLUMNS = 2_000  # a year of sessions is ~400 columns
MAX_FIELD = 10_000  # characters in one cell (a name, a code, a date)

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_archive(file: Path | bytes) -> str | None:
    """Why the zip-based workbook (at a path, or its bytes) is refused, or None when it is
    within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(file) if isinstance(file, bytes) else file)
    except zipfile.BadZipFile:
        # a zip's directory is at its end: without it the file was cut short (still being
        # written, or a copy that stopped part-way)
        return (
            "the workbook is damaged: its end is missing (it was cut short while it was "
            "written or copied); export or copy it again"
        )
    except OSError:
        return None  # not readable as a zip: the reader says it is damaged
    with archive:
        entries = archive.infolist()
        total = sum(e.file_size for e in entries)
        if total > MAX_UNCOMPRESSED:
            return (
                f"the workbook unpacks to {total / 1e6:,.0f} MB (the limit is "
                f"{MAX_UNCOMPRESSED / 1e6:,.0f} MB): it is not a register"
            )
        for entry in entries:
            if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(
                entry.compress_size, 1
            ):
                return (
                    f"{entry.filename} in the workbook inflates {entry.file_size // max(entry.compress_size, 1):,} "
                    f"times (the limit is {MAX_RATIO}): it is not a register"
                )
        for entry in entries:
            name = entry.filename
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                problem = _check_dimension(archive, entry)
                if problem:
                    return problem
    return None


def _check_dimension(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> str | None:
    try:
        with archive.open(entry) as fh:
            head = fh.read(4096)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, ValueError):
        return None  # a damaged entry: the reader says the file is damaged
    found = _DIMENSION.search(head)
    if not found or not found.group(3):
        return None
    rows = int(found.group(4)) - int(found.group(2)) + 1
    columns = _column_number(found.group(3)) - _column_number(found.group(1)) + 1
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        ref = found.group(0).split(b'"')[1].decode()
        return (
            f"a sheet declares {rows:,} rows x {columns:,} columns ({ref}; the limits are "
            f"{MAX_ROWS:,} rows and {MAX_COLUMNS:,} columns): it is not a register"
        )
    return None


def long_field(rows: list[list[object]]) -> tuple[int, int, int] | None:
    """(row, column, length), 1-based, of the first cell longer than MAX_FIELD, if any. Each
    row's distinct values are looked at (a register repeats a few codes), its cells only when
    one is too long."""
    for r, row in enumerate(rows, start=1):
        try:
            values: Iterable[object] = set(row)
        except TypeError:  # an unhashable cell: look at every one
            values = row
        if any(isinstance(value, str) and len(value) > MAX_FIELD for value in values):
            for c, value in enumerate(row, start=1):
                if isinstance(value, str) and len(value) > MAX_FIELD:
                    return r, c, len(value)
    return None
