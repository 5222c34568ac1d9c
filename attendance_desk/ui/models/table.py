"""A table model over plain row objects, described by columns.

Each column knows how to get the raw value from a row (used for sorting and export), how to
show it, and optionally a tooltip, a background colour and an alignment. Sorting happens here
on the raw values (numbers as numbers, dates as dates, blanks last), so proxies only filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from attendance_desk.ui.format import DASH, pct, uk_short

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the raw value
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the row object itself
COLOUR_ROLE = Qt.ItemDataRole.UserRole + 3  # "#RRGGBB" for chips, bars and exports
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
CENTRE = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str
    value: Callable[[R], Any]  # raw value: sorted on and exported
    kind: str = "text"  # "text" | "number" | "percent" | "date" | "bool" (export kinds)
    display: Callable[[Any], str] | None = None  # raw value -> text; default by kind
    tooltip: Callable[[R], str | None] | None = None
    colour: Callable[[R], str | None] | None = None  # "#RRGGBB": chip, bar or export fill
    width: int | None = None  # preferred width in characters
    widest: str = ""  # a value that must show whole, measured in the view's font (a UPN)
    export: bool = True
    description: str = ""  # header tooltip

    def text(self, row: R) -> str:
        raw = self.value(row)
        if self.display is not None:
            return self.display(raw)
        return default_text(raw, self.kind)

    @property
    def alignment(self) -> Qt.AlignmentFlag:
        if self.kind in ("number", "percent"):
            return RIGHT
        if self.kind == "bool":
            return CENTRE
        return LEFT


def default_text(raw: Any, kind: str) -> str:
    if raw is None:
        return "" if kind == "text" else DASH
    if kind == "percent":
        return pct(raw)
    if kind == "bool":
        return "Yes" if raw else ""
    if isinstance(raw, date):
        return uk_short(raw)
    if isinstance(raw, int):
        return f"{raw:,}"
    return str(raw)


def sort_key(raw: Any) -> tuple[int, Any]:
    """Blanks sort last whichever way; numbers, dates and text each by their own order."""
    if raw is None or raw == "":
        return (1, 0)
    if isinstance(raw, bool):
        return (0, int(raw))
    if isinstance(raw, str):
        return (0, raw.casefold())
    if isinstance(raw, tuple):
        return (0, tuple(sort_key(v) for v in raw))
    return (0, raw)


class RowTableModel(QAbstractTableModel, Generic[R]):
    def __init__(self, columns: Sequence[Column[R]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns: list[Column[R]] = list(columns)
        self.rows: list[R] = []
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- content ---------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self.endResetModel()

    def row_at(self, row: int) -> R:
        return self.rows[row]

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            return column.value(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.alignment)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(row) if column.tooltip else None
        if role == COLOUR_ROLE:
            return column.colour(row) if column.colour else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{column.header}: {column.text(row)}"
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.description or column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.alignment)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old_rows = self.rows[:]
        persistent = self.persistentIndexList()
        self._sort_rows(column, order)
        if persistent:
            position = {id(r): i for i, r in enumerate(self.rows)}
            new_indexes = [
                self.index(position[id(old_rows[p.row()])], p.column()) for p in persistent
            ]
            self.changePersistentIndexList(persistent, new_indexes)
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        get = self.columns[column].value
        keyed = [(sort_key(get(r)), r) for r in self.rows]
        descending = order == Qt.SortOrder.DescendingOrder
        present = [k for k in keyed if k[0][0] == 0]
        blanks = [k for k in keyed if k[0][0] == 1]
        present.sort(key=lambda k: k[0], reverse=descending)
        self.rows = [r for _, r in present] + [r for _, r in blanks]

    # -- export ----------------------------------------------------------------------------
    def exportable_columns(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.export]


def colour(hex_text: str | None, fallback: str = "#9e9e9e") -> QColor:
    return QColor(hex_text or fallback)
