"""Meetings > Meeting papers: choose a paper and a date, see who is on it and the PDF, save or
print it; after a meeting, record the actions agreed for each pupil in one sitting."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QDate, QIODevice, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import APP_NAME, clock, private_files
from attendance_desk.domain.dates import numeric
from attendance_desk.domain.wording import count
from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.staff import can_change
from attendance_desk.ui import file_places, workers
from attendance_desk.ui.screen_fit import resize_to_fit

ALL_CLASSES = "All classes"


def _named(widget: Any, name: str) -> Any:
    """The widget with its object name set (tests and screenshots find widgets by name)."""
    widget.setObjectName(name)
    return widget


class MeetingPapersDialog(QDialog):
    def __init__(
        self,
        db: Database,
        parent: QWidget | None = None,
        on: date | None = None,
        paper_id: str | None = None,
    ) -> None:
        from attendance_desk.services.letter_sources import class_names
        from attendance_desk.services.meeting_papers import paper_choices

        super().__init__(parent)
        self.setWindowTitle("Meeting papers")
        resize_to_fit(self, 1200, 780)
        self.db = db
        self.paper: Any = None
        self.worker: Any = None
        self.choices = paper_choices(db)

        self.paper_combo = _named(QComboBox(), "paperCombo")
        for choice in self.choices:
            self.paper_combo.addItem(choice.label, choice.id)
        self.date_edit = _named(QDateEdit(), "paperDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self._on = on or clock.today()  # the figures date; a weekly report's default follows it
        self._setting_date = False
        self._date_by_hand = False  # once the officer picks a date, it stays
        self._week_end: date | None = None  # the weekly report's default, read once
        self._set_date(self._on)
        self.date_edit.dateChanged.connect(self._date_changed)
        self.class_combo = _named(QComboBox(), "classCombo")
        self.class_combo.addItem(ALL_CLASSES)
        self.class_combo.addItems(list(class_names(db)))
        self.show_button = _named(QPushButton("&Show"), "showButton")
        self.show_button.setDefault(True)
        self.date_label = QLabel("Date:")
        top = QHBoxLayout()
        top.addWidget(QLabel("Paper:"))
        top.addWidget(self.paper_combo, 2)
        top.addWidget(self.date_label)
        top.addWidget(self.date_edit)
        top.addWidget(QLabel("Class:"))
        top.addWidget(self.class_combo)
        top.addWidget(self.show_button)

        self.summary = _named(QLabel("Choose a paper and a date, then Show."), "paperSummary")
        self.summary.setWordWrap(True)
        self.table = _named(QTableWidget(0, 0), "paperRows")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.document = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self.view = _named(QPdfView(self), "paperView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.view)
        splitter.setSizes([520, 680])

        self.save_button = _named(QPushButton("Save &PDF\u2026"), "savePdf")
        self.excel_button = _named(QPushButton("Save &Excel\u2026"), "saveExcel")
        self.print_button = _named(QPushButton("P&rint\u2026"), "printPaper")
        self.actions_button = _named(QPushButton("Record agreed &actions\u2026"), "recordActions")
        close = QPushButton("Close")
        bottom = QHBoxLayout()
        for b in (self.save_button, self.excel_button, self.print_button, self.actions_button):
            bottom.addWidget(b)
        bottom.addStretch(1)
        bottom.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        if paper_id is not None:
            ids = [c.id for c in self.choices]
            match = [i for i, c in enumerate(ids) if c == paper_id or c.startswith(paper_id)]
            if match:
                self.paper_combo.setCurrentIndex(match[0])
        self.paper_combo.currentIndexChanged.connect(self._choice_changed)
        self.show_button.clicked.connect(self.show_paper)
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.excel_button.clicked.connect(lambda: self.save_excel())
        self.print_button.clicked.connect(self.print_paper)
        self.actions_button.clicked.connect(lambda: self.record_actions())
        close.clicked.connect(self.reject)
        self._choice_changed()

    # -- state ---------------------------------------------------------------------------------
    def choice(self) -> Any:
        return self.choices[self.paper_combo.currentIndex()]

    def on(self) -> date:
        return self.date_edit.date().toPython()

    def _set_date(self, day: date) -> None:
        self._setting_date = True
        try:
            self.date_edit.setDate(QDate(day.year, day.month, day.day))
        finally:
            self._setting_date = False

    def _default_week_end(self) -> date:
        """Read from the school's calendar once, not at every change of paper."""
        if self._week_end is None:
            from attendance_desk.services.weekly_report import default_week_end

            self._week_end = default_week_end(self.db, self._on)
        return self._week_end

    def _date_changed(self) -> None:
        if not self._setting_date:
            self._date_by_hand = True

    def _choice_changed(self) -> None:
        choice = self.choice()
        if not self._date_by_hand:
            # a weekly report: the last complete week (on a Monday, last week's, not a one-day
            # week ending today); an agenda: the meeting's day
            self._set_date(self._default_week_end() if choice.by_class else self._on)
        self.class_combo.setEnabled(choice.by_class)
        self.date_label.setText("Week ending:" if choice.by_class else "Date:")
        self.paper = None
        self._set_buttons()

    def _set_buttons(self) -> None:
        ready = self.paper is not None and self.worker is None
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready)
        self.excel_button.setEnabled(ready and self.choice().excel)
        self.actions_button.setEnabled(
            ready and self.choice().agenda and bool(self.paper.pupils) and can_change(self.db)
        )
        self.show_button.setEnabled(self.worker is None)

    # -- showing -------------------------------------------------------------------------------
    def show_paper(self) -> None:
        from attendance_desk.services.meeting_papers import make_paper

        choice = self.choice()
        cls = self.class_combo.currentText() if choice.by_class else ALL_CLASSES
        self.summary.setText("Working out the paper\u2026")
        self.paper = None
        self.worker = workers.run_async(
            make_paper,
            self.db,
            choice.id,
            self.on(),
            None if cls == ALL_CLASSES else cls,
            on_finished=self._shown,
            on_error=self._failed,
        )
        self._set_buttons()

    def _shown(self, paper: Any) -> None:
        self.worker = None
        self.paper = paper
        self.summary.setText(f"{paper.title}: {paper.summary}")
        self.table.clear()
        self.table.setColumnCount(len(paper.headers))
        self.table.setHorizontalHeaderLabels(list(paper.headers))
        self.table.setRowCount(len(paper.rows))
        for r, row in enumerate(paper.rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self._load_pdf(paper.pdf)
        self._set_buttons()

    def _failed(self, message: str, _detail: str) -> None:
        self.worker = None
        self.summary.setText(message)
        self.table.setRowCount(0)
        self.document.close()
        self._set_buttons()

    def _load_pdf(self, data: bytes) -> None:
        self.document.close()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(buffer)
        if self._buffer is not None:
            self._buffer.deleteLater()
        self._buffer = buffer

    # -- saving and printing -------------------------------------------------------------------
    def _suggested(self, suffix: str) -> str:
        name = self.paper.title.lower().replace(" ", "-").replace("'", "")
        return f"{name}-{self.on().isoformat()}{suffix}"

    def save_pdf(self, path: Path | None = None) -> Path | None:
        if self.paper is None:
            return None
        if path is None:
            chosen = file_places.save_file(
                self, "Save the paper", file_places.PAPERS, self._suggested(".pdf"), "PDF (*.pdf)"
            )
            if chosen is None:
                return None
            path = chosen
        try:
            private_files.write(path, self.paper.pdf)
        except OSError as exc:
            self._error(f"Cannot write {path} ({exc.strerror})")
            return None
        self.summary.setText(f"{self.paper.title}: saved to {path}")
        return path

    def save_excel(self, path: Path | None = None) -> Path | None:
        from attendance_desk.services.meeting_papers import save_paper_excel

        if self.paper is None:
            return None
        if path is None:
            chosen = file_places.save_file(
                self,
                "Save as Excel",
                file_places.PAPERS,
                self._suggested(".xlsx"),
                "Excel workbook (*.xlsx)",
            )
            if chosen is None:
                return None
            path = chosen
        try:
            save_paper_excel(self.db, self.paper.choice.id, path, self.on())
        except UserError as exc:
            self._error(str(exc))
            return None
        self.summary.setText(f"{self.paper.title}: saved to {path}")
        return path

    def print_paper(self) -> None:
        from attendance_desk.ui import printing

        if self.paper is None:
            return
        printout = printing.Printout(
            self.paper.title, pdf=self.document, landscape=self.paper.landscape
        )
        printing.print_printout(self, printout)

    def record_actions(self, accept: bool = False) -> AgreedActionsDialog | None:
        if self.paper is None or not self.paper.pupils:
            return None
        meeting_id = self.paper.choice.id.split(":", 1)[1]
        dialog = AgreedActionsDialog(self.db, meeting_id, self.paper, self.on(), self)
        if accept:  # tests drive the open dialog themselves
            return dialog
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.summary.setText(
                f"{count(dialog.recorded, 'action')} recorded for {self.paper.title}"
            )
        return dialog

    def _error(self, message: str) -> None:
        QMessageBox.warning(self, APP_NAME, message)


class AgreedActionsDialog(QDialog):
    """One sitting: a row per pupil on the agenda (add more rows for a second action); each
    filled row becomes a task with its owner and due date, and a note on the timeline."""

    COLUMNS = ("Pupil", "Action agreed", "Owner", "Due (dd/mm/yyyy)")

    def __init__(
        self, db: Database, meeting_id: str, paper: Any, on: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Actions agreed: {paper.title}, {on:%a %-d %b %Y}")
        resize_to_fit(self, 900, 520)
        self.db = db
        self.meeting_id = meeting_id
        self.on = on
        self.recorded = 0
        self.pupil_ids: list[int] = []
        self.table = _named(QTableWidget(0, len(self.COLUMNS)), "actionsTable")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        for pid, name in paper.pupils:
            self._add_row(pid, name)
        self.attendees = _named(QLineEdit(), "attendees")
        self.attendees.setPlaceholderText("Who was at the meeting (optional)")
        another = _named(QPushButton("Another action for this pupil"), "anotherAction")
        another.clicked.connect(self._another)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.message = _named(
            QLabel(
                "Write each action agreed, who will do it and by when. Rows left without an action "
                "are not recorded."
            ),
            "actionsMessage",
        )
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("At the meeting:"))
        row.addWidget(self.attendees, 1)
        row.addWidget(another)
        layout.addLayout(row)
        layout.addWidget(buttons)

    def _add_row(self, pupil_id: int, name: str, at: int | None = None) -> int:
        r = self.table.rowCount() if at is None else at
        self.table.insertRow(r)
        self.pupil_ids.insert(r, pupil_id)
        item = QTableWidgetItem(name)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(r, 0, item)
        self.table.setItem(r, 1, QTableWidgetItem(""))
        self.table.setItem(r, 2, QTableWidgetItem(""))
        self.table.setItem(r, 3, QTableWidgetItem(numeric(self.on + timedelta(days=7))))
        return r

    def _another(self) -> None:
        r = max(self.table.currentRow(), 0)
        if not self.pupil_ids:
            return
        name = self.table.item(r, 0).text()
        new = self._add_row(self.pupil_ids[r], name, r + 1)
        self.table.setCurrentCell(new, 1)

    def set_row(self, r: int, action: str, owner: str, due: str | None = None) -> None:
        self.table.item(r, 1).setText(action)
        self.table.item(r, 2).setText(owner)
        if due is not None:
            self.table.item(r, 3).setText(due)

    def inputs(self) -> list[Any]:
        from datetime import datetime

        from attendance_desk.services.meetings import ActionInput

        out = []
        for r, pid in enumerate(self.pupil_ids):
            action = self.table.item(r, 1).text().strip()
            if not action:
                continue
            name = self.table.item(r, 0).text()
            owner = self.table.item(r, 2).text().strip()
            due_text = self.table.item(r, 3).text().strip()
            try:
                due = datetime.strptime(due_text, "%d/%m/%Y").date()
            except ValueError:
                raise UserError(
                    f"row {r + 1} ({name}): '{due_text}' is not a date like 04/04/2025"
                ) from None
            if not owner:
                raise UserError(f"row {r + 1} ({name}): name who will do it (the owner)")
            out.append(ActionInput(pid, action, owner, due))
        return out

    def save(self) -> None:
        from attendance_desk.services.meetings import record_agreed_actions
        from attendance_desk.user import current_user

        try:
            actions = self.inputs()
            if not actions:
                raise UserError("write at least one agreed action")
            self.recorded = record_agreed_actions(
                self.db,
                self.meeting_id,
                self.on,
                actions,
                recorded_by=current_user(),
                attendees=self.attendees.text(),
            )
        except UserError as exc:
            self.message.setText(f"Nothing recorded: {exc}")
            self.message.setStyleSheet("color: #c62828;")
            return
        self.accept()
