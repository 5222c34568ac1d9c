"""Children missing education: the pupils whose continuous unauthorised absence of 10 school days
is still going on with the family not reached; refer one to the LA (a referral on the timeline
and the notification PDF), or take a pupil off roll with the grounds (and its notification)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.cme import REMOVAL_GROUNDS
from attendance_desk.errors import UserError
from attendance_desk.services.cme import CmeCase, cme_cases, raise_cme_referral, remove_from_roll
from attendance_desk.services.database import Database
from attendance_desk.services.staff import can_change
from attendance_desk.ui import file_places
from attendance_desk.ui.format import uk_short
from attendance_desk.ui.screen_fit import resize_to_fit

COLUMNS = ("Pupil", "Class", "Absent since", "School days", "Attempts to reach the family")


class CmeDialog(QDialog):
    def __init__(
        self, db: Database, as_of: date, parent: QWidget | None = None, folder: str = ""
    ) -> None:
        super().__init__(parent)
        self.db, self.as_of, self.folder = db, as_of, folder
        self.setWindowTitle("Children missing education")
        resize_to_fit(self, 900, 420)
        self.cases: tuple[CmeCase, ...] = ()
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("cme_cases")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.refer_button = QPushButton("Refer the chosen pupil to the LA\u2026", self)
        self.refer_button.clicked.connect(self.refer)
        self.refer_button.setEnabled(can_change(db))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                f"As of {uk_short(as_of)}: 10 school days or more of continuous unauthorised "
                "absence, still going on, with the family not reached since it began."
            )
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(self.refer_button)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.cases = cme_cases(self.db, self.as_of)
        self.table.setRowCount(len(self.cases))
        for row, c in enumerate(self.cases):
            f = c.finding
            attempts = "; ".join(f"{uk_short(a.date)} {a.what}" for a in f.attempts) or "none"
            for col, text in enumerate(
                (c.pupil_name, c.reg_group, uk_short(f.run_start), str(f.school_days), attempts)
            ):
                self.table.setItem(row, col, QTableWidgetItem(text))
        if not self.cases:
            self.message.setText("No pupil needs a referral.")

    def refer(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.cases):
            self.message.setText("Choose a pupil in the list first")
            return
        folder = self.folder or file_places.choose_folder(
            self, "Save the notification in", file_places.PAPERS
        )
        if not folder:
            return
        try:
            _entry, path = raise_cme_referral(
                self.db, self.cases[row].finding.pupil_id, self.as_of, folder
            )
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText(f"Referral recorded on the timeline; the notification is {path}")


class RemoveFromRollDialog(QDialog):
    """Take one pupil off roll: the date, the ground and the LA notification."""

    def __init__(
        self, db: Database, pupil_id: int, parent: QWidget | None = None, folder: str = ""
    ) -> None:
        super().__init__(parent)
        self.db, self.pupil_id, self.folder = db, pupil_id, folder
        self.setWindowTitle("Remove from roll")
        self.date_edit = QDateEdit(QDate.currentDate(), self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.ground_combo = QComboBox(self)
        for key, text in REMOVAL_GROUNDS.items():
            self.ground_combo.addItem(text, key)
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText("e.g. the new school, the LA officer consulted")
        self.error = QLabel(self)
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Leaving date", self.date_edit)
        form.addRow("Ground", self.ground_combo)
        form.addRow("Detail", self.note_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.path = ""

    def save(self) -> None:
        folder = self.folder or file_places.choose_folder(
            self, "Save the notification in", file_places.PAPERS
        )
        if not folder:
            return
        leaving = self.date_edit.date().toPython()
        assert isinstance(leaving, date)
        try:
            self.path = str(
                remove_from_roll(
                    self.db,
                    self.pupil_id,
                    leaving,
                    str(self.ground_combo.currentData()),
                    folder,
                    self.note_edit.text(),
                )
            )
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
