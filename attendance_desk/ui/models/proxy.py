"""Filtering proxies over RowTableModel: they filter on the rows' data and leave sorting to
the source model (which sorts on raw values), so the proxy keeps the source's order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from attendance_desk.ui.models.table import RowTableModel


class RowFilterProxy(QSortFilterProxyModel):
    """Rows pass when every predicate accepts the row object."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._predicates: dict[str, Callable[[Any], bool]] = {}
        self.setDynamicSortFilter(True)

    def source(self) -> RowTableModel[Any]:
        model = self.sourceModel()
        assert isinstance(model, RowTableModel)
        return model

    def set_predicate(self, name: str, predicate: Callable[[Any], bool] | None) -> None:
        if predicate is None:
            if self._predicates.pop(name, None) is None:
                return
        else:
            self._predicates[name] = predicate
        self.begin_filter_change()
        self.end_filter_change()

    def begin_filter_change(self) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.9+
            self.beginFilterChange()

    def end_filter_change(self) -> None:
        if hasattr(self, "beginFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(  # noqa: N802
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._predicates:
            return True
        rows = self.source().rows
        if source_row >= len(rows):
            return False
        row = rows[source_row]
        return all(p(row) for p in self._predicates.values())

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the source on raw values; the proxy itself stays in source order."""
        self.source().sort(column, order)

    def visible_rows(self) -> list[Any]:
        rows = self.source().rows
        return [rows[self.mapToSource(self.index(r, 0)).row()] for r in range(self.rowCount())]
