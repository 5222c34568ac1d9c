"""The first-day call list: who is absent with no reason, whom to ring, and logging a call.

Keyboard: pick a pupil (arrows), pick the number (Alt+N), the outcome (keys 1-4 in the outcome
box), type the reason, pick the code (type it), Enter logs the call. Families not reached for
two school days running are flagged in red at the top.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.events import CALL_OUTCOMES
from attendance_desk.errors import UserError
from attendance_desk.services.calls import CallListEntry, LoggedCall, first_day_calls, log_call
from attendance_desk.services.database import Database
from attendance_desk.services.staff import can_change
from attendance_desk.ui.models.table import Column, RowTableModel
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.workers import run_async
from attendance_desk.user import current_user

REASON_CODES = ("", "I", "M", "R", "C", "G", "O", "L", "U")
FLAG_COLOUR = "#c62828"


def _sessions(e: CallListEntry) -> str:
    return " ".join(f"{s} {c or 'no mark'}" for s, c in e.sessions)


def _first_number(e: CallListEntry) -> str:
    for c in e.contacts:
        if c.phones:
            return f"{c.name}: {c.phones[0][1]}"
    return "no number on record"


COLUMNS: list[Column[CallListEntry]] = [
    Column(
        "!",
        lambda e: "\u26a0" if e.unreached_flag else "",
        tooltip=lambda e: (
            "Not reached for two school days running: a safeguarding concern"
            if e.unreached_flag
            else None
        ),
        colour=lambda e: FLAG_COLOUR if e.unreached_flag else None,
    ),
    Column("Class", lambda e: e.reg_group),
    Column("Pupil", lambda e: f"{e.surname}, {e.forename}"),
    Column("Absent", _sessions),
    Column("Ring first", _first_number),
    Column("Days unreached", lambda e: e.days_unreached, kind="number"),
    Column("Today", lambda e: "; ".join(e.calls_today) or ("reached" if e.reached_today else "")),
]


class FirstDayCallsWidget(QWidget):
    """The day's call list with a quick call log beneath it."""

    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.hub = db, hub
        self.loading = False
        self.last_logged: LoggedCall | None = None

        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd dd/MM/yyyy")
        self.date_edit.dateChanged.connect(self.reload)
        self.count_label = QLabel("")
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.reload)

        self.model: RowTableModel[CallListEntry] = RowTableModel(COLUMNS, self)
        self.table = QTableView()
        self.table.setObjectName("callTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._pupil_chosen())
        self.table.doubleClicked.connect(self._open_pupil)

        self.pupil_label = QLabel("Choose a pupil")
        self.number_combo = QComboBox()
        self.number_combo.setObjectName("numberCombo")
        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("outcomeCombo")
        for i, (key, text) in enumerate(CALL_OUTCOMES.items(), start=1):
            self.outcome_combo.addItem(f"{i} {text}", key)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setPlaceholderText("reason given")
        self.reason_edit.returnPressed.connect(self.log_selected)
        self.code_combo = QComboBox()
        self.code_combo.setObjectName("codeCombo")
        self.code_combo.setEditable(True)
        self.code_combo.addItems(REASON_CODES)
        self.recode_check = QCheckBox("Re-code today's mark")
        self.recode_check.setChecked(True)
        self.follow_check = QCheckBox("Follow-up needed")
        self.log_button = QPushButton("Log call")
        self.log_button.setObjectName("logCall")
        self.log_button.setDefault(True)
        self.log_button.clicked.connect(self.log_selected)
        self.log_button.setEnabled(not db.read_only and can_change())
        if db.read_only:
            self.log_button.setToolTip("The database is open read-only")
        self.message = QLabel("")
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.pupil_label)
        form.addRow("&Number", self.number_combo)
        form.addRow("&Outcome", self.outcome_combo)
        form.addRow("&Reason", self.reason_edit)
        form.addRow("&Code", self.code_combo)
        checks = QHBoxLayout()
        checks.addWidget(self.recode_check)
        checks.addWidget(self.follow_check)
        checks.addStretch(1)
        checks.addWidget(self.log_button)
        form.addRow(checks)
        form.addRow(self.message)
        box = QGroupBox("Log a call")
        box.setLayout(form)

        top = QHBoxLayout()
        top.addWidget(QLabel("Calls for"))
        top.addWidget(self.date_edit)
        top.addWidget(refresh)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(box)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.log_selected)
        hub.marks_imported.connect(self.reload)
        self.reload()

    @property
    def day(self) -> date:
        q = self.date_edit.date()
        return date(q.year(), q.month(), q.day())

    def set_date(self, day: date) -> None:
        self.date_edit.setDate(QDate(day))

    def reload(self) -> None:
        """Build the list on a worker thread; the table fills when it is ready."""
        self.loading = True
        self.count_label.setText("Loading\u2026")
        self._generation = getattr(self, "_generation", 0) + 1
        generation = self._generation
        run_async(
            first_day_calls,
            self.db,
            self.day,
            on_finished=lambda rows: self._loaded(rows) if generation == self._generation else None,
            on_error=self._failed,
        )

    def _loaded(self, entries: tuple[CallListEntry, ...]) -> None:
        selected = self.selected()
        self.model.set_rows(entries)
        flagged = sum(e.unreached_flag for e in entries)
        text = f"{len(entries)} to call"
        if flagged:
            text += f", {flagged} not reached for 2+ days"
        self.count_label.setText(text)
        self.loading = False
        if entries:
            row = 0
            if selected is not None:
                row = next((i for i, e in enumerate(entries) if e.pupil_id == selected.pupil_id), 0)
            self.table.selectRow(row)
        self._pupil_chosen()

    def _failed(self, message: str, _detail: str) -> None:
        self.loading = False
        self.count_label.setText("")
        self.message.setText(message)

    def selected(self) -> CallListEntry | None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            return None
        return self.model.row_at(index.row())

    def _pupil_chosen(self) -> None:
        entry = self.selected()
        self.number_combo.clear()
        if entry is None:
            self.pupil_label.setText("Choose a pupil")
            return
        self.pupil_label.setText(f"<b>{entry.forename} {entry.surname}</b> ({entry.reg_group})")
        for c in entry.contacts:
            rel = f" ({c.relationship})" if c.relationship else ""
            for kind, number in c.phones:
                self.number_combo.addItem(f"{c.name}{rel} \u2014 {kind} {number}", (c.name, number))
        if self.number_combo.count() == 0:
            self.number_combo.addItem("no number on record", ("", ""))

    def printout(self) -> Any:
        """The call sheet for the day (Ctrl+P)."""
        from attendance_desk.ui.printing import call_sheet

        return call_sheet(self.day, list(self.model.rows))

    def _open_pupil(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.hub.pupil_selected.emit(entry.pupil_id)

    def log_selected(self) -> LoggedCall | None:
        """Log the call for the chosen pupil from the form; the list reloads."""
        if self.db.read_only:
            self.message.setText("The database is open read-only: calls cannot be logged")
            return None
        entry = self.selected()
        if entry is None:
            self.message.setText("Choose a pupil first")
            return None
        name, number = self.number_combo.currentData() or ("", "")
        code = self.code_combo.currentText().strip().upper() or None
        try:
            logged = log_call(
                self.db,
                entry.pupil_id,
                self.day,
                self.outcome_combo.currentData(),
                contact_name=name,
                number=number,
                reason_given=self.reason_edit.text(),
                code=code,
                recode=bool(code) and self.recode_check.isChecked(),
                follow_up=self.follow_check.isChecked(),
                recorded_by=current_user(),
            )
        except UserError as exc:
            self.message.setStyleSheet(f"color: {FLAG_COLOUR}")
            self.message.setText(str(exc))
            return None
        self.last_logged = logged
        self.message.setStyleSheet(f"color: {QColor('#2e7d32').name()}")
        done = f"Logged: {logged.entry.summary}"
        if logged.recoded:
            done += " \u2014 re-coded " + ", ".join(
                f"{r.session} {r.old_code or 'no mark'}\u2192{r.new_code}" for r in logged.recoded
            )
        self.message.setText(done)
        self.reason_edit.clear()
        self.code_combo.setCurrentIndex(0)
        self.follow_check.setChecked(False)
        self.hub.case_changed.emit(entry.pupil_id)
        if logged.recoded:
            self.hub.pupil_changed.emit(entry.pupil_id)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.reload()
        return logged
