"""Changes for the MIS: every mark the office changed that the MIS still holds differently,
to enter in the MIS (the register of record). An item leaves the list when an import shows
the MIS agrees. File > Export writes the list to Excel; Ctrl+P prints it."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import clock
from attendance_desk.services.database import Database
from attendance_desk.services.exporting import ExportTable
from attendance_desk.services.mis_changes import ChangeForMis, changes_for_mis
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.models.export import to_export_table
from attendance_desk.ui.models.table import Column, RowTableModel
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.workers import run_async

COLUMNS: list[Column[ChangeForMis]] = [
    Column("Pupil", lambda c: c.pupil),
    Column("Class", lambda c: c.reg_group),
    Column("UPN", lambda c: c.upn),
    Column("Date", lambda c: c.date, kind="date", display=uk_date),
    Column("Session", lambda c: c.session),
    Column("MIS code", lambda c: c.mis_code or "", description="What the MIS holds now"),
    Column("Office code", lambda c: c.office_code, description="What to enter in the MIS"),
    Column("Why", lambda c: c.why),
    Column("Who", lambda c: c.who),
]


class MisChangesWidget(QWidget):
    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.day = clock.today()
        self.loading = False
        self.model: RowTableModel[ChangeForMis] = RowTableModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setObjectName("misChanges")
        self.table.setAccessibleName("Changes for the MIS")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.only_day = QCheckBox("")
        self.only_day.setObjectName("onlyDay")
        self.only_day.toggled.connect(lambda _on: self.reload())
        self.count_label = QLabel("")
        intro = QLabel(
            "Marks the office changed that the MIS still holds differently: enter the office "
            "code in the MIS. A mark leaves this list when an import shows the MIS agrees."
        )
        intro.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.only_day)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        hub.marks_imported.connect(self.reload)
        hub.pupil_changed.connect(lambda _pid: self.reload())
        self._show_day()
        self.reload()

    def set_as_of(self, day: date) -> None:
        self.day = day
        self._show_day()
        self.reload()

    def _show_day(self) -> None:
        self.only_day.setText(f"Only {uk_date(self.day)}")

    def reload(self) -> None:
        self.loading = True
        self._generation = getattr(self, "_generation", 0) + 1
        generation = self._generation
        run_async(
            changes_for_mis,
            self.db,
            self.day if self.only_day.isChecked() else None,
            on_finished=lambda got: self._loaded(got) if generation == self._generation else None,
            on_error=lambda message, _detail: self.count_label.setText(message),
        )

    def _loaded(self, changes: tuple[ChangeForMis, ...]) -> None:
        self.model.set_rows(changes)
        self.count_label.setText(f"{len(changes)} to change in the MIS")
        self.loading = False

    def export_table(self) -> ExportTable:
        return to_export_table(self.model, "Changes for the MIS")
