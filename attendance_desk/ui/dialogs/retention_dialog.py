"""Tools > Pupils past retention: pupils who left more than a set number of years ago (at
least six: registers must be kept that long), ticked for removal, removed only after an
explicit confirmation; the service records the removal in the audit log."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.errors import UserError
from attendance_desk.services import retention
from attendance_desk.services.retention import Leaver, RemovalResult
from attendance_desk.storage.db import Database
from attendance_desk.ui.format import uk_date


class RetentionDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.removed: RemovalResult | None = None
        self.leavers: list[Leaver] = []
        self.setWindowTitle("Pupils past retention")
        self.resize(760, 460)
        self.years = QSpinBox(self)
        self.years.setObjectName("retentionYears")
        self.years.setAccessibleName("Years after leaving")
        self.years.setRange(retention.MIN_YEARS, 50)
        self.years.setValue(retention.DEFAULT_YEARS)
        self.years.setSuffix(" years")
        self.years.valueChanged.connect(lambda _v: self.reload())
        self.table = QTableWidget(0, 5, self)
        self.table.setObjectName("leavers")
        self.table.setAccessibleName("Pupils who left")
        self.table.setHorizontalHeaderLabels(["Remove", "Pupil", "UPN", "Class", "Left on"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
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
        self.table.itemChanged.connect(lambda _i: self._update_button())
        self.reload()

    def reload(self) -> None:
        self.leavers = retention.pupils_due_for_removal(self.db, years=self.years.value())
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.leavers))
        for r, leaver in enumerate(self.leavers):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked)
            self.table.setItem(r, 0, tick)
            values = (leaver.name, leaver.upn or "", leaver.reg_group or "", leaver.leaving_date)
            for c, value in enumerate(values, start=1):
                text = uk_date(value) if c == 4 else str(value)
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.blockSignals(False)
        self.summary.setText(
            f"{len(self.leavers)} pupils left more than {self.years.value()} years ago. "
            "Removing a pupil deletes their marks, contacts and casework for good; the "
            "removal itself is kept in the audit log."
            if self.leavers
            else f"No pupil left more than {self.years.value()} years ago: nothing to remove."
        )
        self._update_button()

    def ticked(self) -> list[Leaver]:
        return [
            leaver
            for r, leaver in enumerate(self.leavers)
            if self.table.item(r, 0).checkState() == Qt.CheckState.Checked
        ]

    def _update_button(self) -> None:
        self.remove_button.setEnabled(bool(self.ticked()) and not self.db.read_only)

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
