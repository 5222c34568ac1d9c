"""The audit log in the window: newest first, filtered as you type, exported to Excel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.dates import numeric_time
from attendance_desk.services.audit import (
    AuditExport,
    AuditRow,
    audit_rows,
    check_audit_chain,
    describe_chain,
    write_audit_rows,
)
from attendance_desk.services.database import Database
from attendance_desk.ui import file_places, workers
from attendance_desk.ui.models.proxy import RowFilterProxy
from attendance_desk.ui.models.table import Column, RowTableModel
from attendance_desk.ui.screen_fit import resize_to_fit

ENTITY_NAMES = {
    "": "Everything",
    "mark": "Marks",
    "import": "Imports",
    "setting": "Settings",
    "policy": "Policy",
    "case": "Cases",
    "pupil": "Pupils",
}
COLUMNS: list[Column[AuditRow]] = [
    Column("When", lambda r: r.when, display=lambda t: f"{numeric_time(t, seconds=True)}"),
    Column("Who", lambda r: r.who),
    Column("Action", lambda r: r.action),
    Column("What", lambda r: r.entity),
    Column("Which", lambda r: r.entity_id),
    Column("Pupil", lambda r: r.pupil_name or ""),
    Column("Old value", lambda r: r.old),
    Column("New value", lambda r: r.new),
]
LIMIT = 20_000


class AuditDialog(QDialog):
    exported = Signal(object)  # the AuditExport, once the file is written

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.export_worker: workers.Worker | None = None
        self.setWindowTitle("Audit log")
        resize_to_fit(self, 1100, 600)
        self.kind = QComboBox()
        for key, name in ENTITY_NAMES.items():
            self.kind.addItem(name, key)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter: a name, a code, a file, a setting…")
        self.search.setClearButtonEnabled(True)
        self.model: RowTableModel[AuditRow] = RowTableModel(COLUMNS, self)
        self.proxy = RowFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.count_label = QLabel()
        self.chain_label = QLabel(describe_chain(check_audit_chain(db)))
        self.chain_label.setObjectName("auditChain")
        self.export_button = QPushButton("Export to Excel…")
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        self.export_button.clicked.connect(self.export)
        self.kind.currentIndexChanged.connect(self.reload)
        self.search.textChanged.connect(self._filter)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.kind)
        top.addWidget(self.search, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(self.export_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.chain_label)
        layout.addLayout(bottom)
        self.reload()

    def reload(self) -> None:
        entity = self.kind.currentData() or None
        self.model.set_rows(audit_rows(self.db, entity=entity, limit=LIMIT))
        self.table.resizeColumnsToContents()
        self._update_count()

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()

        def matches(row: AuditRow) -> bool:
            fields = (row.who, row.action, row.entity, row.entity_id, row.pupil_name or "")
            return any(needle in f.casefold() for f in (*fields, row.old, row.new))

        self.proxy.set_predicate("search", matches if needle else None)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        more = f" (the newest {LIMIT:,})" if total == LIMIT else ""
        self.count_label.setText(f"{shown:,} of {total:,} changes{more}")

    def export(self, path: Path | None = None) -> Path | None:
        """Export the rows shown (after filtering) to an Excel file, written by the audit
        service on a worker thread; `exported` is emitted when it is on disk."""
        if path is None:
            chosen = file_places.save_file(
                self,
                "Export the audit log",
                file_places.EXPORTS,
                "audit log.xlsx",
                "Excel workbook (*.xlsx)",
            )
            if chosen is None:
                return None
            path = chosen
        self.export_button.setEnabled(False)
        self.count_label.setText("Writing the Excel file\u2026")
        self.export_worker = workers.run_async(
            write_audit_rows,
            path,
            list(self.proxy.visible_rows()),
            on_finished=self._exported,
            on_error=self._export_failed,
        )
        return path

    def _exported(self, result: AuditExport) -> None:
        self.export_button.setEnabled(True)
        self._update_count()
        self.exported.emit(result)

    def _export_failed(self, message: str, _detail: str) -> None:
        self.export_button.setEnabled(True)
        self._update_count()
        QMessageBox.warning(self, "Export", f"The audit log could not be written: {message}")
