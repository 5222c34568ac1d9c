"""Turning a list as shown on screen (its visible rows, its columns) into an export table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel

from attendance_desk.services.exporting import ExportColumn, ExportTable
from attendance_desk.ui.models.table import RowTableModel


def visible_rows(model: RowTableModel[Any] | QSortFilterProxyModel) -> list[Any]:
    if isinstance(model, QSortFilterProxyModel):
        source = model.sourceModel()
        assert isinstance(source, RowTableModel)
        rows = source.rows
        return [rows[model.mapToSource(model.index(r, 0)).row()] for r in range(model.rowCount())]
    return list(model.rows)


def to_export_table(model: RowTableModel[Any] | QSortFilterProxyModel, title: str) -> ExportTable:
    """The visible rows in their on-screen order; text columns as shown, numbers and dates raw."""
    source = model.sourceModel() if isinstance(model, QSortFilterProxyModel) else model
    assert isinstance(source, RowTableModel)
    columns = [source.columns[i] for i in source.exportable_columns()]
    rows: list[list[Any]] = []
    fills: dict[tuple[int, int], str] = {}
    for r, row in enumerate(visible_rows(model)):
        values = []
        for c, column in enumerate(columns):
            raw = column.value(row)
            if raw is None:
                values.append(None)
            elif column.kind == "text":
                values.append(column.text(row))
            else:
                values.append(raw)
            if column.colour is not None:
                fill = column.colour(row)
                if fill:
                    fills[(r, c)] = fill
        rows.append(values)
    return ExportTable(
        title=title,
        columns=[ExportColumn(c.header, c.kind, c.width) for c in columns],
        rows=rows,
        fills=fills,
    )
