"""Register, roster and term-date readers: any MIS layout in .xlsx/.xlsm/.xls/.ods/.csv.

Readers never touch the database: they turn a file into a `ParsedFile` (or explain, naming
file, sheet, row and column, why they cannot). The importing service compares and writes.

The names below are loaded on first use: a command that only starts reading a file
(importers/ahead.py) does not wait for the layout detection and the parsers to be imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from attendance_desk.importers.model import (
        ColumnMapping,
        Detection,
        Kind,
        Layout,
        ParsedFile,
    )
    from attendance_desk.importers.reader import inspect_file, parse_file
    from attendance_desk.importers.sources import SUPPORTED_SUFFIXES

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ColumnMapping",
    "Detection",
    "Kind",
    "Layout",
    "ParsedFile",
    "inspect_file",
    "parse_file",
]

_HOMES = {
    "ColumnMapping": "model",
    "Detection": "model",
    "Kind": "model",
    "Layout": "model",
    "ParsedFile": "model",
    "inspect_file": "reader",
    "parse_file": "reader",
    "SUPPORTED_SUFFIXES": "sources",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
