"""Writing Excel workbooks that are safe to open and pleasant to read.

Header row frozen and bold, column widths set, dates stored as dates, colours where asked, and
any text beginning with `=`, `+`, `-` or `@` stored as text so Excel never runs it as a formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from attendance_desk import private_files

# openpyxl (with numpy behind it) is imported when a workbook is written, not at start-up.

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SheetColumn:
    header: str
    kind: str = "text"  # "text" | "number" | "percent" | "date" | "bool"
    width: float | None = None  # characters; None: fitted to the content


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[SheetColumn]
    rows: Sequence[Sequence[Any]]
    # (row index, column index) -> "RRGGBB" fill, e.g. the band colour of a band cell
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)


def _set_value(cell: Any, value: Any, kind: str) -> None:
    if value is None:
        return
    if isinstance(value, str):
        cell.value = value
        if value.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"  # TYPE_STRING: stored as a shared string, never as a formula
            cell.quotePrefix = True
        return
    if isinstance(value, bool):
        cell.value = "Yes" if value else "No"
        return
    if isinstance(value, datetime):
        cell.value = value
        cell.number_format = "DD/MM/YYYY HH:MM"
        return
    if isinstance(value, date):
        cell.value = value
        cell.number_format = "DD/MM/YYYY"
        return
    cell.value = value
    if kind == "percent":
        cell.number_format = "0.0"


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write `sheets` to a new .xlsx at `path` (written beside it first, then moved into place)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title))
        for col, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=col, value=column.header)
            cell.font = bold
        widths = [len(c.header) for c in sheet.columns]
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                column = sheet.columns[c]
                cell = ws.cell(row=r + 2, column=c + 1)
                _set_value(cell, value, column.kind)
                widths[c] = max(widths[c], _display_width(value))
                fill = sheet.fills.get((r, c))
                if fill:
                    cell.fill = PatternFill(
                        "solid", start_color=fill.lstrip("#"), end_color=fill.lstrip("#")
                    )
        for c, column in enumerate(sheet.columns):
            ws.column_dimensions[get_column_letter(c + 1)].width = column.width or min(
                max(widths[c] + 2, 6), 60
            )
        ws.freeze_panes = "A2"
        if sheet.rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{len(sheet.rows) + 1}"
    tmp = path.with_name(path.name + ".part")
    private_files.create(tmp)  # the owner's only: openpyxl writes into it, keeping its mode
    workbook.save(tmp)
    tmp.replace(path)


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return len(str(value))


def _sheet_title(title: str) -> str:
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in title).strip() or "Sheet"
    return cleaned[:31]
