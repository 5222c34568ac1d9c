"""Settings tabs: term dates and closures for an academic year (editable, checked before
saving), and keeping data safe (the backup folder and the idle lock)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import clock
from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.errors import UserError
from attendance_desk.services import access
from attendance_desk.services import backup as backups
from attendance_desk.services import calendar as calendar_service
from attendance_desk.services.database import Database
from attendance_desk.ui.format import uk_date

KIND_BY_LABEL = {label: kind for kind, label in calendar_service.CLOSURE_KINDS.items()}


def parse_uk_date(text: str, what: str) -> date:
    """'03/02/2025' (or '3/2/2025', '2025-02-03') -> date; UserError naming `what` otherwise."""
    text = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%a %d %b %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise UserError(f"{what}: {text!r} is not a date (write it as dd/mm/yyyy)")


def _cell(table: QTableWidget, row: int, col: int) -> str:
    item = table.item(row, col)
    return item.text().strip() if item is not None else ""


class TermDatesTab(QWidget):
    """One academic year at a time: its half terms (name, first day, last day) and closures."""

    def __init__(self, db: Database, as_of: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.calendar = calendar_service.get_calendar(db)
        self.changed_years: set[str] = set()
        self._loading = False
        current = AcademicYear.containing(as_of or clock.today()).name
        years = sorted({h.year for h in self.calendar.half_terms} | {current})
        self.year_combo = QComboBox(self)
        self.year_combo.setAccessibleName("Academic year")
        self.year_combo.addItems(years)
        self.half_terms = self._table(["Half term", "First day", "Last day"], "termDates")
        self.closures = self._table(["Closure day", "Kind", "Description"], "closureDates")
        add_half = QPushButton("Add half term", self)
        add_half.clicked.connect(lambda: self._add_row(self.half_terms, ["", "", ""]))
        remove_half = QPushButton("Remove", self)
        remove_half.clicked.connect(lambda: self._remove_row(self.half_terms))
        add_closure = QPushButton("Add closure", self)
        add_closure.clicked.connect(
            lambda: self._add_row(self.closures, ["", "INSET day", "INSET day"])
        )
        remove_closure = QPushButton("Remove", self)
        remove_closure.clicked.connect(lambda: self._remove_row(self.closures))
        self.note = QLabel(self)
        self.note.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Academic year"))
        top.addWidget(self.year_combo)
        top.addStretch(1)
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(self.half_terms)
        right.addWidget(self.closures)
        for box, buttons in (
            (left, (add_half, remove_half)),
            (right, (add_closure, remove_closure)),
        ):
            row = QHBoxLayout()
            for button in buttons:
                row.addWidget(button)
            row.addStretch(1)
            box.addLayout(row)
        tables = QHBoxLayout()
        tables.addLayout(left, 1)
        tables.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addLayout(tables, 1)
        layout.addWidget(
            QLabel(
                "Dates as dd/mm/yyyy. Kinds of closure: INSET day, Bank holiday, Other closure. "
                "A term-dates or closures file (File \u203a Import) fills these in too."
            )
        )
        self.year_combo.currentTextChanged.connect(self.show_year)
        self.year_combo.setCurrentText(current)
        self.show_year(current)

    def _table(self, headers: list[str], name: str) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setObjectName(name)
        table.setAccessibleName(headers[0])
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.itemChanged.connect(lambda _item: self._mark_changed())
        return table

    def _mark_changed(self) -> None:
        if not self._loading:
            self.changed_years.add(self.year_combo.currentText())
            self.year_combo.setEnabled(False)  # one year's changes at a time: save first
            self.year_combo.setToolTip("Save the changes to this year first")

    def _add_row(self, table: QTableWidget, values: list[str]) -> None:
        row = table.rowCount()
        table.insertRow(row)
        for col, text in enumerate(values):
            table.setItem(row, col, QTableWidgetItem(text))
        table.setCurrentCell(row, 0)
        self._mark_changed()

    def _remove_row(self, table: QTableWidget) -> None:
        if table.currentRow() >= 0:
            table.removeRow(table.currentRow())
            self._mark_changed()

    def show_year(self, year_name: str) -> None:
        self._loading = True
        halves = [h for h in self.calendar.half_terms if h.year == year_name]
        inferred = any(h.inferred for h in halves)
        if inferred:
            halves = []
        self.half_terms.setRowCount(0)
        for h in halves:
            self._add_row(self.half_terms, [h.name, uk_date(h.start), uk_date(h.end)])
        self.closures.setRowCount(0)
        for day, kind, description in calendar_service.closures_in_year(self.db, year_name):
            label = calendar_service.CLOSURE_KINDS.get(kind, kind)
            self._add_row(self.closures, [uk_date(day), label, description])
        self.note.setText(
            f"No term dates are entered for {year_name}: they are worked out from the register."
            if not halves
            else f"{len(halves)} half terms entered for {year_name}."
        )
        self._loading = False

    def half_term_rows(self) -> list[tuple[str, date, date]]:
        rows = []
        for r in range(self.half_terms.rowCount()):
            name = _cell(self.half_terms, r, 0) or f"Row {r + 1}"
            start = parse_uk_date(_cell(self.half_terms, r, 1), f"{name}, first day")
            end = parse_uk_date(_cell(self.half_terms, r, 2), f"{name}, last day")
            rows.append((_cell(self.half_terms, r, 0), start, end))
        return rows

    def closure_rows(self) -> list[tuple[date, str, str]]:
        rows = []
        for r in range(self.closures.rowCount()):
            day = parse_uk_date(_cell(self.closures, r, 0), f"closure on row {r + 1}")
            label = _cell(self.closures, r, 1) or "Other closure"
            kind = KIND_BY_LABEL.get(label) or (label if label in KIND_BY_LABEL.values() else None)
            if kind is None:
                raise UserError(f"{label!r} is not a kind of closure ({', '.join(KIND_BY_LABEL)})")
            rows.append((day, kind, _cell(self.closures, r, 2)))
        return rows

    def save(self) -> bool:
        """Save the year on screen when it was changed (UserError when a date is wrong)."""
        year_name = self.year_combo.currentText()
        if year_name not in self.changed_years:
            return False
        halves, closures = self.half_term_rows(), self.closure_rows()
        calendar_service.check_half_terms(year_name, halves)
        calendar_service.save_half_terms(self.db, year_name, halves)
        calendar_service.save_closures(self.db, year_name, closures)
        self.changed_years.discard(year_name)
        return True


class SafetyTab(QWidget):
    """Where backups go, and the idle lock."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.initial_folder = backups.backup_folder(db)
        self.default_folder = backups.default_backup_folder(db.path)
        self.folder = QLineEdit(str(self.initial_folder), self)
        self.folder.setObjectName("backupFolder")
        self.folder.setAccessibleName("Backup folder")
        choose = QPushButton("Choose\u2026", self)
        choose.clicked.connect(self._choose)
        reset = QPushButton("Default", self)
        reset.clicked.connect(lambda: self.folder.setText(str(self.default_folder)))
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        row.addWidget(reset)
        self.initial_minutes = access.idle_lock_minutes(db)
        self.minutes = QSpinBox(self)
        self.minutes.setObjectName("idleMinutes")
        self.minutes.setAccessibleName("Lock when idle for")
        self.minutes.setRange(0, 240)
        self.minutes.setSpecialValueText("never")
        self.minutes.setSuffix(" minutes")
        self.minutes.setValue(self.initial_minutes)
        form = QFormLayout(self)
        form.addRow("Backup folder", row)
        form.addRow(
            "",
            QLabel(
                "A backup is taken once a day on first start and before every import. "
                "A folder on another drive keeps them safe if this one fails."
            ),
        )
        form.addRow("Lock when idle for", self.minutes)
        lock_note = (
            "The lock needs a password (Tools \u203a Password and lock)."
            if not access.password_required(db)
            else "After this time with no use the window is covered until the password is typed."
        )
        form.addRow("", QLabel(lock_note))

    def _choose(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Backup folder", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def save(self) -> None:
        folder = Path(self.folder.text().strip()) if self.folder.text().strip() else None
        if folder != self.initial_folder:
            backups.set_backup_folder(self.db, None if folder == self.default_folder else folder)
        if self.minutes.value() != self.initial_minutes:
            access.set_idle_lock_minutes(self.db, self.minutes.value())
