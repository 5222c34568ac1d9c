"""Exporting a list as shown on screen to Excel (formula-safe, header frozen, dates as dates)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from attendance_desk.documents.spreadsheet import Sheet, SheetColumn, write_workbook
from attendance_desk.errors import UserError

KINDS = ("text", "number", "percent", "date", "bool")


@dataclass(frozen=True)
class ExportColumn:
    header: str
    kind: str = "text"  # one of KINDS
    width: float | None = None


@dataclass(frozen=True)
class ExportTable:
    """One list: its title (the sheet's name), columns, rows of raw values, and cell colours."""

    title: str
    columns: Sequence[ExportColumn]
    rows: Sequence[Sequence[Any]]
    fills: Mapping[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "#RRGGBB"


def _cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, Fraction | Decimal):
        value = float(value)
    if kind == "percent" and isinstance(value, float):
        return round(value, 2)
    if kind == "date" and isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime | date | bool | int | float | str):
        return value
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def export_tables(path: Path | str, tables: Sequence[ExportTable]) -> Path:
    """Write each table to a sheet of a new workbook at `path` (.xlsx added when missing)."""
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    if not tables:
        raise UserError("There is nothing to export")
    sheets = []
    for table in tables:
        for column in table.columns:
            if column.kind not in KINDS:
                raise ValueError(f"unknown column kind {column.kind!r}")
        rows = [
            [_cell(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
            for row in table.rows
        ]
        fills = {k: v.lstrip("#").upper() for k, v in table.fills.items() if v}
        sheets.append(
            Sheet(
                title=table.title,
                columns=[SheetColumn(c.header, c.kind, c.width) for c in table.columns],
                rows=rows,
                fills=fills,
            )
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(target, sheets)
    except PermissionError:
        raise UserError(
            f"{target} cannot be written: it may be open in Excel. Close it and try again"
        ) from None
    except OSError as exc:
        raise UserError(f"{target} cannot be written ({exc.strerror or exc})") from None
    return target


def export_table(path: Path | str, table: ExportTable) -> Path:
    return export_tables(path, [table])
