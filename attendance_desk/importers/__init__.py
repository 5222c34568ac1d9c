"""Register, roster and term-date readers: any MIS layout in .xlsx/.xlsm/.xls/.ods/.csv.

Readers never touch the database: they turn a file into a `ParsedFile` (or explain, naming
file, sheet, row and column, why they cannot). The importing service compares and writes.
"""

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
