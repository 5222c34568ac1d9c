"""Tools > Pupils past retention: pupils who left more than a set number of years ago (at
least six: registers must be kept that long), ticked for removal, removed only after an
explicit confirmation; the service records the removal in the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.errors import UserError
from attendance_desk.services import retention
from attendance_desk.services.database import Database
from attendance_desk.services.retention import Leaver, RemovalResult
from attendance_desk.services.staff import can_change
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.models.table import Column, Index, RowTableModel
from attendance_desk.ui.screen_fit import resize_to_fit

LEAVER_COLUMNS: list[Column[Leaver]] = [
    Column("Remove", lambda _l: "", export=False, description="Ticked pupils are removed"),
    Column("Pupil", lambda leaver: leaver.name),
    Column("UPN", lambda leaver: leaver.upn or ""),
    Column("Class", lambda leaver: leaver.reg_group or ""),
    Column("Left on", lambda leaver: leaver.leaving_date, kind="date", display=uk_date),
]


class LeaversModel(RowTableModel[Leaver]):
    """The leavers, each with a tick in the first column (all ticked when listed)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(LEAVER_COLUMNS, parent)
        self.unticked: set[int] = set()  # pupil ids

    def set_rows(self, rows: Sequence[Leaver]) -> None:
        self.unticked = set()
        super().set_rows(rows)

    def ticked(self) -> list[Leaver]:
        return [leaver for leaver in self.rows if leaver.pupil_id not in self.unticked]

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == 0 and index.row() < len(self.rows):
            ticked = self.rows[index.row()].pupil_id not in self.unticked
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
            if role == Qt.ItemDataRole.AccessibleTextRole:
                return "Remove: yes" if ticked else "Remove: no"
        return super().data(index, role)

    def setData(  # noqa: N802
        self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        pupil_id = self.rows[index.row()].pupil_id
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.unticked.discard(pupil_id)
        else:
            self.unticked.add(pupil_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True


class RetentionDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.removed: RemovalResult | None = None
        self.leavers: list[Leaver] = []
        self.setWindowTitle("Pupils past retention")
        resize_to_fit(self, 760, 460)
        self.years = QSpinBox(self)
        self.years.setObjectName("retentionYears")
        self.years.setAccessibleName("Years after leaving")
        self.years.setRange(retention.MIN_YEARS, 50)
        self.years.setValue(retention.DEFAULT_YEARS)
        self.years.setSuffix(" years")
        self.years.valueChanged.connect(lambda _v: self.reload())
        self.model = LeaversModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("leavers")
        self.table.setAccessibleName("Pupils who left")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.remove_button = QPushButton("Remove ticked pupils\u2026", self)
        self.remove_button.setObjectName("removePupils")
        self.remove_button.clicked.connect(lambda: self.remove_ticked())
        self.remove_button.setEnabled(False)
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        top = QHBoxLayout()
        top.addWidget(QLabel("Pupils who left more than"))
        top.addWidget(self.years)
        top.addWidget(QLabel("ago (registers must be kept at least six years)"))
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self.model.dataChanged.connect(lambda *_: self._update_button())
        self.reload()

    def reload(self) -> None:
        self.leavers = retention.pupils_due_for_removal(self.db, years=self.years.value())
        self.model.set_rows(self.leavers)
        self.summary.setText(
            f"{len(self.leavers)} pupils left more than {self.years.value()} years ago. "
            "Removing a pupil deletes their marks, contacts and casework for good; the "
            "removal itself is kept in the audit log."
            if self.leavers
            else f"No pupil left more than {self.years.value()} years ago: nothing to remove."
        )
        self._update_button()

    def ticked(self) -> list[Leaver]:
        return self.model.ticked()

    def _update_button(self) -> None:
        self.remove_button.setEnabled(bool(self.ticked()) and can_change(self.db))

    def confirm(self, leavers: list[Leaver]) -> bool:
        """Ask before anything is removed (tests replace this)."""
        names = ", ".join(leaver.name for leaver in leavers[:5])
        more = f" and {len(leavers) - 5} more" if len(leavers) > 5 else ""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Remove pupils for good",
            f"Remove {len(leavers)} pupils ({names}{more}) and everything held about them?\n\n"
            "This cannot be undone (except by restoring a backup).",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        remove = box.addButton("Remove for good", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is remove

    def remove_ticked(self) -> RemovalResult | None:
        leavers = self.ticked()
        if not leavers or not self.confirm(leavers):
            return None
        try:
            result = retention.remove_pupils(
                self.db, [leaver.pupil_id for leaver in leavers], years=self.years.value()
            )
        except UserError as exc:
            QMessageBox.warning(self, "Remove pupils", str(exc))
            return None
        self.removed = result
        self.reload()
        self.summary.setText(f"Removed {result.removed} pupils ({result.rows_removed:,} records).")
        return result
