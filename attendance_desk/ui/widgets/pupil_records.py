"""On a pupil's page: the letters register (with Reprint), the evidence bundle PDF and the
subject access export. The files are written by the services, on the worker pool."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from attendance_desk.domain.dates import numeric_time
from attendance_desk.errors import UserError
from attendance_desk.services.database import Database
from attendance_desk.services.letter_register import (
    LetterInfo,
    letters_for_pupil,
    save_reprint,
    void_letter,
)
from attendance_desk.services.staff import can_change
from attendance_desk.services.subject_access import SubjectAccessExport, export_subject_access
from attendance_desk.ui import file_places, workers
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.models.table import Column, RowTableModel
from attendance_desk.user import current_user


def _safe_name(text: str) -> str:
    return "".join("_" if ch in '<>:"/\\|?*' else ch for ch in text).strip() or "pupil"


class LettersModel(RowTableModel[LetterInfo]):
    """The letters register for one pupil, newest first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(
            [
                Column("Date", lambda r: r.letter_date, kind="date", display=uk_date),
                Column("Letter", lambda r: r.template_title or r.template_id),
                Column("To", lambda r: r.addressee or r.recipient),
                Column(
                    "Printed",
                    lambda r: r.printed_at,
                    display=lambda t: f"{numeric_time(t)}" if t else "",
                ),
                Column("By", lambda r: r.printed_by or None),
                Column(
                    "Void",
                    lambda r: f"void: {r.void_reason} ({r.voided_by})" if r.void else None,
                ),
            ],
            parent,
        )


class LettersPanel(QWidget):
    """The Letters tab: every letter sent about the pupil, and Reprint for the chosen one."""

    reprinted = Signal(object)  # Path of the saved reprint

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.model = LettersModel(self)
        self.view = QTableView(self)
        self.view.setObjectName("pupilLetters")
        self.view.setAccessibleName("Letters sent")
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _i: self.reprint())
        self.reprint_button = QPushButton("Reprint\u2026", self)
        self.reprint_button.setObjectName("reprintLetter")
        self.reprint_button.setToolTip(
            "Save the chosen letter again as a PDF, exactly as it was sent"
        )
        self.reprint_button.clicked.connect(lambda: self.reprint())
        self.void_button = QPushButton("Mark void\u2026", self)
        self.void_button.setObjectName("voidLetter")
        self.void_button.setToolTip(
            "The letter stays in the register, marked void with who and why, and is left out "
            "of the evidence bundle"
        )
        self.void_button.clicked.connect(lambda: self.void())
        self.empty = QLabel("No letters have been printed for this pupil yet.", self)
        self.empty.setStyleSheet("color: #607d8b;")
        self.message = QLabel(self)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self._worker: workers.Worker | None = None
        self.set_letters(())

    def set_letters(self, letters: tuple[LetterInfo, ...]) -> None:
        self.model.set_rows(list(letters))
        self.empty.setVisible(not letters)
        self.reprint_button.setEnabled(bool(letters))
        self.void_button.setEnabled(bool(letters) and can_change(self.db))
        if letters:
            self.view.selectRow(0)

    def selected(self) -> LetterInfo | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def reprint(self, path: Path | None = None) -> workers.Worker | None:
        letter = self.selected()
        if letter is None:
            return None
        if path is None:
            suggested = _safe_name(
                f"{letter.template_title or letter.template_id} - {letter.letter_date:%Y-%m-%d}.pdf"
            )
            chosen = file_places.save_file(
                self, "Reprint the letter", file_places.LETTERS, suggested, "PDF (*.pdf)"
            )
            if chosen is None:
                return None
            path = chosen
        self.message.setText("Reprinting\u2026")
        self._worker = workers.run_async(
            save_reprint,
            self.db,
            letter.id,
            path,
            on_finished=self._saved,
            on_error=lambda message, _d: self.message.setText(message),
        )
        return self._worker

    def void(self, reason: str | None = None) -> LetterInfo | None:
        """Mark the chosen letter void, asking why (unless `reason` is given)."""
        letter = self.selected()
        if letter is None:
            return None
        if letter.void:
            self.message.setText(f"This letter is already void: {letter.void_reason}")
            return None
        if reason is None:
            reason, ok = QInputDialog.getText(
                self,
                "Mark the letter void",
                f"Why is the {letter.template_title or 'letter'} of "
                f"{uk_date(letter.letter_date)} void? (for example: sent to the wrong address)",
            )
            if not ok:
                return None
        try:
            info = void_letter(self.db, letter.id, current_user(), reason)
        except UserError as exc:
            self.message.setText(str(exc))
            return None
        self.set_letters(letters_for_pupil(self.db, letter.pupil_id))
        self.message.setText("Marked void: kept in the register, left out of the evidence bundle.")
        return info

    def _saved(self, path: Path) -> None:
        self.message.setText(f"Saved to {path}")
        self.reprinted.emit(path)


def save_evidence_bundle(
    parent: QWidget,
    db: Database,
    pupil_id: int,
    name: str,
    as_of: date,
    report: Callable[[str], None],
    path: Path | None = None,
) -> workers.Worker | None:
    """Ask where (unless `path`), then write the evidence bundle PDF on a worker."""
    if path is None:
        chosen = file_places.save_file(
            parent,
            "Save the evidence bundle",
            file_places.PAPERS,
            _safe_name(f"{name} - evidence bundle - {as_of:%Y-%m-%d}.pdf"),
            "PDF (*.pdf)",
        )
        if chosen is None:
            return None
        path = chosen
    from attendance_desk.services.evidence_bundle import write_evidence_bundle  # ReportLab

    report("Writing the evidence bundle\u2026")
    return workers.run_async(
        write_evidence_bundle,
        db,
        pupil_id,
        as_of,
        path,
        on_finished=lambda target: report(f"Evidence bundle saved to {target}"),
        on_error=lambda message, _d: report(message),
    )


def save_subject_access(
    parent: QWidget,
    db: Database,
    pupil_id: int,
    report: Callable[[str], None],
    folder: Path | None = None,
) -> workers.Worker | None:
    """Ask for a folder (unless given), then write the subject access PDF and workbook."""
    if folder is None:
        chosen = file_places.choose_folder(
            parent, "Folder for the subject access export", file_places.PAPERS
        )
        if chosen is None:
            return None
        folder = chosen
    report("Writing the subject access export\u2026")

    def done(export: SubjectAccessExport) -> None:
        report(f"Subject access export saved: {export.pdf.name} and {export.xlsx.name}")

    return workers.run_async(
        export_subject_access,
        db,
        pupil_id,
        folder,
        on_finished=done,
        on_error=lambda message, _d: report(message),
    )
