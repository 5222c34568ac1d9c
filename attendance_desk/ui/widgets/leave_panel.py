"""The pupil page's Leave tab: the leave-of-absence requests (asked on, dates, reason, the
decision and who made it, the G marks on those dates), a new request, the decision, and the
`leave_reply` letter in the words for the decision, refused or authorised (printed into the
letters register)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import clock
from attendance_desk.domain.wording import count
from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.leave import (
    DECISIONS,
    LeaveInfo,
    decide_leave,
    leave_register,
    print_leave_letter,
    record_leave_request,
)
from attendance_desk.services.letter_register import save_pdf
from attendance_desk.services.staff import can_change
from attendance_desk.ui import file_places
from attendance_desk.ui.format import uk_short
from attendance_desk.user import current_user

COLUMNS = ("Asked on", "From", "To", "Reason", "Decision", "Decided by", "G marks on the dates")


def _date_edit(value: date) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    return edit


def _py(edit: QDateEdit) -> date:
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value


class LeavePanel(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.pupil_id: int | None = None
        self.requests: tuple[LeaveInfo, ...] = ()
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("leave_requests")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        today = clock.today()
        self.asked_edit, self.first_edit, self.last_edit = (
            _date_edit(today),
            _date_edit(today),
            _date_edit(today),
        )
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText("the reason the parent gave")
        self.add_button = QPushButton("Record request", self)
        self.add_button.clicked.connect(self.add)
        self.decision_combo = QComboBox(self)
        for key, label in DECISIONS.items():
            self.decision_combo.addItem(label, key)
        self.decision_combo.setCurrentIndex(self.decision_combo.findData("refused"))
        self.decided_by_edit = QLineEdit(current_user(), self)
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText("for an authorisation: the exceptional circumstances")
        self.decide_button = QPushButton("Record the decision", self)
        self.decide_button.clicked.connect(self.decide)
        self.letter_button = QPushButton("Print the decision letter\u2026", self)
        self.letter_button.clicked.connect(self.letter)
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)

        new = QFormLayout()
        dates = QHBoxLayout()
        for label, edit in (
            ("asked on", self.asked_edit),
            ("from", self.first_edit),
            ("to", self.last_edit),
        ):
            dates.addWidget(QLabel(label))
            dates.addWidget(edit)
        new.addRow("New request", dates)
        new.addRow("Reason", self.reason_edit)
        new.addRow("", self.add_button)
        decide = QFormLayout()
        decide.addRow("Decision", self.decision_combo)
        decide.addRow("Decided by", self.decided_by_edit)
        decide.addRow("Circumstances", self.note_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.decide_button)
        buttons.addWidget(self.letter_button)
        buttons.addStretch(1)
        decide.addRow("For the chosen request", buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(decide)
        layout.addLayout(new)
        layout.addWidget(self.error)
        editable = can_change(db)
        for w in (self.add_button, self.decide_button, self.letter_button):
            w.setEnabled(editable)

    def set_pupil(self, pupil_id: int) -> None:
        self.pupil_id = pupil_id
        self.reload()

    def reload(self) -> None:
        if self.pupil_id is None:
            return
        self.requests = leave_register(self.db, self.pupil_id)
        self.table.setRowCount(len(self.requests))
        for row, r in enumerate(self.requests):
            g = len(r.g_marks)
            cells = (
                uk_short(r.asked_on),
                uk_short(r.first_day),
                uk_short(r.last_day),
                r.reason,
                r.decision_label + (f" ({uk_short(r.decided_on)})" if r.decided_on else ""),
                r.decided_by,
                count(g, "session")
                + (
                    f": {', '.join(f'{uk_short(d)} {s}' for d, s in r.g_marks[:6])}"
                    + ("\u2026" if g > 6 else "")
                    if g
                    else ""
                ),
            )
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))

    def chosen(self) -> LeaveInfo | None:
        row = self.table.currentRow()
        return self.requests[row] if 0 <= row < len(self.requests) else None

    def add(self) -> None:
        if self.pupil_id is None:
            return
        try:
            record_leave_request(
                self.db,
                self.pupil_id,
                _py(self.asked_edit),
                _py(self.first_edit),
                _py(self.last_edit),
                self.reason_edit.text(),
            )
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.reason_edit.clear()
        self.reload()
        self.table.selectRow(0)

    def decide(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            self.error.setText("Choose a request in the list first")
            return
        try:
            decide_leave(
                self.db,
                chosen.request_id,
                str(self.decision_combo.currentData()),
                clock.today() if clock.today() >= chosen.asked_on else chosen.asked_on,
                self.decided_by_edit.text(),
                self.note_edit.text(),
            )
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.reload()

    def letter(self) -> None:
        chosen = self.chosen()
        if chosen is None:
            self.error.setText("Choose a request in the list first")
            return
        try:
            printed = print_leave_letter(self.db, chosen.request_id)
        except UserError as exc:
            self.error.setText(str(exc))
            return
        path = file_places.save_file(
            self,
            "Save the letter",
            file_places.LETTERS,
            f"Leave reply {chosen.pupil_name}.pdf",
            "PDF (*.pdf)",
        )
        if path is not None:
            save_pdf(printed.pdf, path)
        self.error.setText("The letter is in the letters register and on the timeline.")
